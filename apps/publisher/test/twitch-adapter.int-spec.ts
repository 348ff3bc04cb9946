import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { publishAsDj, TwitchFake, waitFor, type DjStream, type TwitchRequest } from '@streamcaster/testing';
import type { PublisherConfig } from '../src/config/publisher.config.js';
import { adapterTestConfig, callContext, consentCode, refusal } from '../src/platforms/adapter-tests.test-helper.js';
import type { PlatformCallContext, PlatformRefs, TokenSet } from '../src/platforms/platform-adapter.js';
import { TWITCH_BANDWIDTH_TEST_NOTE } from '../src/platforms/twitch/twitch-broadcaster.js';
import { TwurpleHelix } from '../src/platforms/twitch/twitch-helix.js';
import { TwitchAdapter } from '../src/platforms/twitch/twitch.adapter.js';

// The Twitch adapter with the real twurple against the Twitch fake: twurple's mock mode sends Helix
// and id.twitch.tv calls to the fake's port (TWURPLE_MOCK_API_PORT), the authorize page and the
// ingest come from TWITCH_AUTH_URL and TWITCH_INGEST_URL, and the relay is ffmpeg pushing to the
// URL the adapter hands out.

const redirectUri = 'http://127.0.0.1:9/api/platform-accounts/callback/twitch';
const client = { clientId: 'streamcastertwitchclient0001', clientSecret: 'twitch-fake-secret', redirectUris: [redirectUri] };
const dj = { id: '141981764', login: 'djfake', displayName: 'DJFake' };

let directory: string;
let fake: TwitchFake;

function configFor(overrides: Record<string, string> = {}): PublisherConfig {
  return adapterTestConfig({
    TWITCH_CLIENT_ID: client.clientId,
    TWITCH_CLIENT_SECRET: client.clientSecret,
    TWITCH_AUTH_URL: fake.authUrl,
    TWITCH_INGEST_URL: fake.ingestUrl,
    TWITCH_CATEGORY_ID: '26936',
    ...overrides,
  });
}

/** The user consents on the authorize page (followed as a browser would); the callback exchanges the code. */
async function connect(adapter: TwitchAdapter, scope?: string): Promise<TokenSet> {
  const url = new URL(adapter.oauth.authorizeUrl({ state: 'signed-state', redirectUri, codeChallenge: null }));
  if (scope !== undefined) url.searchParams.set('scope', scope);
  const code = await consentCode(url, redirectUri, 'signed-state');
  return adapter.oauth.exchangeCode({ code, redirectUri, codeVerifier: null });
}

function context(tokens: TokenSet, overrides: Partial<PlatformCallContext> = {}): PlatformCallContext {
  return callContext({
    accountId: 'account-1',
    externalId: dj.id,
    accessToken: tokens.accessToken,
    title: 'Friday night set',
    description: 'Twitch has no description',
    signal: AbortSignal.timeout(30_000),
    ...overrides,
  });
}

function requestsTo(method: string, path: string, since = 0): TwitchRequest[] {
  return fake.requests().filter((request) => request.method === method && request.path === path && request.at >= since);
}

const noRefs = async (): Promise<void> => undefined;

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'twitch-adapter-'));
  fake = await TwitchFake.start({ directory, client });
  fake.addUser(dj);
  // twurple reads it on every request.
  process.env['TWURPLE_MOCK_API_PORT'] = String(fake.port);
});

after(async () => {
  delete process.env['TWURPLE_MOCK_API_PORT'];
  await fake.stop();
  await rm(directory, { recursive: true, force: true });
});

describe('Twitch adapter: the account', () => {
  it('connects end to end: authorize page → code → exchange → identify', async () => {
    const adapter = new TwitchAdapter(configFor());
    const tokens = await connect(adapter);
    assert.deepEqual(tokens.scopes, [...adapter.oauth.scopes]);
    assert.ok(tokens.refreshToken);
    assert.ok((tokens.expiresAt?.getTime() ?? 0) > Date.now() + 3 * 3600_000);
    assert.deepEqual(await adapter.oauth.identify(tokens.accessToken), { externalId: dj.id, displayName: dj.login, channelUrl: 'https://www.twitch.tv/djfake' });
  });

  it('refreshes into a token Twitch accepts; an expired one is refused as auth, so that the publisher refreshes', async () => {
    const adapter = new TwitchAdapter(configFor());
    const tokens = await connect(adapter);
    fake.oauth.expireAccessTokens();
    const stale = await refusal(adapter.oauth.identify(tokens.accessToken));
    assert.equal(stale.kind, 'auth');
    const renewed = await adapter.oauth.refresh(tokens.refreshToken ?? '');
    assert.notEqual(renewed.accessToken, tokens.accessToken);
    assert.notEqual(renewed.refreshToken, tokens.refreshToken);
    assert.equal((await adapter.oauth.identify(renewed.accessToken)).externalId, dj.id);
  });

  it('a revoked refresh token is refused as revoked, in words that say to reconnect', async () => {
    const adapter = new TwitchAdapter(configFor());
    const tokens = await connect(adapter);
    fake.oauth.revokeRefreshTokens({ token: tokens.refreshToken ?? '' });
    const error = await refusal(adapter.oauth.refresh(tokens.refreshToken ?? ''));
    assert.equal(error.kind, 'revoked');
    assert.match(error.message, /Invalid refresh token.*reconnect the account/);
    assert.doesNotMatch(error.message, new RegExp(`${client.clientSecret}|${tokens.refreshToken}`));
  });

  it('revoke ends the grant at Twitch, also when the stored access token has expired', async () => {
    const adapter = new TwitchAdapter(configFor());
    const first = await connect(adapter);
    await adapter.oauth.revoke({ accessToken: first.accessToken, refreshToken: first.refreshToken });
    assert.equal((await refusal(adapter.oauth.refresh(first.refreshToken ?? ''))).kind, 'revoked');

    const second = await connect(adapter);
    fake.oauth.expireAccessTokens();
    await adapter.oauth.revoke({ accessToken: second.accessToken, refreshToken: second.refreshToken });
    assert.equal((await refusal(adapter.oauth.refresh(second.refreshToken ?? ''))).kind, 'revoked');
  });
});

describe('Twitch adapter: a broadcast', () => {
  it('Live: title and category set, the relay pushes to the key, Twitch lists the channel live with its viewers', async () => {
    const adapter = new TwitchAdapter(configFor());
    const tokens = await connect(adapter);
    const saved: PlatformRefs[] = [];
    const ingest = await adapter.broadcaster.prepare(context(tokens), {}, async (refs) => void saved.push(refs));
    assert.deepEqual(saved, [{ login: dj.login }]);
    assert.deepEqual(fake.channel(dj.id), { title: 'Friday night set', gameId: '26936', gameName: 'Music', language: 'en' });
    assert.deepEqual(ingest, { pushUrl: `${fake.ingestUrl}/${fake.streamKey(dj.id)}`, secret: fake.streamKey(dj.id), watchUrl: 'https://www.twitch.tv/djfake' });
    assert.deepEqual(await adapter.broadcaster.observe(context(tokens), saved[0] ?? {}, false), { receiving: false, onAir: null, viewers: null });

    let relay: DjStream | undefined;
    try {
      relay = publishAsDj(ingest.pushUrl, 60, { size: '320x240' });
      const live = await waitFor('Twitch to list the channel as live', async () => {
        const observation = await adapter.broadcaster.observe(context(tokens), saved[0] ?? {}, true);
        return observation.receiving ? observation : undefined;
      }, 20_000, 500);
      assert.deepEqual(live, { receiving: true, onAir: 'live', viewers: 0 });
      await adapter.broadcaster.goOnAir(context(tokens), saved[0] ?? {}, noRefs);
      fake.setViewerCount(dj.id, 31);
      assert.equal((await adapter.broadcaster.observe(context(tokens), saved[0] ?? {}, true)).viewers, 31);
      assert.deepEqual(fake.publishes().at(-1), { key: fake.streamKey(dj.id), userId: dj.id, bandwidthTest: false });

      await adapter.broadcaster.updateText(context(tokens), saved[0] ?? {}, { title: 'Second hour', description: 'not for Twitch' });
      assert.equal(fake.channel(dj.id).title, 'Second hour');
      await adapter.broadcaster.end(context(tokens), saved[0] ?? {});
      relay.process.kill('SIGINT');
      await relay.exited;
      await waitFor('the channel to go offline', async () => ((await adapter.broadcaster.observe(context(tokens), saved[0] ?? {}, false)).onAir === null ? true : undefined), 10_000, 300);
    } finally {
      relay?.process.kill('SIGKILL');
    }
  });

  it('Test: the key carries bandwidthtest=true, Twitch records a bandwidth test, and GET /streams never lists it', async () => {
    const adapter = new TwitchAdapter(configFor());
    const tokens = await connect(adapter);
    const testContext = context(tokens, { environment: 'test' });
    const patchesBefore = requestsTo('PATCH', '/mock/channels').length;
    const ingest = await adapter.broadcaster.prepare(testContext, {}, noRefs);
    assert.equal(requestsTo('PATCH', '/mock/channels').length, patchesBefore, 'a rehearsal leaves the public channel title alone');
    const key = fake.streamKey(dj.id);
    assert.equal(ingest.pushUrl, `${fake.ingestUrl}/${key}?bandwidthtest=true`);
    assert.equal(ingest.secret, key);

    const publishesBefore = fake.publishes().length;
    let relay: DjStream | undefined;
    try {
      relay = publishAsDj(ingest.pushUrl, 60, { size: '320x240' });
      await waitFor('the bandwidth test to reach the ingest', () => (fake.bytesReceived(key) > 50_000 ? true : undefined), 20_000, 300);
      assert.deepEqual(fake.publishes().slice(publishesBefore), [{ key, userId: dj.id, bandwidthTest: true }]);
      assert.deepEqual(await adapter.broadcaster.observe(testContext, {}, true), { receiving: true, onAir: 'testing', viewers: null, note: TWITCH_BANDWIDTH_TEST_NOTE });
      // Asked as for a live broadcast, Twitch does not list the channel while the bandwidth test runs.
      const streamsBefore = requestsTo('GET', '/mock/streams').length;
      for (let poll = 0; poll < 3; poll += 1) {
        assert.deepEqual(await adapter.broadcaster.observe(context(tokens), {}, true), { receiving: false, onAir: null, viewers: null });
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      assert.equal(requestsTo('GET', '/mock/streams').length - streamsBefore, 3);
      assert.equal(fake.isLive(dj.id), false);
    } finally {
      relay?.process.kill('SIGKILL');
      await relay?.exited;
    }
  });

  it('a title over 140 characters is refused with the limit, and the channel keeps its title', async () => {
    const adapter = new TwitchAdapter(configFor());
    const tokens = await connect(adapter);
    await adapter.broadcaster.updateText(context(tokens), {}, { title: 'Kept title' });
    const patches = requestsTo('PATCH', '/mock/channels').length;
    const update = await refusal(adapter.broadcaster.updateText(context(tokens), {}, { title: 'x'.repeat(141) }));
    assert.equal(update.kind, 'refused');
    assert.match(update.message, /at most 140 characters; this one has 141/);
    assert.equal((await refusal(adapter.broadcaster.prepare(context(tokens, { title: 'y'.repeat(141) }), {}, noRefs))).kind, 'refused');
    assert.equal(requestsTo('PATCH', '/mock/channels').length, patches);
    // Twitch's own refusal, should a title get past that check, through twurple and the mapping.
    const fromTwitch = await refusal(new TwurpleHelix(configFor()).updateChannel({ accessToken: tokens.accessToken }, dj.id, { title: 'z'.repeat(141) }));
    assert.deepEqual([fromTwitch.kind, fromTwitch.details.status], ['refused', 400]);
    assert.match(fromTwitch.message, /Title is too long\./);
    assert.equal(fake.channel(dj.id).title, 'Kept title');
  });

  it('a token without channel:manage:broadcast is refused, naming the permission, and nothing is changed', async () => {
    const adapter = new TwitchAdapter(configFor());
    const tokens = await connect(adapter, 'channel:read:stream_key');
    assert.deepEqual(tokens.scopes, ['channel:read:stream_key']);
    const patches = requestsTo('PATCH', '/mock/channels').length;
    const error = await refusal(adapter.broadcaster.prepare(context(tokens), { login: dj.login }, noRefs));
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /channel:manage:broadcast\): reconnect the account and allow every permission/);
    assert.equal(requestsTo('PATCH', '/mock/channels').length, patches);
  });

  it("a channel that may not stream yet is refused with Twitch's words", async () => {
    const adapter = new TwitchAdapter(configFor());
    const tokens = await connect(adapter);
    fake.setCannotStream(dj.id, 'Please enable two-factor authentication before you stream.');
    try {
      const error = await refusal(adapter.broadcaster.prepare(context(tokens), { login: dj.login }, noRefs));
      assert.deepEqual([error.kind, error.message], ['refused', 'Twitch (reading the stream key): Twitch does not let this channel stream yet: Please enable two-factor authentication before you stream.']);
    } finally {
      fake.setCannotStream(dj.id, null);
    }
  });
});

describe('Twitch adapter: the rate limit', () => {
  it('a 429 is honoured: the call waits until Ratelimit-Reset, then succeeds', async () => {
    const adapter = new TwitchAdapter(configFor());
    const tokens = await connect(adapter);
    const since = Date.now();
    fake.exhaustRateLimit(dj.id, 1500);
    assert.deepEqual(await adapter.broadcaster.observe(context(tokens), {}, false), { receiving: false, onAir: null, viewers: null });
    const calls = requestsTo('GET', '/mock/streams', since);
    assert.deepEqual(calls.map((call) => call.status), [429, 200]);
    const resetAt = Math.ceil((since + 1500) / 1000) * 1000;
    assert.ok((calls[1]?.at ?? 0) >= resetAt, 'the request was sent again only once the bucket had refilled');
  });

  it("a wait longer than the call's budget ends the call as rate-limited, and the held request never reaches Twitch", async () => {
    const adapter = new TwitchAdapter(configFor({ PLATFORM_REQUEST_TIMEOUT_MS: '1000' }));
    const tokens = await connect(adapter);
    await adapter.broadcaster.updateText(context(tokens), {}, { title: 'Before the limit' });
    // Counted, not timed: the PATCH before the limit may have arrived in this very millisecond.
    const earlier = requestsTo('PATCH', '/mock/channels').length;
    fake.exhaustRateLimit(dj.id, 3000);
    const error = await refusal(adapter.broadcaster.updateText(context(tokens), {}, { title: 'Held back' }));
    assert.equal(error.kind, 'rate-limited');
    assert.ok((error.details.retryAfterMs ?? 0) > 1000, `retryAfterMs ${error.details.retryAfterMs}`);
    // Past the reset, when twurple would have sent it again.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.deepEqual(requestsTo('PATCH', '/mock/channels').slice(earlier).map((call) => call.status), [429]);
    assert.equal(fake.channel(dj.id).title, 'Before the limit');
  });
});
