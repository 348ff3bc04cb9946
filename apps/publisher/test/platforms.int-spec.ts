import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Logger, type INestMicroservice } from '@nestjs/common';
import pg from 'pg';
import {
  CompletePlatformConnect,
  CreateDestination,
  DeleteDestination,
  DeletePlatformAccount,
  GetBroadcast,
  ListBroadcasts,
  ListDestinations,
  ListPlatformAccounts,
  ListPlatformSetups,
  PlatformViewers,
  StartPlatformConnect,
  UpdateBroadcast,
  type BroadcastView,
  type Environment,
  type PlatformAccountView,
} from '@streamcaster/contracts';
import { BusClient, SecretBox, startBusService } from '@streamcaster/service-kit';
import type { SupervisedProcess } from '@streamcaster/supervisor';
import {
  BusObserver,
  createTestEnvironment,
  isBusError,
  LifecyclePublisher,
  publishAsDj,
  RtmpServer,
  waitFor,
  YouTubeFake,
  type DjStream,
  type TestEnvironment,
} from '@streamcaster/testing';
import { PublisherModule } from '../src/app.module.js';
import { loadPublisherConfig, type PublisherConfig } from '../src/config/publisher.config.js';
import { TokenRefresher } from '../src/platform-accounts/token-refresher.service.js';
import { DjSessions, startGatewayProcess, type Dj } from './dj-sessions.js';

/**
 * The publisher with YouTube through its API, against the YouTube fake (googleapis and Google's
 * OAuth unchanged, a real nginx-rtmp ingest behind stunnel) and a real nginx-rtmp for the program:
 * accounts connected by the whole OAuth flow, a DJ's set created, pushed, confirmed and put on air,
 * its title edited, its viewers counted, its end; the failures in between. The other platforms run
 * the same publisher code; they are driven together in tests/e2e/platforms.e2e-spec.ts.
 */

const USER = randomUUID();
const CLIENT = { clientId: 'streamcaster-platforms.apps.fake', clientSecret: 'platforms-secret' };
const LIVE_CHANNEL = { id: 'UCplatformsLive000000001', title: 'Club Live Channel' };
const TEST_CHANNEL = { id: 'UCplatformsTest000000001', title: 'Club Rehearsal Channel' };
const GRACE_MS = 2_000;

let env: TestEnvironment;
let youtube: YouTubeFake;
let rtmp: RtmpServer;
let config: PublisherConfig;
let app: INestMicroservice;
let gateway: SupervisedProcess;
let bus: BusClient;
let observer: BusObserver;
let gatewayEvents: LifecyclePublisher;
let database: pg.Client;
let djs: DjSessions;
const programs: DjStream[] = [];
const accounts: Partial<Record<Environment, PlatformAccountView>> = {};

/** The OAuth flow as a browser makes it: Connect, the authorize page, its redirect, the callback. */
async function connect(environment: Environment, channel: { id: string }, options: { deny?: boolean } = {}) {
  youtube.oauth.consentAs(channel.id);
  if (options.deny) youtube.oauth.refuseNextConsent();
  const { authorizeUrl } = await bus.request(StartPlatformConnect, { platform: 'youtube', environment, userId: USER });
  const consent = await fetch(authorizeUrl, { redirect: 'manual' });
  assert.equal(consent.status, 302, 'the authorize page redirects back');
  const back = new URL(consent.headers.get('location') ?? '');
  assert.equal(`${back.origin}${back.pathname}`, `${config.publicUrl}/api/platform-accounts/callback/youtube`);
  const query = Object.fromEntries(back.searchParams);
  const outcome = await bus.request(CompletePlatformConnect, {
    platform: 'youtube',
    state: query['state'],
    code: query['code'],
    error: query['error'],
    errorDescription: query['error_description'],
  });
  return { outcome, authorizeUrl: new URL(authorizeUrl), query };
}

async function platformDestination(environment: Environment, name: string, privacy?: 'public' | 'unlisted' | 'private') {
  const account = accounts[environment];
  assert.ok(account, `no ${environment} account`);
  return bus.request(CreateDestination, { environment, platform: 'youtube', name, accountId: account.id, ...(privacy ? { privacy } : {}) });
}

function destinationOf(broadcastId: string, predicate: (destination: BroadcastView['destinations'][number]) => boolean, what: string, timeoutMs = 30_000) {
  return waitFor(
    what,
    async () => {
      const view = await bus.request(GetBroadcast, { id: broadcastId });
      const destination = view.destinations.find((candidate) => candidate.platform === 'youtube');
      return destination && predicate(destination) ? destination : undefined;
    },
    timeoutMs,
  );
}

async function broadcastOf(dj: Dj): Promise<BroadcastView> {
  return waitFor(`the broadcast of ${dj.name}`, async () => (await bus.request(ListBroadcasts, {})).find((broadcast) => broadcast.djName === dj.name));
}

/** The transcoder's part: a program stream for the broadcast, which the relays read. */
function publishProgram(broadcastId: string): DjStream {
  const program = publishAsDj(`${rtmp.url}/program/${broadcastId}`, 300, { size: '640x360', fps: 25 });
  programs.push(program);
  return program;
}

async function stopPrograms(): Promise<void> {
  for (const program of programs.splice(0)) {
    program.process.kill('SIGTERM');
    await program.exited;
  }
}

before(async () => {
  Logger.overrideLogger(['error']);
  env = await createTestEnvironment('platforms');
  rtmp = await RtmpServer.start(join(env.dataDir, 'program-rtmp'));
  const publicUrl = 'http://127.0.0.1:9';
  youtube = await YouTubeFake.start({
    directory: join(env.dataDir, 'youtube'),
    client: { ...CLIENT, redirectUris: [`${publicUrl}/api/platform-accounts/callback/youtube`] },
  });
  youtube.addChannel(LIVE_CHANNEL);
  youtube.addChannel(TEST_CHANNEL);
  config = loadPublisherConfig({
    ...env.env,
    RTMP_INTERNAL_URL: rtmp.url,
    BROADCAST_GRACE_PERIOD_MS: String(GRACE_MS),
    RELAY_BACKOFF_INITIAL_MS: '300',
    RELAY_BACKOFF_MAX_MS: '1000',
    PUBLIC_URL: publicUrl,
    YOUTUBE_CLIENT_ID: CLIENT.clientId,
    YOUTUBE_CLIENT_SECRET: CLIENT.clientSecret,
    YOUTUBE_API_URL: youtube.apiUrl,
    GOOGLE_AUTH_URL: youtube.authUrl,
    GOOGLE_TOKEN_URL: youtube.tokenUrl,
    GOOGLE_REVOKE_URL: youtube.revokeUrl,
    PLATFORM_CONFIRM_POLL_MS: '300',
    PLATFORM_VIEWERS_POLL_MS: '1000',
    PLATFORM_RETRY_MAX_MS: '1000',
  });
  gateway = await startGatewayProcess(env);
  app = await startBusService('publisher', PublisherModule.forRoot(config), config);
  bus = new BusClient('test', env.subjectPrefix, env.natsUrl);
  await bus.connect();
  observer = await BusObserver.connect(env.natsUrl, env.subjectPrefix);
  await observer.observe(PlatformViewers);
  gatewayEvents = await LifecyclePublisher.connect(env.natsUrl, env.subjectPrefix, 'gateway');
  database = new pg.Client({ connectionString: env.databaseUrl });
  await database.connect();
  djs = new DjSessions(database, gatewayEvents);
});

after(async () => {
  await stopPrograms();
  await app?.close();
  await gateway?.stop();
  await Promise.all([bus?.close(), observer?.close(), gatewayEvents?.close(), database?.end()]);
  await youtube?.stop();
  await rtmp?.stop();
  await env?.dispose();
});

describe('platform accounts', () => {
  it('says which platforms are configured and what the others need', async () => {
    const setups = await bus.request(ListPlatformSetups, {});
    const byPlatform = Object.fromEntries(setups.map((setup) => [setup.platform, setup]));
    assert.equal(byPlatform['youtube']?.configured, true);
    assert.equal(byPlatform['youtube']?.redirectUri, 'http://127.0.0.1:9/api/platform-accounts/callback/youtube');
    assert.deepEqual(byPlatform['twitch']?.missing, ['TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET']);
    assert.match(byPlatform['kick']?.noTestReason ?? '', /Kick has no private or test mode/);
    await assert.rejects(
      bus.request(StartPlatformConnect, { platform: 'twitch', environment: 'live', userId: USER }),
      isBusError('invalid', '^Twitch is not configured: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET \\(see .env.example\\)$'),
    );
    await assert.rejects(bus.request(StartPlatformConnect, { platform: 'kick', environment: 'test', userId: USER }), isBusError('invalid', 'Kick has no private or test mode'));
  });

  it('connects a channel through the whole OAuth flow with PKCE; the account shows who it is, never a token', async () => {
    const { outcome, authorizeUrl } = await connect('live', LIVE_CHANNEL);
    assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authorizeUrl.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(outcome.outcome, 'connected', outcome.message);
    assert.equal(outcome.environment, 'live');
    const [account] = await bus.request(ListPlatformAccounts, { environment: 'live' });
    assert.ok(account);
    assert.deepEqual(
      { externalId: account.externalId, displayName: account.displayName, channelUrl: account.channelUrl, status: account.status, connectedBy: account.connectedBy },
      { externalId: LIVE_CHANNEL.id, displayName: LIVE_CHANNEL.title, channelUrl: `https://www.youtube.com/channel/${LIVE_CHANNEL.id}`, status: 'connected', connectedBy: USER },
    );
    assert.ok(account.quota && account.quota.dailyBudget === 10_000);
    accounts.live = account;
    const stored = await database.query<{ access_token_sealed: string; refresh_token_sealed: string }>(
      `SELECT access_token_sealed, refresh_token_sealed FROM publisher.platform_accounts WHERE id = $1`,
      [account.id],
    );
    assert.match(stored.rows[0]!.access_token_sealed, /^v1:/, 'the access token is sealed');
    assert.match(stored.rows[0]!.refresh_token_sealed, /^v1:/, 'the refresh token is sealed');
    assert.ok(!JSON.stringify(account).includes('ya29'), 'no token in the view');
    // Connecting the same channel again updates the account instead of adding one.
    assert.equal((await connect('live', LIVE_CHANNEL)).outcome.accountId, account.id);
    assert.equal((await bus.request(ListPlatformAccounts, { environment: 'live' })).length, 1);
    const test = await connect('test', TEST_CHANNEL);
    assert.equal(test.outcome.outcome, 'connected');
    accounts.test = (await bus.request(ListPlatformAccounts, { environment: 'test' }))[0];
  });

  it('refuses a forged, a reused and an expired state, and a denied consent, storing nothing', async () => {
    const before = (await bus.request(ListPlatformAccounts, {})).length;
    const forged = await bus.request(CompletePlatformConnect, { platform: 'youtube', state: 'AAAAAAAAAAAAAAAAAAAAAA.forged', code: 'whatever' });
    assert.equal(forged.outcome, 'invalid-state');
    assert.match(forged.message, /not started here or was altered/);

    youtube.oauth.consentAs(LIVE_CHANNEL.id);
    const { authorizeUrl } = await bus.request(StartPlatformConnect, { platform: 'youtube', environment: 'live', userId: USER });
    const back = new URL((await fetch(authorizeUrl, { redirect: 'manual' })).headers.get('location') ?? '');
    const callback = { platform: 'youtube' as const, state: back.searchParams.get('state') ?? '', code: back.searchParams.get('code') ?? '' };
    assert.equal((await bus.request(CompletePlatformConnect, callback)).outcome, 'connected');
    const reused = await bus.request(CompletePlatformConnect, callback);
    assert.deepEqual([reused.outcome, reused.accountId], ['invalid-state', null]);
    assert.match(reused.message, /already used/);

    const late = await bus.request(StartPlatformConnect, { platform: 'youtube', environment: 'live', userId: USER });
    const lateBack = new URL((await fetch(late.authorizeUrl, { redirect: 'manual' })).headers.get('location') ?? '');
    await database.query(`UPDATE publisher.oauth_attempts SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
    const expired = await bus.request(CompletePlatformConnect, { platform: 'youtube', state: lateBack.searchParams.get('state') ?? '', code: lateBack.searchParams.get('code') ?? '' });
    assert.equal(expired.outcome, 'invalid-state');
    assert.match(expired.message, /longer than 10 minutes/);

    const denied = await connect('live', LIVE_CHANNEL, { deny: true });
    assert.equal(denied.query['error'], 'access_denied');
    assert.deepEqual([denied.outcome.outcome, denied.outcome.accountId], ['denied', null]);
    assert.match(denied.outcome.message, /You did not allow StreamCaster to use your YouTube account/);
    assert.equal((await bus.request(ListPlatformAccounts, {})).length, before);
  });

  it('creates a YouTube destination only from a YouTube account of its own environment', async () => {
    await assert.rejects(
      bus.request(CreateDestination, { environment: 'test', platform: 'youtube', name: 'Wrong env', accountId: accounts.live!.id }),
      isBusError('invalid', 'is connected for live; a test destination needs an account connected for test'),
    );
    await assert.rejects(
      bus.request(CreateDestination, { environment: 'live', platform: 'youtube', name: 'Nobody', accountId: randomUUID() }),
      isBusError('invalid', 'no connected platform account'),
    );
  });
});

describe('a DJ set on YouTube', () => {
  let dj: Dj;
  let ingestId: string;
  let broadcast: BroadcastView;
  let youtubeId: string;

  it('creates the broadcast on YouTube with the rendered title, binds the stream, and goes live once YouTube receives', async () => {
    const destination = await platformDestination('live', 'YouTube main', 'public');
    assert.deepEqual([destination.url, destination.accountId, destination.privacy], [null, accounts.live!.id, 'public']);
    dj = await djs.newDj('DJ Platform');
    ingestId = await djs.starts(dj, 'live');
    broadcast = await broadcastOf(dj);
    const ready = await destinationOf(broadcast.id, (candidate) => candidate.platformState === 'ready', 'YouTube to hand out its ingest');
    assert.equal(ready.confirmed, false, 'not green before anything is sent');
    youtubeId = new URL(ready.watchUrl ?? '').searchParams.get('v') ?? '';
    const created = youtube.broadcast(youtubeId);
    assert.ok(created, 'the broadcast exists on YouTube');
    assert.deepEqual([created.snippet.title, created.status.privacyStatus, created.status.lifeCycleStatus], [broadcast.title, 'public', 'ready']);
    assert.ok(created.contentDetails.boundStreamId, 'bound to a stream');

    publishProgram(broadcast.id);
    const live = await destinationOf(broadcast.id, (candidate) => candidate.platformState === 'live', 'YouTube to confirm it is live');
    assert.equal(live.state, 'live');
    assert.equal(live.confirmed, true);
    assert.equal(youtube.broadcastStatus(youtubeId), 'live');
    assert.equal(live.watchUrl, `https://www.youtube.com/watch?v=${youtubeId}`);
  });

  it('edits the title on YouTube with the whole snippet, and says so', async () => {
    const before = youtube.broadcast(youtubeId)!;
    const result = await bus.request(UpdateBroadcast, { id: broadcast.id, patch: { title: 'Edited once, everywhere' } });
    assert.deepEqual(
      result.platformUpdates.map((update) => [update.platform, update.outcome]),
      [['youtube', 'updated']],
    );
    const after = youtube.broadcast(youtubeId)!;
    assert.equal(after.snippet.title, 'Edited once, everywhere');
    assert.equal(after.snippet.description, before.snippet.description, 'the description stays');
    assert.equal(after.snippet.scheduledStartTime, before.snippet.scheduledStartTime, 'the planned start stays');
  });

  it('counts the viewers YouTube reports, on the destination and for the stats service', async () => {
    youtube.setConcurrentViewers(youtubeId, 37);
    await destinationOf(broadcast.id, (candidate) => candidate.viewers === 37, 'the viewers to reach the destination');
    await waitFor('a viewers event', () => observer.messages(PlatformViewers).find((message) => message.payload.viewers === 37 && message.payload.broadcastId === broadcast.id));
  });

  it('renews an expired access token by itself and goes on', async () => {
    const sealedBefore = (await database.query<{ access_token_sealed: string }>(`SELECT access_token_sealed FROM publisher.platform_accounts WHERE id = $1`, [accounts.live!.id])).rows[0]!
      .access_token_sealed;
    youtube.oauth.expireAccessTokens();
    youtube.setConcurrentViewers(youtubeId, 41);
    await destinationOf(broadcast.id, (candidate) => candidate.viewers === 41 && candidate.platformState === 'live', 'a poll with a renewed token');
    const sealedAfter = (await database.query<{ access_token_sealed: string }>(`SELECT access_token_sealed FROM publisher.platform_accounts WHERE id = $1`, [accounts.live!.id])).rows[0]!
      .access_token_sealed;
    assert.notEqual(sealedAfter, sealedBefore, 'a new access token was stored');
    assert.equal((await bus.request(ListPlatformAccounts, { environment: 'live' }))[0]?.status, 'connected');
  });

  it('ends the broadcast on YouTube when the DJ is gone for good', async () => {
    await djs.stops(dj, 'live', ingestId);
    await stopPrograms();
    await waitFor('the broadcast to end', async () => ((await bus.request(GetBroadcast, { id: broadcast.id })).state === 'ended' ? true : undefined), GRACE_MS + 15_000);
    await destinationOf(broadcast.id, (candidate) => candidate.platformState === 'complete', 'YouTube to be complete');
    assert.equal(youtube.broadcastStatus(youtubeId), 'complete');
    const finished = await database.query<{ platform_finished: boolean }>(`SELECT platform_finished FROM publisher.broadcast_destinations WHERE broadcast_id = $1`, [broadcast.id]);
    assert.deepEqual(finished.rows.map((row) => row.platform_finished), [true]);
  });
});

describe('a rehearsal on YouTube (Test)', () => {
  it('keeps the broadcast private and only ever testing, never live', async () => {
    await platformDestination('test', 'YouTube rehearsal');
    const dj = await djs.newDj('DJ Rehearsal');
    const ingestId = await djs.starts(dj, 'test');
    const broadcast = await broadcastOf(dj);
    publishProgram(broadcast.id);
    const testing = await destinationOf(broadcast.id, (candidate) => candidate.platformState === 'testing', 'YouTube to be testing');
    assert.equal(testing.confirmed, true);
    const youtubeId = new URL(testing.watchUrl ?? '').searchParams.get('v') ?? '';
    const record = youtube.broadcast(youtubeId)!;
    assert.deepEqual([record.status.privacyStatus, record.status.lifeCycleStatus, record.contentDetails.monitorStream.enableMonitorStream], ['private', 'testing', true]);
    // Watched for a while: the rehearsal never goes public or live.
    for (let look = 0; look < 5; look += 1) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(youtube.broadcastStatus(youtubeId), 'testing');
    }
    await djs.stops(dj, 'test', ingestId);
    await stopPrograms();
    await destinationOf(broadcast.id, (candidate) => candidate.platformState === 'complete', 'the rehearsal to be complete', GRACE_MS + 30_000);
    assert.equal(youtube.broadcastStatus(youtubeId), 'complete');
  });
});

describe('YouTube failing', () => {
  /** A live set with the live destination(s); answers the broadcast and a way to end it. */
  async function liveSet(name: string): Promise<{ broadcast: BroadcastView; end: () => Promise<void> }> {
    const dj = await djs.newDj(name);
    const ingestId = await djs.starts(dj, 'live');
    const broadcast = await broadcastOf(dj);
    return {
      broadcast,
      end: async () => {
        await djs.stops(dj, 'live', ingestId);
        await stopPrograms();
        await waitFor('the set to end', async () => ((await bus.request(GetBroadcast, { id: broadcast.id })).state === 'ended' ? true : undefined), GRACE_MS + 15_000);
      },
    };
  }

  it('retries a 503 and an HTML page during creation, and creates the broadcast once', async () => {
    const before = youtube.broadcastsOf(LIVE_CHANNEL.id).length;
    youtube.failNext('liveBroadcasts.insert', { code: 503, reason: 'backendError', message: 'The service is currently unavailable.' });
    youtube.failNext('liveBroadcasts.bind', 'html');
    const set = await liveSet('DJ Flaky');
    const retrying = await destinationOf(set.broadcast.id, (candidate) => (candidate.platformReason ?? '').includes('trying again'), 'a retry to show');
    assert.equal(retrying.platformState, 'creating', 'a retry is not an error');
    await destinationOf(set.broadcast.id, (candidate) => candidate.platformState === 'ready', 'YouTube to be ready after the retries');
    assert.equal(youtube.broadcastsOf(LIVE_CHANNEL.id).length, before + 1, 'one broadcast, however many attempts');
    await set.end();
  });

  it('resumes a destination whose publisher stopped between the insert and the bind: the same broadcast, bound, not duplicated', async () => {
    // The publisher stops while YouTube has not answered the bind (a crash, a deploy). Two failures
    // queued: a retry that comes before the stop fails too.
    for (let failure = 0; failure < 2; failure += 1) {
      youtube.failNext('liveBroadcasts.bind', { code: 503, reason: 'backendError', message: 'The service is currently unavailable.' });
    }
    const set = await liveSet('DJ Interrupted');
    await destinationOf(set.broadcast.id, (candidate) => (candidate.platformReason ?? '').includes('trying again'), 'the bind to have failed once');
    await app.close();
    const refs = await database.query<{ platform_refs: Record<string, string> }>(`SELECT platform_refs FROM publisher.broadcast_destinations WHERE broadcast_id = $1`, [set.broadcast.id]);
    const inserted = refs.rows[0]!.platform_refs['broadcastId'];
    assert.ok(inserted, 'the insert was saved before the crash');
    assert.equal(refs.rows[0]!.platform_refs['bound'], undefined, 'not bound yet');
    const inserts = youtube.calls('liveBroadcasts.insert');
    app = await startBusService('publisher', PublisherModule.forRoot(config), config);
    const ready = await destinationOf(set.broadcast.id, (candidate) => candidate.platformState === 'ready', 'the restarted publisher to finish the creation');
    assert.equal(new URL(ready.watchUrl ?? '').searchParams.get('v'), inserted, 'the broadcast inserted before the crash');
    assert.equal(youtube.calls('liveBroadcasts.insert'), inserts, 'no second insert');
    assert.ok(youtube.broadcast(inserted)?.contentDetails.boundStreamId, 'bound now');
    await set.end();
  });

  it('shows a revoked sign-in as needs-reconnect on the account and an error on the destination, with the reason', async () => {
    const set = await liveSet('DJ Revoked');
    await destinationOf(set.broadcast.id, (candidate) => candidate.platformState === 'ready', 'YouTube to be ready');
    youtube.oauth.revokeRefreshTokens({ subject: LIVE_CHANNEL.id });
    youtube.oauth.expireAccessTokens();
    publishProgram(set.broadcast.id);
    const failed = await destinationOf(set.broadcast.id, (candidate) => candidate.platformState === 'error', 'the destination to show the revoked sign-in');
    assert.match(failed.platformReason ?? '', /needs to be reconnected: .*Token has been expired or revoked/);
    const [account] = await bus.request(ListPlatformAccounts, { environment: 'live' });
    assert.equal(account?.status, 'needs-reconnect');
    assert.match(account?.statusReason ?? '', /Token has been expired or revoked/);
    await set.end();
    // Reconnected: the account is usable again.
    assert.equal((await connect('live', LIVE_CHANNEL)).outcome.outcome, 'connected');
    assert.equal((await bus.request(ListPlatformAccounts, { environment: 'live' }))[0]?.status, 'connected');
  });

  it("puts YouTube's exhausted quota on the destination in words, and calls YouTube no more for it", async () => {
    youtube.resetQuota(0);
    try {
      const set = await liveSet('DJ No Quota');
      const failed = await destinationOf(set.broadcast.id, (candidate) => candidate.platformState === 'error', 'the quota error');
      assert.match(failed.platformReason ?? '', /YouTube's daily API quota is exhausted/);
      const inserts = youtube.calls('liveBroadcasts.insert');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.equal(youtube.calls('liveBroadcasts.insert'), inserts, 'parked, not retried every second');
      await set.end();
    } finally {
      youtube.resetQuota(10_000);
    }
  });
});

describe('accounts over time', () => {
  it('renews a token before it runs out, without waiting for a refusal (the refresher leader)', async () => {
    const accountId = accounts.live!.id;
    await database.query(`UPDATE publisher.platform_accounts SET access_token_expires_at = now() + interval '1 minute' WHERE id = $1`, [accountId]);
    const before = await database.query<{ access_token_sealed: string }>(`SELECT access_token_sealed FROM publisher.platform_accounts WHERE id = $1`, [accountId]);
    await app.get(TokenRefresher).runOnce();
    const after = await database.query<{ access_token_sealed: string; access_token_expires_at: Date }>(
      `SELECT access_token_sealed, access_token_expires_at FROM publisher.platform_accounts WHERE id = $1`,
      [accountId],
    );
    assert.notEqual(after.rows[0]!.access_token_sealed, before.rows[0]!.access_token_sealed, 'a new token');
    assert.ok(after.rows[0]!.access_token_expires_at.getTime() > Date.now() + 30 * 60_000, 'valid for the platform\'s whole lifetime again');
  });

  it('deletes an account only once no destination uses it, revoking it at YouTube first', async () => {
    const accountId = accounts.test!.id;
    await assert.rejects(bus.request(DeletePlatformAccount, { id: accountId }), isBusError('conflict', 'is used by destination\\(s\\) YouTube rehearsal'));
    for (const destination of await bus.request(ListDestinations, { environment: 'test' })) await bus.request(DeleteDestination, { id: destination.id });
    const sealed = await database.query<{ refresh_token_sealed: string }>(`SELECT refresh_token_sealed FROM publisher.platform_accounts WHERE id = $1`, [accountId]);
    const refreshToken = new SecretBox(config.secretKey).open(sealed.rows[0]!.refresh_token_sealed);
    const deleted = await bus.request(DeletePlatformAccount, { id: accountId });
    assert.deepEqual([deleted.revoked, deleted.message], [true, 'YouTube account Club Rehearsal Channel was revoked at YouTube and deleted.']);
    assert.deepEqual((await bus.request(ListPlatformAccounts, { environment: 'test' })).length, 0);
    const refused = await fetch(youtube.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }),
    });
    assert.equal(refused.status, 400, 'the revoked refresh token no longer works at Google');
  });
});
