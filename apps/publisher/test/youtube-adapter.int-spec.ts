import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Environment, PlatformPrivacy } from '@streamcaster/contracts';
import { publishAsDj, waitFor, YouTubeFake, type DjStream, type YouTubeMethod as FakeMethod } from '@streamcaster/testing';
import { newPkcePair } from '../src/platform-accounts/oauth-state.js';
import { adapterTestConfig, callContext, consentCode, RefsStore, refusal } from '../src/platforms/adapter-tests.test-helper.js';
import type { PlatformCallContext, PlatformObservation, PlatformRefs, TokenSet } from '../src/platforms/platform-adapter.js';
import { PlatformError } from '../src/platforms/platform-error.js';
import { YouTubeAdapter } from '../src/platforms/youtube/youtube.adapter.js';
import type { QuotaLedger, YouTubeMethod } from '../src/platforms/youtube/youtube-quota.js';

// The YouTube adapter driven for real against the YouTube fake (libs/testing): Google's OAuth flow
// with PKCE through google-auth-library, the Data API through googleapis, and a real ffmpeg push to
// the ingest address the fake hands out, which is what makes its stream `active`.

const redirectUri = 'http://127.0.0.1:9/api/platform-accounts/callback/youtube';
const client = { clientId: 'streamcaster-adapter.apps.fake', clientSecret: 'adapter-secret', redirectUris: [redirectUri] };
const channel = { id: 'UCadapterChannel00000001', title: 'DJ Adapter Radio' };

/** The quota ledger in memory: one budget per account, refused before the call as the real one does. */
class MemoryQuotaLedger implements QuotaLedger {
  private readonly used = new Map<string, number>();
  readonly calls: YouTubeMethod[] = [];

  constructor(private readonly budget: number) {}

  spend(accountId: string, method: YouTubeMethod, units: number): Promise<void> {
    const used = this.usedBy(accountId);
    if (used + units > this.budget) {
      return Promise.reject(new PlatformError('youtube', 'quota', `StreamCaster's daily YouTube budget for this account is spent (${used} of ${this.budget} units)`));
    }
    this.used.set(accountId, used + units);
    this.calls.push(method);
    return Promise.resolve();
  }

  usedBy(accountId: string): number {
    return this.used.get(accountId) ?? 0;
  }
}

let directory: string;
let fake: YouTubeFake;
let ledger: MemoryQuotaLedger;
let adapter: YouTubeAdapter;
const publishers: DjStream[] = [];

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'youtube-adapter-'));
  fake = await YouTubeFake.start({ directory, client });
  fake.addChannel(channel);
  const config = adapterTestConfig({
    YOUTUBE_CLIENT_ID: client.clientId,
    YOUTUBE_CLIENT_SECRET: client.clientSecret,
    YOUTUBE_API_URL: fake.apiUrl,
    GOOGLE_AUTH_URL: fake.authUrl,
    GOOGLE_TOKEN_URL: fake.tokenUrl,
    GOOGLE_REVOKE_URL: fake.revokeUrl,
    PLATFORM_REQUEST_TIMEOUT_MS: '5000',
  });
  ledger = new MemoryQuotaLedger(10_000);
  adapter = new YouTubeAdapter(config, ledger);
});

after(async () => {
  for (const dj of publishers) dj.process.kill('SIGKILL');
  await fake.stop();
  await rm(directory, { recursive: true, force: true });
});

/** The whole connect flow: the authorize page (followed as a browser would, without its redirect), the code, the exchange. */
async function connect(): Promise<TokenSet> {
  const pkce = newPkcePair();
  const code = await consentCode(adapter.oauth.authorizeUrl({ state: 'state-1', redirectUri, codeChallenge: pkce.challenge }), redirectUri, 'state-1');
  return adapter.oauth.exchangeCode({ code, redirectUri, codeVerifier: pkce.verifier });
}

function context(accessToken: string, overrides: Partial<PlatformCallContext> = {}): PlatformCallContext {
  return callContext({ accountId: 'account-1', externalId: channel.id, accessToken, privacy: 'public', title: 'Friday night set', description: 'DJ Fake, live from the club', ...overrides });
}

/** Units the tests' own lookups cost at the fake (1 a list), not charged to any ledger. */
let lookupUnits = 0;

/** What the fake says about a broadcast, read over plain HTTP as the account. */
async function broadcastAtYouTube(accessToken: string, id: string): Promise<{ snippet: { title: string; description: string; scheduledStartTime: string }; status: { privacyStatus: string; lifeCycleStatus: string } } | undefined> {
  lookupUnits += 1;
  const response = await fetch(`${fake.apiUrl}youtube/v3/liveBroadcasts?part=snippet,status&id=${id}`, { headers: { authorization: `Bearer ${accessToken}` } });
  const body = (await response.json()) as { items: Array<{ snippet: { title: string; description: string; scheduledStartTime: string }; status: { privacyStatus: string; lifeCycleStatus: string } }> };
  return body.items[0];
}

async function upcomingTitled(accessToken: string, title: string): Promise<number> {
  lookupUnits += 1;
  const response = await fetch(`${fake.apiUrl}youtube/v3/liveBroadcasts?part=snippet&broadcastStatus=upcoming`, { headers: { authorization: `Bearer ${accessToken}` } });
  const body = (await response.json()) as { items: Array<{ snippet: { title: string } }> };
  return body.items.filter((item) => item.snippet.title === title).length;
}

function push(url: string): DjStream {
  const dj = publishAsDj(url, 90, { size: '320x240' });
  publishers.push(dj);
  return dj;
}

async function observeUntil(what: string, call: PlatformCallContext, refs: PlatformRefs, done: (seen: PlatformObservation) => boolean): Promise<PlatformObservation> {
  return waitFor(what, async () => {
    const seen = await adapter.broadcaster.observe(call, refs, true);
    return done(seen) ? seen : undefined;
  }, 30_000, 500);
}

function calls(...methods: FakeMethod[]): number[] {
  return methods.map((method) => fake.calls(method));
}

describe('YouTube adapter: Google OAuth against the fake', () => {
  it('connects through authorize, code and exchange with the PKCE verifier, and identifies the channel', async () => {
    const tokens = await connect();
    assert.match(tokens.accessToken, /^ya29\.fake_access_/);
    assert.match(tokens.refreshToken ?? '', /^ya29\.fake_refresh_/);
    assert.ok((tokens.expiresAt?.getTime() ?? 0) > Date.now());
    assert.deepEqual(tokens.scopes, ['https://www.googleapis.com/auth/youtube']);
    assert.deepEqual(await adapter.oauth.identify(tokens.accessToken), {
      externalId: channel.id,
      displayName: channel.title,
      channelUrl: `https://www.youtube.com/channel/${channel.id}`,
    });
  });

  it('refuses an exchange with a wrong PKCE verifier, in words', async () => {
    const code = await consentCode(adapter.oauth.authorizeUrl({ state: 's', redirectUri, codeChallenge: newPkcePair().challenge }), redirectUri, 's');
    const error = await refusal(adapter.oauth.exchangeCode({ code, redirectUri, codeVerifier: newPkcePair().verifier }));
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /^Google \(signing in\): Google refused the sign-in code .*: Invalid code verifier\.$/);
  });

  it('refreshes (same refresh token, new access token) until revoked; then the refresh is revoked in Google\'s words', async () => {
    const tokens = await connect();
    const refreshToken = tokens.refreshToken ?? '';
    const renewed = await adapter.oauth.refresh(refreshToken);
    assert.notEqual(renewed.accessToken, tokens.accessToken);
    assert.equal(renewed.refreshToken, refreshToken);
    assert.deepEqual(renewed.scopes, ['https://www.googleapis.com/auth/youtube']);
    assert.deepEqual(await adapter.oauth.identify(renewed.accessToken), { externalId: channel.id, displayName: channel.title, channelUrl: `https://www.youtube.com/channel/${channel.id}` });

    await adapter.oauth.revoke({ accessToken: renewed.accessToken, refreshToken });
    const refused = await refusal(adapter.oauth.refresh(refreshToken));
    assert.equal(refused.kind, 'revoked');
    assert.equal(refused.message, 'Google (renewing the access token): Google no longer accepts this sign-in: Token has been expired or revoked.');
    // The revoked grant's access tokens went with it: the API answers 401, an auth error.
    assert.equal((await refusal(adapter.oauth.identify(renewed.accessToken))).kind, 'auth');
    // Revoking what is already revoked is done, not an error.
    await adapter.oauth.revoke({ accessToken: renewed.accessToken, refreshToken });
  });

  it('answers an expired access token with an auth error, so that the publisher refreshes', async () => {
    const tokens = await connect();
    fake.oauth.expireAccessTokens();
    const error = await refusal(adapter.broadcaster.observe(context(tokens.accessToken), { broadcastId: 'x', streamId: 'y' }, false));
    assert.equal(error.kind, 'auth');
    assert.ok(!error.message.includes(tokens.accessToken));
  });
});

describe('YouTube adapter: broadcasts against the fake', () => {
  it('Live: prepares, YouTube receives the pushed stream, goes live in public, takes a new title, ends complete', async () => {
    const { accessToken } = await connect();
    const call = context(accessToken, { accountId: 'account-live' });
    const store = new RefsStore();
    const fakeUnitsBefore = fake.quotaUsed - lookupUnits;

    const ingest = await adapter.broadcaster.prepare(call, {}, store.save);
    const broadcastId = store.refs['broadcastId'] ?? '';
    assert.match(ingest.pushUrl, /^rtmps:\/\/127\.0\.0\.1:\d+\/app\/[0-9a-f-]+$/);
    assert.ok(ingest.pushUrl.endsWith(`/${ingest.secret}`));
    assert.equal(ingest.watchUrl, `https://www.youtube.com/watch?v=${broadcastId}`);
    assert.deepEqual(Object.keys(store.refs).sort(), ['bound', 'broadcastId', 'plannedStart', 'streamId']);
    assert.equal(fake.broadcastStatus(broadcastId), 'ready');

    assert.deepEqual(await adapter.broadcaster.observe(call, store.refs, false), { receiving: false, onAir: null, viewers: null });
    const early = await refusal(adapter.broadcaster.goOnAir(call, store.refs, store.save));
    assert.deepEqual([early.kind, early.message], ['transient', "YouTube (changing the broadcast's status): YouTube does not receive the stream yet"]);

    const dj = push(ingest.pushUrl);
    await observeUntil('YouTube to receive the stream', call, store.refs, (seen) => seen.receiving);
    await adapter.broadcaster.goOnAir(call, store.refs, store.save);
    const live = await observeUntil('YouTube to say live', call, store.refs, (seen) => seen.onAir === 'live');
    assert.equal(live.viewers, 0);
    fake.setConcurrentViewers(broadcastId, 42);
    assert.deepEqual(await adapter.broadcaster.observe(call, store.refs, true), { receiving: true, onAir: 'live', viewers: 42 });
    assert.equal((await broadcastAtYouTube(accessToken, broadcastId))?.status.privacyStatus, 'public');

    // Going on air again (a poll that raced the confirmation) changes nothing and costs no transition.
    const transitions = fake.calls('liveBroadcasts.transition');
    await adapter.broadcaster.goOnAir(call, store.refs, store.save);
    assert.equal(fake.calls('liveBroadcasts.transition'), transitions);

    const before = await broadcastAtYouTube(accessToken, broadcastId);
    await adapter.broadcaster.updateText(call, store.refs, { title: 'Friday night set, part two' });
    const after = await broadcastAtYouTube(accessToken, broadcastId);
    assert.equal(after?.snippet.title, 'Friday night set, part two');
    assert.equal(after?.snippet.description, 'DJ Fake, live from the club');
    assert.equal(after?.snippet.scheduledStartTime, before?.snippet.scheduledStartTime);

    dj.process.kill('SIGINT');
    await dj.exited;
    await adapter.broadcaster.end(call, store.refs);
    assert.equal(fake.broadcastStatus(broadcastId), 'complete');
    await adapter.broadcaster.end(call, store.refs);
    await observeUntil('YouTube to see the stream stop', call, store.refs, (seen) => !seen.receiving && seen.onAir === 'complete');
    // Every unit YouTube counted was charged to the account's ledger first.
    assert.equal(ledger.usedBy('account-live'), fake.quotaUsed - lookupUnits - fakeUnitsBefore);
  });

  it('Test: private whatever the destination says, testing and never live, then complete', async () => {
    const { accessToken } = await connect();
    const call = context(accessToken, { environment: 'test' satisfies Environment, privacy: 'public' satisfies PlatformPrivacy });
    const store = new RefsStore();
    const ingest = await adapter.broadcaster.prepare(call, {}, store.save);
    const broadcastId = store.refs['broadcastId'] ?? '';
    assert.equal((await broadcastAtYouTube(accessToken, broadcastId))?.status.privacyStatus, 'private');

    const transitions = fake.calls('liveBroadcasts.transition');
    const dj = push(ingest.pushUrl);
    await observeUntil('YouTube to receive the stream', call, store.refs, (seen) => seen.receiving);
    await adapter.broadcaster.goOnAir(call, store.refs, store.save);
    const testing = await observeUntil('YouTube to say testing', call, store.refs, (seen) => seen.onAir === 'testing');
    assert.equal(testing.viewers, null);
    await adapter.broadcaster.goOnAir(call, store.refs, store.save);
    // One transition, to testing; and YouTube allows none from live back to testing, so never live.
    assert.equal(fake.calls('liveBroadcasts.transition'), transitions + 1);
    assert.equal(fake.broadcastStatus(broadcastId), 'testing');
    assert.equal((await broadcastAtYouTube(accessToken, broadcastId))?.status.privacyStatus, 'private');

    dj.process.kill('SIGINT');
    await dj.exited;
    await adapter.broadcaster.end(call, store.refs);
    assert.equal(fake.broadcastStatus(broadcastId), 'complete');
  });

  it('ends a broadcast that never went on air by deleting it, so no empty upcoming broadcast stays', async () => {
    const { accessToken } = await connect();
    const call = context(accessToken, { title: 'Cancelled set' });
    const store = new RefsStore();
    await adapter.broadcaster.prepare(call, {}, store.save);
    const broadcastId = store.refs['broadcastId'] ?? '';
    assert.equal(fake.broadcastStatus(broadcastId), 'ready');
    await adapter.broadcaster.end(call, store.refs);
    assert.equal(fake.broadcastStatus(broadcastId), undefined);
    assert.equal(await upcomingTitled(accessToken, 'Cancelled set'), 0);
  });

  it('resumes after a crash right after the insert was saved: the same broadcast, bound once', async () => {
    const { accessToken } = await connect();
    const call = context(accessToken, { title: 'Crash after save' });
    const [inserts, streams, binds] = calls('liveBroadcasts.insert', 'liveStreams.insert', 'liveBroadcasts.bind');
    let stored: PlatformRefs = {};
    const crashing = (refs: PlatformRefs): Promise<void> => {
      stored = { ...refs };
      return refs['broadcastId'] ? Promise.reject(new Error('the publisher crashed')) : Promise.resolve();
    };
    await assert.rejects(adapter.broadcaster.prepare(call, {}, crashing), /the publisher crashed/);
    assert.ok(stored['broadcastId']);

    const store = new RefsStore();
    const ingest = await adapter.broadcaster.prepare(call, stored, store.save);
    assert.equal(store.refs['broadcastId'], stored['broadcastId']);
    const [insertsAfter, streamsAfter, bindsAfter] = calls('liveBroadcasts.insert', 'liveStreams.insert', 'liveBroadcasts.bind');
    assert.deepEqual([insertsAfter, bindsAfter], [inserts + 1, binds + 1]);
    // The channel's reusable stream, or one new one when it had none free: never one per attempt.
    assert.ok(streamsAfter! - streams! <= 1, `${streamsAfter! - streams!} streams inserted`);
    assert.equal(await upcomingTitled(accessToken, 'Crash after save'), 1);
    assert.ok(ingest.pushUrl.endsWith(ingest.secret));
    await adapter.broadcaster.end(call, store.refs);
  });

  it('resumes after a crash that lost the insert\'s answer: finds the broadcast by its planned start, inserts no second one', async () => {
    const { accessToken } = await connect();
    const call = context(accessToken, { title: 'Crash before save' });
    const inserts = fake.calls('liveBroadcasts.insert');
    let stored: PlatformRefs = {};
    const crashing = (refs: PlatformRefs): Promise<void> => {
      if (refs['broadcastId']) return Promise.reject(new Error('the publisher crashed before saving'));
      stored = { ...refs };
      return Promise.resolve();
    };
    await assert.rejects(adapter.broadcaster.prepare(call, {}, crashing), /crashed before saving/);
    assert.deepEqual(Object.keys(stored), ['plannedStart']);

    const store = new RefsStore();
    await adapter.broadcaster.prepare(call, stored, store.save);
    assert.equal(fake.calls('liveBroadcasts.insert'), inserts + 1);
    assert.equal(await upcomingTitled(accessToken, 'Crash before save'), 1);
    assert.equal(fake.broadcastStatus(store.refs['broadcastId'] ?? ''), 'ready');
    await adapter.broadcaster.end(call, store.refs);
  });

  it('a 503, an HTML page and a 429 during creation fail as retryable, and the retries create one broadcast', async () => {
    const { accessToken } = await connect();
    const call = context(accessToken, { title: 'Flaky creation' });
    const store = new RefsStore();
    fake.failNext('liveBroadcasts.insert', { code: 503, reason: 'backendError', message: 'The service is currently unavailable.' });
    const unavailable = await refusal(adapter.broadcaster.prepare(call, store.refs, store.save));
    assert.deepEqual([unavailable.kind, unavailable.message], ['transient', 'YouTube (creating the broadcast): YouTube had an internal error (HTTP 503 backendError); it may pass']);

    fake.failNext('liveStreams.list', 'html');
    const page = await refusal(adapter.broadcaster.prepare(call, store.refs, store.save));
    assert.equal(page.kind, 'transient');
    assert.match(page.message, /^YouTube \(reading the stream\): HTTP 502 with a page that is not the API's JSON answer/);

    fake.failNext('liveBroadcasts.bind', { code: 429, reason: 'rateLimitExceeded', message: 'Too many requests.', retryAfterSeconds: 2 });
    const limited = await refusal(adapter.broadcaster.prepare(call, store.refs, store.save));
    assert.deepEqual([limited.kind, limited.details.retryAfterMs], ['rate-limited', 2000]);

    const ingest = await adapter.broadcaster.prepare(call, store.refs, store.save);
    assert.ok(ingest.pushUrl.startsWith('rtmps://'));
    assert.equal(await upcomingTitled(accessToken, 'Flaky creation'), 1);
    await adapter.broadcaster.end(call, store.refs);
  });

  it("YouTube's quota exhausted is a quota error with the reason; StreamCaster's own budget stops calls before YouTube", async () => {
    const { accessToken } = await connect();
    fake.resetQuota(49);
    try {
      const exhausted = await refusal(adapter.broadcaster.prepare(context(accessToken, { title: 'No quota' }), {}, new RefsStore().save));
      assert.equal(exhausted.kind, 'quota');
      assert.match(exhausted.message, /^YouTube \(creating the broadcast\): YouTube's daily API quota is exhausted/);
    } finally {
      fake.resetQuota(10_000);
    }
    const stingy = new YouTubeAdapter(
      adapterTestConfig({ YOUTUBE_CLIENT_ID: client.clientId, YOUTUBE_CLIENT_SECRET: client.clientSecret, YOUTUBE_API_URL: fake.apiUrl }),
      new MemoryQuotaLedger(40),
    );
    const inserts = fake.calls('liveBroadcasts.insert');
    const budget = await refusal(stingy.broadcaster.prepare(context(accessToken), {}, new RefsStore().save));
    assert.equal(budget.kind, 'quota');
    assert.equal(fake.calls('liveBroadcasts.insert'), inserts);
  });

  it('a channel without live streaming is refused with what to do', async () => {
    fake.addChannel({ id: 'UCadapterNoLive000000001', title: 'No live yet', liveStreamingEnabled: false });
    try {
      const { accessToken } = await connect();
      const error = await refusal(adapter.broadcaster.prepare(context(accessToken, { accountId: 'account-no-live' }), {}, new RefsStore().save));
      assert.equal(error.kind, 'refused');
      assert.equal(error.message, 'YouTube (creating the broadcast): live streaming is not enabled on this YouTube channel (enable it in YouTube Studio; it takes 24 hours)');
    } finally {
      fake.oauth.consentAs(channel.id);
    }
  });
});
