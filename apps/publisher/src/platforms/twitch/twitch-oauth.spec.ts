import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessToken } from '@twurple/auth';
import type { PublisherConfig } from '../../config/publisher.config.js';
import { refusal } from '../adapter-tests.test-helper.js';
import type { TwitchHelix } from './twitch-helix.js';
import { TwitchOAuth, type TwitchTokenEndpoint } from './twitch-oauth.js';

/** Twitch's OAuth requests and the tokens made of their answers, with id.twitch.tv scripted. */

const config = {
  twitchClientId: 'cid',
  twitchClientSecret: 'TOPSECRET',
  twitchAuthUrl: 'https://id.twitch.tv/oauth2/authorize',
  platformRequestTimeoutMs: 200,
} as PublisherConfig;

/** twurple's HttpStatusCodeError: its message holds the URL with the secret and tokens. */
class HttpStatusCodeError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(`Encountered HTTP status code ${statusCode}\n\nURL: token?client_secret=TOPSECRET&refresh_token=RT\nBody:\n${body}`);
  }
}

const answer = (status: number, message: string): HttpStatusCodeError => new HttpStatusCodeError(status, JSON.stringify({ status, message }));

function token(accessToken: string, refreshToken: string | null = 'rt-2', expiresIn: number | null = 14_400): AccessToken {
  return { accessToken, refreshToken, scope: ['channel:manage:broadcast', 'channel:read:stream_key'], expiresIn, obtainmentTimestamp: 1_700_000_000_000 };
}

class ScriptedTokens implements TwitchTokenEndpoint {
  readonly calls: string[] = [];
  exchange: () => Promise<AccessToken> = async () => token('at-1', 'rt-1');
  refreshing: (refreshToken: string) => Promise<AccessToken> = async () => token('at-2');
  revoking: (accessToken: string) => Promise<void> = async () => undefined;

  exchangeCode(clientId: string, clientSecret: string, code: string, redirectUri: string): Promise<AccessToken> {
    this.calls.push(`exchange ${clientId} ${clientSecret} ${code} ${redirectUri}`);
    return this.exchange();
  }

  refreshUserToken(clientId: string, _clientSecret: string, refreshToken: string): Promise<AccessToken> {
    this.calls.push(`refresh ${clientId} ${refreshToken}`);
    return this.refreshing(refreshToken);
  }

  revokeToken(clientId: string, accessToken: string): Promise<void> {
    this.calls.push(`revoke ${clientId} ${accessToken}`);
    return this.revoking(accessToken);
  }
}

const helix: TwitchHelix = {
  authenticatedUser: async () => ({ id: '141981764', login: 'djfake' }),
  updateChannel: async () => undefined,
  streamKey: async () => 'key',
  liveStream: async () => null,
};

describe('Twitch OAuth', () => {
  it('builds the authorize URL: code flow, both scopes separated by %20, state, force_verify, no PKCE', () => {
    const oauth = new TwitchOAuth(config, helix, new ScriptedTokens());
    assert.equal(oauth.usesPkce, false);
    const url = oauth.authorizeUrl({ state: 's.1', redirectUri: 'https://sc.example/api/platform-accounts/callback/twitch', codeChallenge: null });
    assert.equal(
      url,
      'https://id.twitch.tv/oauth2/authorize?response_type=code&client_id=cid&redirect_uri=https%3A%2F%2Fsc.example%2Fapi%2Fplatform-accounts%2Fcallback%2Ftwitch&scope=channel%3Amanage%3Abroadcast%20channel%3Aread%3Astream_key&state=s.1&force_verify=true',
    );
  });

  it('names the variables to set when the client is not configured, and refuses to start without them', () => {
    const bare = new TwitchOAuth({ ...config, twitchClientId: null, twitchClientSecret: null } as PublisherConfig, helix);
    assert.deepEqual(bare.missingConfiguration(), ['TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET']);
    assert.deepEqual(new TwitchOAuth(config, helix).missingConfiguration(), []);
    assert.throws(() => bare.authorizeUrl({ state: 's', redirectUri: 'https://x', codeChallenge: null }), /set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET/);
  });

  it('exchanges the code into a token set: expiry from expires_in, the scopes Twitch granted', async () => {
    const tokens = new ScriptedTokens();
    const set = await new TwitchOAuth(config, helix, tokens).exchangeCode({ code: 'c1', redirectUri: 'https://x/cb', codeVerifier: null });
    assert.deepEqual(tokens.calls, ['exchange cid TOPSECRET c1 https://x/cb']);
    assert.deepEqual(set, {
      accessToken: 'at-1',
      refreshToken: 'rt-1',
      expiresAt: new Date(1_700_000_000_000 + 14_400_000),
      scopes: ['channel:manage:broadcast', 'channel:read:stream_key'],
    });
  });

  it('keeps the old refresh token when Twitch hands out none, and takes the new one when it does', async () => {
    const tokens = new ScriptedTokens();
    const oauth = new TwitchOAuth(config, helix, tokens);
    assert.equal((await oauth.refresh('rt-1')).refreshToken, 'rt-2');
    tokens.refreshing = async () => token('at-3', null, null);
    const kept = await oauth.refresh('rt-1');
    assert.deepEqual([kept.accessToken, kept.refreshToken, kept.expiresAt], ['at-3', 'rt-1', null]);
  });

  it('a refused refresh token is revoked (reconnect); the error carries neither the secret nor the token', async () => {
    const tokens = new ScriptedTokens();
    tokens.refreshing = async () => {
      throw answer(400, 'Invalid refresh token');
    };
    const error = await refusal(new TwitchOAuth(config, helix, tokens).refresh('RT'));
    assert.equal(error.kind, 'revoked');
    assert.doesNotMatch(error.message, /TOPSECRET|RT\b|client_secret/);
  });

  it('bounds a token call that does not answer', async () => {
    const tokens = new ScriptedTokens();
    tokens.exchange = () => new Promise(() => undefined);
    const error = await refusal(new TwitchOAuth(config, helix, tokens).exchangeCode({ code: 'c', redirectUri: 'https://x/cb', codeVerifier: null }));
    assert.equal(error.kind, 'transient');
    assert.match(error.message, /^Twitch \(signing in\): no answer within/);
  });

  it('revokes the access token; an expired one is renewed with the refresh token and the new one revoked', async () => {
    const tokens = new ScriptedTokens();
    const oauth = new TwitchOAuth(config, helix, tokens);
    await oauth.revoke({ accessToken: 'at-1', refreshToken: 'rt-1' });
    assert.deepEqual(tokens.calls, ['revoke cid at-1']);

    tokens.calls.length = 0;
    tokens.revoking = async (accessToken) => {
      if (accessToken === 'at-1') throw answer(400, 'Invalid token');
    };
    await oauth.revoke({ accessToken: 'at-1', refreshToken: 'rt-1' });
    assert.deepEqual(tokens.calls, ['revoke cid at-1', 'refresh cid rt-1', 'revoke cid at-2']);
  });

  it('revoking a grant that is already gone succeeds; a client Twitch does not know is refused', async () => {
    const tokens = new ScriptedTokens();
    const oauth = new TwitchOAuth(config, helix, tokens);
    tokens.revoking = async () => {
      throw answer(400, 'Invalid token');
    };
    tokens.refreshing = async () => {
      throw answer(400, 'Invalid refresh token');
    };
    await oauth.revoke({ accessToken: 'at-1', refreshToken: 'rt-1' });
    await oauth.revoke({ accessToken: 'at-1', refreshToken: null });
    tokens.revoking = async () => {
      throw answer(404, 'client does not exist');
    };
    const error = await refusal(oauth.revoke({ accessToken: 'at-1', refreshToken: 'rt-1' }));
    assert.deepEqual([error.kind, /TWITCH_CLIENT_ID/.test(error.message)], ['refused', true]);
  });

  it('identifies the account by its user id, with the login and the channel page', async () => {
    assert.deepEqual(await new TwitchOAuth(config, helix).identify('at-1'), {
      externalId: '141981764',
      displayName: 'djfake',
      channelUrl: 'https://www.twitch.tv/djfake',
    });
  });
});
