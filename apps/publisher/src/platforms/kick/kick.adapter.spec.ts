import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PLATFORM_RULES } from '@streamcaster/contracts';
import { adapterTestConfig, callContext, refusal } from '../adapter-tests.test-helper.js';
import type { PlatformCallContext } from '../platform-adapter.js';
import { ScriptedFetch } from '../scripted-fetch.test-helper.js';
import { KickAdapter } from './kick.adapter.js';

const API = 'https://api.example.test/public/v1';
const env = {
  KICK_CLIENT_ID: 'kick-client',
  KICK_CLIENT_SECRET: 'kick-secret',
  KICK_API_URL: API,
  KICK_AUTH_URL: 'https://id.example.test/oauth/authorize',
  KICK_TOKEN_URL: 'https://id.example.test/oauth/token',
  KICK_CATEGORY_ID: '15',
};
const adapter = new KickAdapter(adapterTestConfig(env));
const http = new ScriptedFetch();
const noSave = async (): Promise<void> => {};

function context(overrides: Partial<PlatformCallContext> = {}): PlatformCallContext {
  return callContext({ accountId: 'account-1', externalId: '4242', accessToken: 'access-1', title: 'Friday set', description: 'unused on Kick', ...overrides });
}

beforeEach(() => http.install());
afterEach(() => http.restore());

describe('KickAdapter.oauth', () => {
  it('asks for its four scopes with PKCE S256, space-separated', () => {
    assert.equal(adapter.oauth.usesPkce, true);
    assert.deepEqual(adapter.oauth.missingConfiguration(), []);
    const url = new URL(adapter.oauth.authorizeUrl({ state: 'st', redirectUri: 'http://localhost:8080/api/platform-accounts/callback/kick', codeChallenge: 'challenge-1' }));
    assert.equal(`${url.origin}${url.pathname}`, env.KICK_AUTH_URL);
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      response_type: 'code',
      client_id: 'kick-client',
      redirect_uri: 'http://localhost:8080/api/platform-accounts/callback/kick',
      scope: 'user:read channel:read channel:write streamkey:read',
      code_challenge: 'challenge-1',
      code_challenge_method: 'S256',
      state: 'st',
    });
    assert.throws(() => adapter.oauth.authorizeUrl({ state: 'st', redirectUri: 'http://x', codeChallenge: null }), /requires a PKCE challenge/);
  });

  it('exchanges the code with a form and its verifier, reading the space-separated scope', async () => {
    http.answer({ json: { access_token: 'access-1', token_type: 'Bearer', refresh_token: 'refresh-1', expires_in: 7200, scope: 'user:read channel:read channel:write streamkey:read' } });
    const tokens = await adapter.oauth.exchangeCode({ code: 'code-1', redirectUri: 'http://localhost:8080/cb', codeVerifier: 'verifier-1' });
    assert.equal(`${http.request().method} ${http.request().url.href}`, `POST ${env.KICK_TOKEN_URL}`);
    assert.match(http.request().headers.get('content-type') ?? '', /application\/x-www-form-urlencoded/);
    assert.deepEqual(http.params(), { grant_type: 'authorization_code', client_id: 'kick-client', client_secret: 'kick-secret', redirect_uri: 'http://localhost:8080/cb', code_verifier: 'verifier-1', code: 'code-1' });
    assert.deepEqual([tokens.accessToken, tokens.refreshToken, tokens.scopes], ['access-1', 'refresh-1', ['user:read', 'channel:read', 'channel:write', 'streamkey:read']]);
    assert.ok((tokens.expiresAt?.getTime() ?? 0) > Date.now() + 7_000_000);
  });

  it('returns the rotated refresh token, and makes a refused one revoked', async () => {
    http.answer({ json: { access_token: 'access-2', refresh_token: 'refresh-2', expires_in: 7200, scope: 'user:read' } }, { status: 400, json: { error: 'Invalid request' } });
    const tokens = await adapter.oauth.refresh('refresh-1');
    assert.deepEqual(http.params(0), { grant_type: 'refresh_token', client_id: 'kick-client', client_secret: 'kick-secret', refresh_token: 'refresh-1' });
    assert.equal(tokens.refreshToken, 'refresh-2');
    const error = await refusal(adapter.oauth.refresh('refresh-1'));
    assert.equal(error.kind, 'revoked');
    assert.doesNotMatch(error.message, /refresh-1|kick-secret/);
  });

  it('revokes both tokens with POST /oauth/revoke?token=&token_hint_type=, a token Kick no longer takes being done', async () => {
    http.answer({ status: 200 }, { status: 400, json: { error: 'Invalid request' } });
    await adapter.oauth.revoke({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    assert.deepEqual(
      http.requests.map((request) => `${request.method} ${request.url.origin}${request.url.pathname} ${request.url.searchParams.get('token')} ${request.url.searchParams.get('token_hint_type')}`),
      ['POST https://id.example.test/oauth/revoke access-1 access_token', 'POST https://id.example.test/oauth/revoke refresh-1 refresh_token'],
    );
  });

  it('identifies the user by /users and the slug by /channels', async () => {
    http.answer({ json: { data: [{ user_id: 4242, name: 'ResidentDJ', email: 'dj@example.test' }], message: 'OK' } }, { json: { data: [{ broadcaster_user_id: 4242, slug: 'resident-dj' }], message: 'OK' } });
    const identity = await adapter.oauth.identify('access-1');
    assert.deepEqual(http.requests.map((request) => `${request.method} ${request.url.href} ${request.headers.get('authorization')}`), [
      `GET ${API}/users Bearer access-1`,
      `GET ${API}/channels Bearer access-1`,
    ]);
    assert.deepEqual(identity, { externalId: '4242', displayName: 'resident-dj', channelUrl: 'https://kick.com/resident-dj' });
  });
});

describe('KickAdapter.broadcaster', () => {
  const broadcaster = adapter.broadcaster;

  it('refuses Test, whatever the caller checked, with the reason of PLATFORM_RULES', async () => {
    for (const call of [
      () => broadcaster.prepare(context({ environment: 'test' }), {}, noSave),
      () => broadcaster.observe(context({ environment: 'test' }), {}, true),
      () => broadcaster.updateText(context({ environment: 'test' }), {}, { title: 'x' }),
    ]) {
      const error = await refusal(call());
      assert.deepEqual([error.kind, error.message], ['refused', PLATFORM_RULES.kick.noTestReason]);
    }
    assert.equal(http.requests.length, 0);
  });

  it('sets the title and category on the channel, then pushes to its stream URL and key', async () => {
    http.answer({ status: 204 }, { json: { data: [{ broadcaster_user_id: 4242, slug: 'resident-dj', stream: { url: 'rtmps://fa723fc1b171.global-contribute.live-video.net/app/', key: 'sk_us-west-2_abc', is_live: false } }], message: 'OK' } });
    const ingest = await broadcaster.prepare(context(), {}, noSave);
    assert.equal(`${http.request(0).method} ${http.request(0).url.href}`, `PATCH ${API}/channels`);
    assert.deepEqual(JSON.parse(http.request(0).body), { stream_title: 'Friday set', category_id: 15 });
    assert.equal(http.request(0).headers.get('authorization'), 'Bearer access-1');
    assert.deepEqual(ingest, { pushUrl: 'rtmps://fa723fc1b171.global-contribute.live-video.net/app/sk_us-west-2_abc', secret: 'sk_us-west-2_abc', watchUrl: 'https://kick.com/resident-dj' });
  });

  it('refuses a title over 100 characters before calling, and a channel without a stream key (no streamkey:read)', async () => {
    const long = await refusal(broadcaster.prepare(context({ title: 'x'.repeat(101) }), {}, noSave));
    assert.deepEqual([long.kind, http.requests.length], ['refused', 0]);
    http.answer({ status: 204 }, { json: { data: [{ slug: 'resident-dj', stream: { url: '', key: '' } }], message: 'OK' } });
    const keyless = await refusal(broadcaster.prepare(context(), {}, noSave));
    assert.match(keyless.message, /streamkey:read/);
  });

  it('observes live while /livestreams lists the channel, with its viewer count', async () => {
    http.answer({ json: { data: [{ broadcaster_user_id: 4242, viewer_count: 57 }], message: 'OK' } }, { json: { data: [], message: 'OK' } });
    assert.deepEqual(await broadcaster.observe(context(), {}, true), { receiving: true, onAir: 'live', viewers: 57 });
    assert.equal(http.request(0).url.search, '?broadcaster_user_id=4242');
    assert.deepEqual(await broadcaster.observe(context(), {}, true), { receiving: false, onAir: null, viewers: null });
  });

  it('updates only the title (Kick has no description), refusing over 100 characters', async () => {
    http.answer({ status: 204 });
    await broadcaster.updateText(context(), {}, { title: 'New title', description: 'ignored' });
    assert.deepEqual(JSON.parse(http.request().body), { stream_title: 'New title' });
    await broadcaster.updateText(context(), {}, { description: 'only a description' });
    assert.equal(http.requests.length, 1);
    const long = await refusal(broadcaster.updateText(context(), {}, { title: 'y'.repeat(101) }));
    assert.match(long.message, /at most 100 characters/);
  });

  it('maps a 401 to auth and Cloudflare’s block to transient on the API', async () => {
    http.answer({ status: 401, json: { data: {}, message: 'Unauthorized' } }, { status: 403, json: { error: 'Request blocked by security policy.', reference: 'r' } }, { status: 429, json: { data: {}, message: 'Too Many Requests' }, headers: { 'retry-after': '3' } });
    assert.equal((await refusal(broadcaster.observe(context(), {}, true))).kind, 'auth');
    assert.equal((await refusal(broadcaster.observe(context(), {}, true))).kind, 'transient');
    const limited = await refusal(broadcaster.observe(context(), {}, true));
    assert.deepEqual([limited.kind, limited.details.retryAfterMs], ['rate-limited', 3000]);
  });

  it('has nothing to put on air or end', async () => {
    await broadcaster.goOnAir(context(), {}, noSave);
    await broadcaster.end(context(), {});
    assert.equal(http.requests.length, 0);
  });
});
