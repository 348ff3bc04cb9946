import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { Queue } from 'bullmq';
import pg from 'pg';
import {
  BROADCAST_QUEUE,
  BroadcastStateChanged,
  CreateDestination,
  DeleteDestination,
  GetBranding,
  GetBroadcast,
  IngestStarted,
  ListBroadcasts,
  ListDestinations,
  ProgramInputChanged,
  ProgramRequested,
  ProgramStarted,
  RelayStateChanged,
  SetBrandingLogo,
  StopBroadcast,
  UpdateBranding,
  UpdateDestination,
  type BroadcastView,
  type Environment,
} from '@streamcaster/contracts';
import { BusClient, SecretBox, startBusService } from '@streamcaster/service-kit';
import { type SupervisedProcess } from '@streamcaster/supervisor';
import { BusObserver, createTestEnvironment, freePort, isBusError, LifecyclePublisher, rawCommand, type TestEnvironment, waitFor, runServiceUntilExit } from '@streamcaster/testing';
import { PublisherModule } from '../src/app.module.js';
import { loadPublisherConfig, type PublisherConfig } from '../src/config/publisher.config.js';
import { ReconcilerService } from '../src/reconciler/reconciler.service.js';
import { DjSessions, startGatewayProcess, type Dj } from './dj-sessions.js';

interface ActiveHandle {
  constructor: { name: string };
  remotePort?: number;
  unref?: () => void;
}

/** TCP connections to `port` this process still holds (Node has no public API that names the peer). */
function openSocketsTo(port: number): ActiveHandle[] {
  const handles = (process as unknown as { _getActiveHandles(): ActiveHandle[] })._getActiveHandles();
  return handles.filter((handle) => handle.constructor.name === 'Socket' && handle.remotePort === port);
}

const redisPort = () => Number(new URL(env.redisUrl).port || 6379);

const GRACE_PERIOD_MS = 2_000;
/** The reconciler runs every 5 s and leaves mismatches younger than 5 s alone: two passes and a margin. */
const RECONCILER_ACTS_WITHIN_MS = 15_000;

let env: TestEnvironment;
let publisherConfig: PublisherConfig;
let app: INestMicroservice;
/** The real gateway, compiled, as a process: the owner of the DJs' sessions, which the reconciler asks about. */
let gateway: SupervisedProcess;
let bus: BusClient;
let observer: BusObserver;
/** Plays the gateway's outbox: ingest and program events reach the publisher's durable consumer. */
let gatewayEvents: LifecyclePublisher;
let database: pg.Client;
let broadcastQueue: Queue;

/** The end job of one interruption of a DJ connection (its id also carries when the interruption began). */
async function endJobOf(broadcastId: string, ingestId: string) {
  const jobs = await broadcastQueue.getJobs(['delayed', 'waiting', 'active', 'completed', 'failed']);
  return jobs.find((job) => job.id?.startsWith(`end-${broadcastId}-${ingestId}-`));
}
let appClosed = false;

let djs: DjSessions;
const newDj = (name: string) => djs.newDj(name);
const openSession = (dj: Dj, environment: Environment, startedAt?: string) => djs.openSession(dj, environment, startedAt);
const closeSession = (ingestId: string) => djs.closeSession(ingestId);
const djStartsPublishing = (dj: Dj, environment: Environment, options?: { startedAt?: string; correlationId?: string }) => djs.starts(dj, environment, options);
const djStopsPublishing = (dj: Dj, environment: Environment, ingestId: string) => djs.stops(dj, environment, ingestId);

async function broadcastsOf(dj: Dj): Promise<BroadcastView[]> {
  return (await bus.request(ListBroadcasts, {})).filter((broadcast) => broadcast.djName === dj.name);
}

function broadcastOf(dj: Dj, timeoutMs?: number): Promise<BroadcastView> {
  return waitFor(`the broadcast of ${dj.name}`, async () => (await broadcastsOf(dj))[0], timeoutMs);
}

function stateOf(id: string, state: BroadcastView['state'], timeoutMs = 10_000): Promise<BroadcastView> {
  return waitFor(
    `broadcast ${id} to be ${state}`,
    async () => {
      const broadcast = await bus.request(GetBroadcast, { id });
      return broadcast.state === state ? broadcast : undefined;
    },
    timeoutMs,
  );
}

/**
 * The state changes published for a broadcast, as `from->to`, each event once (by id), from the
 * lifecycle stream itself: the durable record, which a core subscription may miss one of.
 */
async function transitionsOf(broadcastId: string): Promise<string[]> {
  const seen = new Set<string>();
  return (await gatewayEvents.stored(BroadcastStateChanged))
    .filter((message) => message.payload.broadcastId === broadcastId && !seen.has(message.id) && seen.add(message.id))
    .map((message) => `${message.payload.previousState}->${message.payload.state}`);
}

/** A DJ whose broadcast went live, then dropped: the broadcast is interrupted, its grace period running. */
async function liveThenAway(name: string): Promise<{ dj: Dj; id: string; firstIngest: string }> {
  const dj = await newDj(name);
  const firstIngest = await djStartsPublishing(dj, 'live');
  const { id } = await broadcastOf(dj);
  await gatewayEvents.publish(ProgramStarted, { broadcastId: id });
  await stateOf(id, 'live');
  await djStopsPublishing(dj, 'live', firstIngest);
  await stateOf(id, 'interrupted');
  return { dj, id, firstIngest };
}

function programRequestsOf(broadcastId: string) {
  const seen = new Set<string>();
  return observer.messages(ProgramRequested).filter((message) => message.payload.broadcastId === broadcastId && !seen.has(message.id) && seen.add(message.id));
}

async function relayLeasesOf(broadcastId: string): Promise<string[]> {
  const rows = await database.query<{ resource: string }>(`SELECT resource FROM publisher.leases WHERE resource LIKE $1 ORDER BY resource`, [`relay:${broadcastId}:%`]);
  return rows.rows.map((row) => row.resource);
}

async function createDestination(environment: Environment, name: string, streamKey: string, enabled = true) {
  return bus.request(CreateDestination, {
    environment,
    platform: 'rtmp',
    name,
    url: 'rtmp://127.0.0.1:1/app',
    streamKey,
    enabled,
  });
}

function corrections(kind: string): number {
  return app.get(ReconcilerService).corrections.get(kind) ?? 0;
}

/** Runs the compiled publisher as `npm start` would, in this test's environment, until it exits. */
function runPublisherProcess(overrides: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return runServiceUntilExit(fileURLToPath(new URL('../src/main.js', import.meta.url)), { ...env.env, ...overrides }, 30_000);
}

before(async () => {
  // Relays to a closed port warn every second; only errors are worth reading here.
  Logger.overrideLogger(['error']);
  env = await createTestEnvironment('publisher');
  // Nothing listens there: relays fail to read the program and keep retrying, which is all we need.
  const closedPort = await freePort();
  publisherConfig = loadPublisherConfig({
    ...env.env,
    RTMP_INTERNAL_URL: `rtmp://127.0.0.1:${closedPort}`,
    BROADCAST_GRACE_PERIOD_MS: String(GRACE_PERIOD_MS),
    RELAY_BACKOFF_INITIAL_MS: '300',
    RELAY_BACKOFF_MAX_MS: '2000',
  });
  gateway = await startGatewayProcess(env);
  app = await startBusService('publisher', PublisherModule.forRoot(publisherConfig), publisherConfig);
  bus = new BusClient('test', env.subjectPrefix, env.natsUrl);
  await bus.connect();
  observer = await BusObserver.connect(env.natsUrl, env.subjectPrefix);
  await observer.observe(BroadcastStateChanged, RelayStateChanged, ProgramRequested, ProgramInputChanged);
  gatewayEvents = await LifecyclePublisher.connect(env.natsUrl, env.subjectPrefix, 'gateway');
  database = new pg.Client({ connectionString: env.databaseUrl });
  await database.connect();
  djs = new DjSessions(database, gatewayEvents);
  broadcastQueue = new Queue(BROADCAST_QUEUE, { connection: { url: env.redisUrl }, prefix: env.queuePrefix });
});

after(async () => {
  if (!appClosed) await app?.close();
  await gateway?.stop();
  await Promise.all([bus?.close(), observer?.close(), gatewayEvents?.close(), database?.end(), broadcastQueue?.close()]);
  await env?.dispose();
});

describe('publisher destinations', () => {
  it('creates, lists, updates and deletes a destination, never answering with its stream key', async () => {
    const created = await createDestination('test', 'Twitch test', 'live_123456_secretKEY');
    assert.equal(created.environment, 'test');
    assert.equal(created.name, 'Twitch test');
    assert.equal(created.url, 'rtmp://127.0.0.1:1/app');
    assert.equal(created.enabled, true);
    assert.ok(!('streamKey' in created), 'the created view has no streamKey');
    const other = await createDestination('live', 'Live one', 'other-live-key');

    const testList = await bus.request(ListDestinations, { environment: 'test' });
    assert.deepEqual(testList.map((destination) => destination.id), [created.id]);
    const all = await bus.request(ListDestinations, {});
    assert.deepEqual(new Set(all.map((destination) => destination.id)), new Set([created.id, other.id]));
    assert.ok(!JSON.stringify(all).includes('secretKEY') && !JSON.stringify(all).includes('other-live-key'), 'no key in the list');

    const updated = await bus.request(UpdateDestination, { id: created.id, patch: { name: 'Twitch (rehearsal)', enabled: false } });
    assert.equal(updated.name, 'Twitch (rehearsal)');
    assert.equal(updated.enabled, false);
    assert.equal(updated.url, created.url, 'fields not in the patch stay');
    assert.ok(Date.parse(updated.updatedAt) >= Date.parse(created.updatedAt));

    assert.deepEqual(await bus.request(DeleteDestination, { id: other.id }), { id: other.id });
    assert.deepEqual(await bus.request(DeleteDestination, { id: created.id }), { id: created.id });
    assert.deepEqual(await bus.request(ListDestinations, {}), []);
  });

  it('stores the stream key sealed (AES-256-GCM with the configured key), also after a key change', async () => {
    const created = await createDestination('test', 'Sealed', 'plain-key-that-must-not-be-stored');
    const sealedOf = async () =>
      (await database.query<{ stream_key_sealed: string }>('SELECT stream_key_sealed FROM publisher.destinations WHERE id = $1', [created.id]))
        .rows[0]!.stream_key_sealed;

    const sealed = await sealedOf();
    assert.ok(!sealed.includes('plain-key-that-must-not-be-stored'));
    assert.match(sealed, /^v1:/);
    const box = new SecretBox(env.env.STREAMCASTER_SECRET_KEY!);
    assert.equal(box.open(sealed), 'plain-key-that-must-not-be-stored');

    await bus.request(UpdateDestination, { id: created.id, patch: { streamKey: 'the-second-key' } });
    const resealed = await sealedOf();
    assert.notEqual(resealed, sealed);
    assert.ok(!resealed.includes('the-second-key'));
    assert.equal(box.open(resealed), 'the-second-key');
    await bus.request(DeleteDestination, { id: created.id });
  });

  it('answers not_found for a destination that does not exist', async () => {
    const id = randomUUID();
    await assert.rejects(bus.request(UpdateDestination, { id, patch: { name: 'x' } }), isBusError('not_found', `no destination with id ${id}`));
    await assert.rejects(bus.request(DeleteDestination, { id }), isBusError('not_found', `no destination with id ${id}`));
  });

  it('refuses an invalid command itself, whatever the client checked, with code invalid naming the field', async () => {
    const answer = await rawCommand(observer.nats, env.subjectPrefix, CreateDestination.subject, {
      environment: 'live',
      platform: 'rtmp',
      name: 'Bad',
      url: 'http://x',
      streamKey: 'k',
    });
    assert.deepEqual(Object.keys(answer.err as object).sort(), ['code', 'message']);
    const error = answer.err as { code: string; message: string };
    assert.equal(error.code, 'invalid');
    assert.match(error.message, /^url: url must be an rtmp:\/\/ or rtmps:\/\/ URL/);
    assert.deepEqual(await bus.request(ListDestinations, {}), [], 'nothing was stored');
  });
});

describe('publisher branding', () => {
  it('starts with the default branding and applies partial updates and the logo', async () => {
    const initial = await bus.request(GetBranding, {});
    assert.equal(initial.organizationName, 'StreamCaster');
    assert.equal(initial.titleTemplate, '{dj} live at {org}');
    assert.equal(initial.logoPosition, 'top-right');
    assert.equal(initial.logo, null);

    const renamed = await bus.request(UpdateBranding, { organizationName: 'Club Nimbus' });
    assert.equal(renamed.organizationName, 'Club Nimbus');
    assert.equal(renamed.titleTemplate, initial.titleTemplate, 'an absent field is left as it was');

    const logo = { assetName: `${'ab'.repeat(32)}.png`, mimeType: 'image/png' as const, width: 400, height: 200, sizeBytes: 1234 };
    const withLogo = await bus.request(SetBrandingLogo, logo);
    assert.deepEqual(withLogo.logo, logo);
    const reread = await bus.request(GetBranding, {});
    assert.deepEqual(reread.logo, logo);
    assert.equal(reread.organizationName, 'Club Nimbus');

    await assert.rejects(bus.request(UpdateBranding, { titleTemplate: '   ' }), isBusError('invalid', 'titleTemplate must not be empty'));
  });

  it("keeps the automated VJ's settings: every scene, the rainbow and 16 beats at first, then what is saved; a bad setting is refused and changes nothing", async () => {
    const initial = await bus.request(GetBranding, {});
    assert.deepEqual(initial.vj, { scenes: ['spectrum', 'scope', 'histogram'], palette: 'rainbow', phraseBeats: 16 });
    const vj = { scenes: ['histogram' as const, 'scope' as const], palette: 'cool' as const, phraseBeats: 32 as const };
    const saved = await bus.request(UpdateBranding, { vj });
    assert.deepEqual(saved.vj, vj);
    assert.equal(saved.organizationName, initial.organizationName, 'the rest is left as it was');
    await assert.rejects(bus.request(UpdateBranding, { vj: { ...vj, scenes: [] } }), isBusError('invalid', 'at least one VJ scene must be on'));
    await assert.rejects(bus.request(UpdateBranding, { vj: { ...vj, phraseBeats: 12 as 16 } }), isBusError('invalid', 'phraseBeats must be 4, 8, 16, 32 or 64'));
    assert.deepEqual((await bus.request(GetBranding, {})).vj, vj);
  });
});

describe('publisher broadcasts', () => {
  let liveDestination: { id: string; name: string };
  let rehearsalDestination: { id: string; name: string };
  const liveKey = 'rtmp-live-key-SECRET-42';

  before(async () => {
    await bus.request(UpdateBranding, {
      organizationName: 'Club Nimbus',
      titleTemplate: '{dj} @ {org} ({environment})',
      descriptionTemplate: '{dj} on {date} at {time} UTC',
      logoPosition: 'bottom-left',
    });
    await bus.request(SetBrandingLogo, { assetName: `${'cd'.repeat(32)}.png`, mimeType: 'image/png', width: 300, height: 100, sizeBytes: 999 });
    liveDestination = await createDestination('live', 'Main RTMP', liveKey);
    await createDestination('live', 'Switched off', 'disabled-key', false);
    rehearsalDestination = await createDestination('test', 'Rehearsal RTMP', 'test-env-key');
  });

  it('ingest.started creates a starting broadcast with the rendered title, a state event and a program request', async () => {
    const dj = await newDj('DJ Alpha');
    const correlationId = `corr-${randomUUID()}`;
    await djStartsPublishing(dj, 'live', { startedAt: '2025-03-04T21:05:00.000Z', correlationId });
    const broadcast = await broadcastOf(dj);

    assert.equal(broadcast.state, 'starting');
    assert.equal(broadcast.environment, 'live');
    assert.equal(broadcast.title, `${dj.name} @ Club Nimbus (live)`);
    assert.equal(broadcast.description, `${dj.name} on 2025-03-04 at 21:05 UTC`);
    assert.equal(broadcast.startedAt, '2025-03-04T21:05:00.000Z');
    assert.equal(broadcast.endedAt, null);
    // Only the enabled destinations of its own environment.
    assert.deepEqual(broadcast.destinations.map((destination) => destination.name), ['Main RTMP']);

    const event = await observer.waitFor(BroadcastStateChanged, (payload) => payload.broadcastId === broadcast.id);
    assert.deepEqual(event.payload, {
      broadcastId: broadcast.id,
      environment: 'live',
      djName: dj.name,
      title: broadcast.title,
      state: 'starting',
      previousState: null,
    });
    assert.equal(event.producer, 'publisher');
    assert.equal(event.correlationId, correlationId, 'the state event carries the ingest event\'s correlation id');

    const request = await observer.waitFor(ProgramRequested, (payload) => payload.broadcastId === broadcast.id);
    assert.deepEqual(request.payload, {
      broadcastId: broadcast.id,
      environment: 'live',
      input: { app: 'live', streamName: dj.id, protocol: 'rtmp' },
      djName: dj.name,
      logo: { assetName: `${'cd'.repeat(32)}.png`, position: 'bottom-left', width: 300, height: 100 },
      // The branding's default slate message, rendered for the DJ.
      slate: { organizationName: 'Club Nimbus', message: `${dj.name} will be right back` },
      // The branding's VJ settings as the test above saved them.
      vj: { scenes: ['histogram', 'scope'], palette: 'cool', phraseBeats: 32 },
    });
    assert.equal(request.producer, 'publisher');
    assert.equal(request.correlationId, correlationId);
  });

  it('handles an ingest.started once, whether JetStream delivers it again or the same start is reported twice', async () => {
    const dj = await newDj('DJ Echo');
    const ingestId = await openSession(dj, 'live');
    const payload = { ingestId, environment: 'live' as const, djId: dj.id, djName: dj.name, stream: { app: 'live' as const, streamName: dj.id }, startedAt: new Date().toISOString() };
    const first = await gatewayEvents.publish(IngestStarted, payload);
    const broadcast = await broadcastOf(dj);
    // The same event again (an outbox that resent it past JetStream's duplicate window), and the
    // same start in a new event (the reconciler saw the session before the event arrived).
    await gatewayEvents.publishMessage(IngestStarted, first, randomUUID());
    await gatewayEvents.publish(IngestStarted, payload);
    await gatewayEvents.settled('publisher');

    const broadcasts = await broadcastsOf(dj);
    assert.deepEqual(broadcasts.map((candidate) => candidate.id), [broadcast.id]);
    assert.equal(broadcasts[0]!.state, 'starting');
    assert.equal(programRequestsOf(broadcast.id).length, 1, 'one program request');
    assert.deepEqual(await transitionsOf(broadcast.id), ['null->starting']);
  });

  it('keeps Live and Test apart: a test broadcast relays only to test destinations', async () => {
    const dj = await newDj('DJ Rehearsal');
    await djStartsPublishing(dj, 'test');
    const broadcast = await broadcastOf(dj);
    assert.equal(broadcast.environment, 'test');
    assert.equal(broadcast.title, `${dj.name} @ Club Nimbus (test)`);
    assert.deepEqual(broadcast.destinations.map((destination) => destination.name), ['Rehearsal RTMP']);
    const testOnly = await bus.request(ListBroadcasts, { environment: 'test' });
    assert.ok(testOnly.some((candidate) => candidate.id === broadcast.id));
    assert.ok(testOnly.every((candidate) => candidate.environment === 'test'));
    const liveOnly = await bus.request(ListBroadcasts, { environment: 'live' });
    assert.ok(!liveOnly.some((candidate) => candidate.id === broadcast.id));
    await waitFor('the test relay', async () => ((await relayLeasesOf(broadcast.id)).length > 0 ? true : undefined));
    assert.deepEqual(await relayLeasesOf(broadcast.id), [`relay:${broadcast.id}:${rehearsalDestination.id}`]);
  });

  it('fails a destination whose stream key cannot be read, with the reason, while the others get their relays', async () => {
    const broken = await createDestination('test', 'Unreadable key', 'a-key-sealed-with-another-installation');
    await database.query(`UPDATE publisher.destinations SET stream_key_sealed = $2 WHERE id = $1`, [broken.id, `v1:${randomBytes(12).toString('base64')}:${randomBytes(40).toString('base64')}`]);
    try {
      const dj = await newDj('DJ Lost Key');
      await djStartsPublishing(dj, 'test');
      const broadcast = await broadcastOf(dj);
      const byName = new Map(broadcast.destinations.map((destination) => [destination.name, destination]));
      assert.deepEqual([...byName.keys()].sort(), ['Rehearsal RTMP', 'Unreadable key']);
      const failed = byName.get('Unreadable key')!;
      assert.equal(failed.state, 'failed');
      assert.match(failed.lastError ?? '', /^its stream key cannot be read \(.+\): it was sealed with another STREAMCASTER_SECRET_KEY or is damaged; enter the key again$/);

      const working = await waitFor('the readable destination\'s relay to try', async () => {
        const view = await bus.request(GetBroadcast, { id: broadcast.id });
        const destination = view.destinations.find((candidate) => candidate.id === rehearsalDestination.id);
        return destination && destination.state !== 'pending' ? destination : undefined;
      });
      assert.ok(['connecting', 'reconnecting'].includes(working.state), `the readable destination is ${working.state}`);
      assert.deepEqual(await relayLeasesOf(broadcast.id), [`relay:${broadcast.id}:${rehearsalDestination.id}`], 'no relay for the unreadable one');
      const view = await bus.request(GetBroadcast, { id: broadcast.id });
      assert.equal(view.destinations.find((candidate) => candidate.id === broken.id)?.state, 'failed', 'it stays failed');
      assert.ok(!observer.messages(RelayStateChanged).some((message) => message.payload.destinationId === broken.id), 'no relay state for it');
    } finally {
      await bus.request(DeleteDestination, { id: broken.id });
    }
  });

  it('reports a failing relay as reconnecting, in the view and on the bus, without the stream key', async () => {
    const dj = await newDj('DJ Relay');
    await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    const failing = await waitFor('the relay to report a failure', async () => {
      const view = await bus.request(GetBroadcast, { id });
      const destination = view.destinations[0];
      return destination && destination.reconnects >= 1 && destination.lastError ? destination : undefined;
    });
    assert.equal(failing.id, liveDestination.id);
    assert.ok(['reconnecting', 'connecting'].includes(failing.state), `state is ${failing.state}`);
    const event = await observer.waitFor(RelayStateChanged, (payload) => payload.broadcastId === id && payload.state === 'reconnecting');
    assert.equal(event.payload.destinationId, liveDestination.id);
    assert.ok(event.payload.reason, 'a failure says why');
    const everything = JSON.stringify([failing, observer.messages(RelayStateChanged)]);
    assert.ok(!everything.includes(liveKey), 'the destination key appears nowhere');
  });

  it('program.started moves a starting broadcast live', async () => {
    const dj = await newDj('DJ Program');
    await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    await gatewayEvents.publish(ProgramStarted, { broadcastId: id });
    await stateOf(id, 'live');
    const event = await observer.waitFor(BroadcastStateChanged, (payload) => payload.broadcastId === id && payload.state === 'live');
    assert.equal(event.payload.previousState, 'starting');
  });

  it('ingest.stopped interrupts the broadcast with a delayed end job, and it ends by itself after the grace period', async () => {
    const dj = await newDj('DJ Leaving');
    const ingestId = await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    await waitFor('the relay', async () => ((await relayLeasesOf(id)).length > 0 ? true : undefined));
    await djStopsPublishing(dj, 'live', ingestId);

    await stateOf(id, 'interrupted', GRACE_PERIOD_MS);
    const endJob = await waitFor('the end job', () => endJobOf(id, ingestId), GRACE_PERIOD_MS);
    assert.equal(endJob.name, 'end');
    const { interruptedAt, ...data } = endJob.data;
    assert.deepEqual(data, { broadcastId: id, ingestId });
    assert.ok(interruptedAt && endJob.id === `end-${id}-${ingestId}-${new Date(interruptedAt).getTime()}`, `end job ${endJob.id} for the interruption at ${interruptedAt}`);
    assert.equal(endJob.opts.delay, GRACE_PERIOD_MS);
    assert.equal(await endJob.getState(), 'delayed');

    const ended = await stateOf(id, 'ended', GRACE_PERIOD_MS + 10_000);
    assert.ok(ended.endedAt, 'endedAt is set');
    assert.ok(Date.parse(ended.endedAt) >= Date.parse(ended.startedAt) + GRACE_PERIOD_MS - 1_000);
    await observer.waitFor(BroadcastStateChanged, (payload) => payload.broadcastId === id && payload.state === 'ended');
    assert.deepEqual(await transitionsOf(id), ['null->starting', 'starting->interrupted', 'interrupted->ending', 'ending->ended']);
    assert.deepEqual(await relayLeasesOf(id), [], 'the relays were stopped before it was marked ended');
    await waitFor('the relays to be stopped', async () => {
      const view = await bus.request(GetBroadcast, { id });
      return view.destinations.every((destination) => destination.state === 'stopped') ? true : undefined;
    });
  });

  it('a DJ who returns within the grace period keeps the same broadcast, and the late end job does nothing', async () => {
    const { dj, id, firstIngest } = await liveThenAway('DJ Boomerang');
    await djStartsPublishing(dj, 'live');
    await stateOf(id, 'live');

    const endJobId = (await waitFor('the end job', () => endJobOf(id, firstIngest), GRACE_PERIOD_MS)).id!;
    await waitFor('the end job to have run', async () => ((await broadcastQueue.getJobState(endJobId)) === 'completed' ? true : undefined), GRACE_PERIOD_MS + 5_000);
    const after = await bus.request(GetBroadcast, { id });
    assert.equal(after.state, 'live');
    assert.equal(after.endedAt, null);
    assert.deepEqual((await broadcastsOf(dj)).map((broadcast) => broadcast.id), [id], 'no second broadcast');
    assert.equal(programRequestsOf(id).length, 1, 'the same program goes on: the transcoder waits for the DJ by itself');
    assert.deepEqual(await transitionsOf(id), ['null->starting', 'starting->live', 'live->interrupted', 'interrupted->live']);
  });

  it('a DJ who returns through Traktor after OBS (and back) keeps the same broadcast, and the program is told to read that input', async () => {
    const { dj, id } = await liveThenAway('DJ Switch');
    const icecastIngest = await djs.starts(dj, 'live', { through: 'icecast' });
    await stateOf(id, 'live');
    const toIcecast = await observer.waitFor(ProgramInputChanged, (payload) => payload.broadcastId === id);
    assert.deepEqual(toIcecast.payload, { broadcastId: id, input: { app: 'live', streamName: dj.slug, protocol: 'icecast' } });

    // Back through OBS: told again. Then a return through the same input changes nothing.
    await djStopsPublishing(dj, 'live', icecastIngest);
    await stateOf(id, 'interrupted');
    const obsIngest = await djStartsPublishing(dj, 'live');
    await stateOf(id, 'live');
    await observer.waitFor(ProgramInputChanged, (payload) => payload.broadcastId === id && payload.input.protocol === 'rtmp');
    await djStopsPublishing(dj, 'live', obsIngest);
    await stateOf(id, 'interrupted');
    await djStartsPublishing(dj, 'live');
    await stateOf(id, 'live');
    await gatewayEvents.settled('publisher');
    const inputChanges = observer.messages(ProgramInputChanged).filter((message) => message.payload.broadcastId === id);
    assert.deepEqual(
      inputChanges.map((message) => message.payload.input),
      [
        { app: 'live', streamName: dj.slug, protocol: 'icecast' },
        { app: 'live', streamName: dj.id, protocol: 'rtmp' },
      ],
    );
    assert.equal(programRequestsOf(id).length, 1, 'the same program goes on');
    assert.equal((await broadcastsOf(dj)).length, 1, 'no second broadcast');
  });

  it('a DJ who reconnects at once (stop and start back to back) is not cut off after the grace period', async () => {
    const dj = await newDj('DJ Flicker');
    const firstIngest = await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    await gatewayEvents.publish(ProgramStarted, { broadcastId: id });
    await stateOf(id, 'live');
    // The gateway's outbox sends these in this order when OBS reconnects quickly; JetStream keeps it.
    await djStopsPublishing(dj, 'live', firstIngest);
    await djStartsPublishing(dj, 'live');

    // Past the grace period, an end job scheduled by the interruption has run.
    await new Promise((resolve) => setTimeout(resolve, GRACE_PERIOD_MS + 1_500));
    const view = await bus.request(GetBroadcast, { id });
    assert.equal(view.state, 'live', `the DJ is publishing, yet the broadcast is ${view.state}`);
  });

  it('broadcasts.stop ends a broadcast at once; stopping it again is a conflict, an unknown id not_found', async () => {
    const dj = await newDj('DJ Stopped');
    const ingestId = await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    await waitFor('the relay', async () => ((await relayLeasesOf(id)).length > 0 ? true : undefined));
    const stopped = await bus.request(StopBroadcast, { id }, 30_000);
    assert.equal(stopped.state, 'ended');
    assert.ok(stopped.endedAt);
    assert.deepEqual(await relayLeasesOf(id), []);
    await observer.waitFor(BroadcastStateChanged, (payload) => payload.broadcastId === id && payload.state === 'ended');
    assert.deepEqual(await transitionsOf(id), ['null->starting', 'starting->ending', 'ending->ended']);

    await assert.rejects(bus.request(StopBroadcast, { id }), isBusError('conflict', `broadcast ${id} is already ended`));
    const unknown = randomUUID();
    await assert.rejects(bus.request(StopBroadcast, { id: unknown }), isBusError('not_found', `no broadcast with id ${unknown}`));
    await assert.rejects(bus.request(GetBroadcast, { id: unknown }), isBusError('not_found', `no broadcast with id ${unknown}`));

    // The DJ stops and starts again after the end: a new broadcast.
    await djStopsPublishing(dj, 'live', ingestId);
    await djStartsPublishing(dj, 'live');
    const next = await waitFor('a second broadcast', async () => (await broadcastsOf(dj)).find((broadcast) => broadcast.id !== id));
    assert.equal(next.state, 'starting');
  });

  it('published only messages that match their contracts', () => {
    assert.deepEqual(observer.offContract, []);
  });
});

describe('publisher reconciler', () => {
  it('gives a DJ whom the gateway reports publishing, and whose ingest.started was lost, a broadcast', async () => {
    const dj = await newDj('DJ Unannounced');
    const before = corrections('dj-without-broadcast');
    // The session is open since a minute; its event never reached the publisher.
    const ingestId = await openSession(dj, 'live', `now() - interval '1 minute'`);
    const broadcast = await broadcastOf(dj, RECONCILER_ACTS_WITHIN_MS);
    assert.equal(broadcast.state, 'starting');
    assert.equal(broadcast.title, `${dj.name} @ Club Nimbus (live)`);
    assert.deepEqual(broadcast.destinations.map((destination) => destination.name), ['Main RTMP']);
    const row = await database.query<{ current_ingest_id: string }>(`SELECT current_ingest_id FROM publisher.broadcasts WHERE id = $1`, [broadcast.id]);
    assert.equal(row.rows[0]!.current_ingest_id, ingestId);
    await observer.waitFor(ProgramRequested, (payload) => payload.broadcastId === broadcast.id);
    assert.equal(corrections('dj-without-broadcast'), before + 1);
    assert.equal(app.get(ReconcilerService).isLeader, true);
  });

  it('interrupts a broadcast whose DJ\'s session is gone though ingest.stopped was lost, and it ends after the grace period', async () => {
    const dj = await newDj('DJ Vanished');
    const ingestId = await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    const before = corrections('broadcast-without-dj');
    await closeSession(ingestId);
    await stateOf(id, 'interrupted', RECONCILER_ACTS_WITHIN_MS);
    assert.equal(corrections('broadcast-without-dj'), before + 1);
    await stateOf(id, 'ended', GRACE_PERIOD_MS + 10_000);
    const row = await database.query<{ end_reason: string }>(`SELECT end_reason FROM publisher.broadcasts WHERE id = $1`, [id]);
    assert.equal(row.rows[0]!.end_reason, 'the DJ did not come back within the grace period');
  });

  it('ends an interrupted broadcast past its grace period whose end job was lost', async () => {
    const dj = await newDj('DJ Jobless');
    const ingestId = await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    const before = corrections('grace-over');
    await djStopsPublishing(dj, 'live', ingestId);
    await stateOf(id, 'interrupted', GRACE_PERIOD_MS);
    const jobId = (await waitFor('the end job', () => endJobOf(id, ingestId), GRACE_PERIOD_MS)).id!;
    assert.equal(await broadcastQueue.remove(jobId), 1, 'the end job is lost (removed while it waits)');

    const ended = await stateOf(id, 'ended', GRACE_PERIOD_MS + RECONCILER_ACTS_WITHIN_MS);
    assert.ok(ended.endedAt);
    assert.equal(corrections('grace-over'), before + 1);
    const row = await database.query<{ end_reason: string }>(`SELECT end_reason FROM publisher.broadcasts WHERE id = $1`, [id]);
    assert.equal(row.rows[0]!.end_reason, 'the DJ did not come back within the grace period');
  });

  it('leaves a broadcast stopped from the dashboard ended while its DJ is still connected', async () => {
    const dj = await newDj('DJ Stopped Early');
    await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    await bus.request(StopBroadcast, { id }, 30_000);
    const before = corrections('dj-without-broadcast');
    // Two reconciler passes past the settling time: the DJ's session is still open.
    await new Promise((resolve) => setTimeout(resolve, RECONCILER_ACTS_WITHIN_MS));
    assert.deepEqual((await broadcastsOf(dj)).map((broadcast) => [broadcast.id, broadcast.state]), [[id, 'ended']], 'the stop is not undone');
    assert.equal(corrections('dj-without-broadcast'), before);
  });
});

describe('publisher secret key', () => {
  it('refuses to start with another STREAMCASTER_SECRET_KEY than the one its database was set up with, and says what to restore', async () => {
    const run = await runPublisherProcess({ STREAMCASTER_SECRET_KEY: randomBytes(32).toString('base64'), RTMP_INTERNAL_URL: `rtmp://127.0.0.1:${await freePort()}` });
    assert.equal(run.code, 78, `exit code; output:\n${run.output}`);
    assert.match(run.output, /publisher: invalid configuration\n {2}- STREAMCASTER_SECRET_KEY is not the key this database was set up with on /);
    assert.match(run.output, /Restore that key: the secretKey of var\/secrets\.json from that installation, or the STREAMCASTER_SECRET_KEY it was started with/);
    assert.ok(!run.output.includes('publisher is ready'), 'it never said it was ready');
    // The sealed keys still open with the right key: nothing was changed by the refused start.
    const [destination] = await bus.request(ListDestinations, { environment: 'live' });
    const sealed = await database.query<{ stream_key_sealed: string }>('SELECT stream_key_sealed FROM publisher.destinations WHERE id = $1', [destination!.id]);
    assert.equal(new SecretBox(env.env.STREAMCASTER_SECRET_KEY!).open(sealed.rows[0]!.stream_key_sealed), 'rtmp-live-key-SECRET-42');
  });
});

describe('publisher shutdown', () => {
  it('closes every Redis connection it opened when the app closes', async () => {
    await broadcastQueue.close();
    await app.close();
    appClosed = true;
    // A quit connection takes a moment to be gone from the handle list; a leaked one stays.
    const gone = await waitFor('the Redis connections to close', () => (openSocketsTo(redisPort()).length === 0 ? true : undefined), 3_000).catch(() => false);
    const left = openSocketsTo(redisPort()).length;
    assert.ok(gone, `${left} Redis connection(s) of the publisher's queues and worker are still open after app.close()`);
  });
});

describe('publisher start', () => {
  it('finishes a broadcast that a crashed publisher left ending, so that its DJ can go live again', async () => {
    const djId = randomUUID();
    const inserted = await database.query<{ id: string }>(
      `INSERT INTO publisher.broadcasts (environment, dj_id, dj_name, title, description, state, input_app, input_stream, started_at)
       VALUES ('live', $1::uuid, 'DJ Crash', 'DJ Crash live', '', 'ending', 'live', $1::text, now()) RETURNING id`,
      [djId],
    );
    const restarted = await startBusService('publisher', PublisherModule.forRoot(publisherConfig), publisherConfig);
    try {
      const row = await database.query<{ state: string; ended_at: Date | null }>(`SELECT state, ended_at FROM publisher.broadcasts WHERE id = $1`, [inserted.rows[0]!.id]);
      assert.equal(row.rows[0]!.state, 'ended');
      assert.ok(row.rows[0]!.ended_at);
    } finally {
      await restarted.close();
    }
  });
});
