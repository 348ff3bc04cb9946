import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
  IngestStopped,
  ListBroadcasts,
  ListDestinations,
  ProgramStarted,
  RelayStateChanged,
  SetBrandingLogo,
  StopBroadcast,
  TRANSCODE_QUEUE,
  UpdateBranding,
  UpdateDestination,
  type BroadcastView,
  type Environment,
  type TranscodeJob,
} from '@streamcaster/contracts';
import { BusClient, BusRequestError, SecretBox, startBusService } from '@streamcaster/service-kit';
import { BusObserver, createTestEnvironment, freePort, rawCommand, type TestEnvironment, waitFor } from '@streamcaster/testing';
import { PublisherModule } from '../src/app.module.js';
import { loadPublisherConfig } from '../src/config/publisher.config.js';

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

let env: TestEnvironment;
let app: INestMicroservice;
let bus: BusClient;
let observer: BusObserver;
let database: pg.Client;
let transcodeQueue: Queue;
let broadcastQueue: Queue;
let appClosed = false;

function isBusError(code: BusRequestError['code'], messagePart: string) {
  return (error: unknown) => {
    assert.ok(error instanceof BusRequestError, `expected a BusRequestError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, new RegExp(messagePart));
    return true;
  };
}

interface Dj {
  id: string;
  name: string;
}

const newDj = (name: string): Dj => ({ id: randomUUID(), name: `${name} ${randomUUID().slice(0, 6)}` });

/** What the gateway emits when nginx-rtmp accepted the DJ's stream key. */
async function djStartsPublishing(dj: Dj, environment: Environment, options: { startedAt?: string; correlationId?: string } = {}): Promise<string> {
  const ingestId = randomUUID();
  await bus.emit(
    IngestStarted,
    {
      ingestId,
      environment,
      djId: dj.id,
      djName: dj.name,
      stream: { app: environment, streamName: dj.id },
      startedAt: options.startedAt ?? new Date().toISOString(),
    },
    options.correlationId,
  );
  return ingestId;
}

async function djStopsPublishing(dj: Dj, environment: Environment, ingestId: string): Promise<void> {
  await bus.emit(IngestStopped, { ingestId, environment, djId: dj.id, stoppedAt: new Date().toISOString() });
}

async function broadcastsOf(dj: Dj): Promise<BroadcastView[]> {
  return (await bus.request(ListBroadcasts, {})).filter((broadcast) => broadcast.djName === dj.name);
}

function broadcastOf(dj: Dj): Promise<BroadcastView> {
  return waitFor(`the broadcast of ${dj.name}`, async () => (await broadcastsOf(dj))[0]);
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

before(async () => {
  // Relays to a closed port warn every second; only errors are worth reading here.
  Logger.overrideLogger(['error']);
  env = await createTestEnvironment('publisher');
  // Nothing listens there: relays fail to read the program and keep retrying, which is all we need.
  const closedPort = await freePort();
  const config = loadPublisherConfig({
    ...env.env,
    RTMP_INTERNAL_URL: `rtmp://127.0.0.1:${closedPort}`,
    BROADCAST_GRACE_PERIOD_MS: String(GRACE_PERIOD_MS),
    RELAY_BACKOFF_INITIAL_MS: '300',
    RELAY_BACKOFF_MAX_MS: '2000',
  });
  app = await startBusService('publisher', PublisherModule.forRoot(config), config);
  bus = new BusClient('test', env.subjectPrefix, env.natsUrl);
  await bus.connect();
  observer = await BusObserver.connect(env.natsUrl, env.subjectPrefix);
  await observer.observe(BroadcastStateChanged, RelayStateChanged);
  database = new pg.Client({ connectionString: env.databaseUrl });
  await database.connect();
  const connection = { connection: { url: env.redisUrl }, prefix: env.queuePrefix };
  transcodeQueue = new Queue(TRANSCODE_QUEUE, connection);
  broadcastQueue = new Queue(BROADCAST_QUEUE, connection);
});

after(async () => {
  if (!appClosed) await app?.close();
  await Promise.all([bus?.close(), observer?.close(), database?.end(), transcodeQueue?.close(), broadcastQueue?.close()]);
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
});

describe('publisher broadcasts', () => {
  let liveDestination: { id: string; name: string };
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
    await createDestination('test', 'Rehearsal RTMP', 'test-env-key');
  });

  it('ingest.started creates a starting broadcast with the rendered title, a state event and a transcode job', async () => {
    const dj = newDj('DJ Alpha');
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

    const job = await waitFor('the transcode job', () => transcodeQueue.getJob(broadcast.id));
    assert.equal(job.name, 'run-broadcast');
    assert.deepEqual(job.data as TranscodeJob, {
      broadcastId: broadcast.id,
      environment: 'live',
      input: { app: 'live', streamName: dj.id },
      djName: dj.name,
      logo: { assetName: `${'cd'.repeat(32)}.png`, position: 'bottom-left', width: 300, height: 100 },
    });
  });

  it('a repeated ingest.started of the same DJ does not create a second broadcast or job', async () => {
    const dj = newDj('DJ Echo');
    await djStartsPublishing(dj, 'live');
    const broadcast = await broadcastOf(dj);
    await djStartsPublishing(dj, 'live');
    // Give the duplicate time to be handled, then check nothing new exists.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const broadcasts = await broadcastsOf(dj);
    assert.deepEqual(broadcasts.map((candidate) => candidate.id), [broadcast.id]);
    assert.equal(broadcasts[0]!.state, 'starting');
    const jobs = (await transcodeQueue.getJobs(['waiting', 'delayed', 'active', 'prioritized'])).filter(
      (job) => (job.data as TranscodeJob).djName === dj.name,
    );
    assert.equal(jobs.length, 1);
  });

  it('keeps Live and Test apart: a test broadcast relays only to test destinations', async () => {
    const dj = newDj('DJ Rehearsal');
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
  });

  it('reports a failing relay as reconnecting, in the view and on the bus, without the stream key', async () => {
    const dj = newDj('DJ Relay');
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
    const dj = newDj('DJ Program');
    await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    await bus.emit(ProgramStarted, { broadcastId: id });
    await stateOf(id, 'live');
    const event = await observer.waitFor(BroadcastStateChanged, (payload) => payload.broadcastId === id && payload.state === 'live');
    assert.equal(event.payload.previousState, 'starting');
  });

  it('ingest.stopped interrupts the broadcast with a delayed end job, and it ends by itself after the grace period', async () => {
    const dj = newDj('DJ Leaving');
    const ingestId = await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    await waitFor('the transcode job', () => transcodeQueue.getJob(id));
    await djStopsPublishing(dj, 'live', ingestId);

    await stateOf(id, 'interrupted', GRACE_PERIOD_MS);
    const endJob = await waitFor('the end job', () => broadcastQueue.getJob(`end-${id}-${ingestId}`), GRACE_PERIOD_MS);
    assert.equal(endJob.name, 'end');
    assert.deepEqual(endJob.data, { broadcastId: id, ingestId });
    assert.equal(endJob.opts.delay, GRACE_PERIOD_MS);
    assert.equal(await endJob.getState(), 'delayed');

    const ended = await stateOf(id, 'ended', GRACE_PERIOD_MS + 10_000);
    assert.ok(ended.endedAt, 'endedAt is set');
    assert.ok(Date.parse(ended.endedAt) >= Date.parse(ended.startedAt) + GRACE_PERIOD_MS - 1_000);
    const states = observer
      .messages(BroadcastStateChanged)
      .filter((message) => message.payload.broadcastId === id)
      .map((message) => `${message.payload.previousState}->${message.payload.state}`);
    assert.deepEqual(states, ['null->starting', 'starting->interrupted', 'interrupted->ending', 'ending->ended']);
    assert.equal(await transcodeQueue.getJob(id), undefined, 'the waiting transcode job was removed');
    await waitFor('the relays to be stopped', async () => {
      const view = await bus.request(GetBroadcast, { id });
      return view.destinations.every((destination) => destination.state === 'stopped') ? true : undefined;
    });
  });

  it('a DJ who returns within the grace period keeps the same broadcast, and the late end job does nothing', async () => {
    const dj = newDj('DJ Boomerang');
    const firstIngest = await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    await bus.emit(ProgramStarted, { broadcastId: id });
    await stateOf(id, 'live');
    await djStopsPublishing(dj, 'live', firstIngest);
    await stateOf(id, 'interrupted');
    await djStartsPublishing(dj, 'live');
    await stateOf(id, 'live');

    const endJobId = `end-${id}-${firstIngest}`;
    await waitFor('the end job to have run', async () => ((await broadcastQueue.getJobState(endJobId)) === 'completed' ? true : undefined), GRACE_PERIOD_MS + 5_000);
    const after = await bus.request(GetBroadcast, { id });
    assert.equal(after.state, 'live');
    assert.equal(after.endedAt, null);
    assert.deepEqual((await broadcastsOf(dj)).map((broadcast) => broadcast.id), [id], 'no second broadcast');
    assert.ok(await transcodeQueue.getJob(id), 'the transcode job is still there');
  });

  it('a DJ who reconnects at once (stop and start back to back) is not cut off after the grace period', async () => {
    const dj = newDj('DJ Flicker');
    const firstIngest = await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    await bus.emit(ProgramStarted, { broadcastId: id });
    await stateOf(id, 'live');
    // The gateway emits these in this order when OBS reconnects quickly; NATS keeps the order.
    await djStopsPublishing(dj, 'live', firstIngest);
    await djStartsPublishing(dj, 'live');

    // Past the grace period, an end job scheduled by the interruption has run.
    await new Promise((resolve) => setTimeout(resolve, GRACE_PERIOD_MS + 1_500));
    const view = await bus.request(GetBroadcast, { id });
    assert.equal(view.state, 'live', `the DJ is publishing, yet the broadcast is ${view.state}`);
  });

  it('broadcasts.stop ends a broadcast at once; stopping it again is a conflict, an unknown id not_found', async () => {
    const dj = newDj('DJ Stopped');
    await djStartsPublishing(dj, 'live');
    const { id } = await broadcastOf(dj);
    const stopped = await bus.request(StopBroadcast, { id }, 30_000);
    assert.equal(stopped.state, 'ended');
    assert.ok(stopped.endedAt);
    assert.equal(await transcodeQueue.getJob(id), undefined);

    await assert.rejects(bus.request(StopBroadcast, { id }), isBusError('conflict', `broadcast ${id} is already ended`));
    const unknown = randomUUID();
    await assert.rejects(bus.request(StopBroadcast, { id: unknown }), isBusError('not_found', `no broadcast with id ${unknown}`));
    await assert.rejects(bus.request(GetBroadcast, { id: unknown }), isBusError('not_found', `no broadcast with id ${unknown}`));

    // The DJ starting again after the end gets a new broadcast.
    await djStartsPublishing(dj, 'live');
    const next = await waitFor('a second broadcast', async () => (await broadcastsOf(dj)).find((broadcast) => broadcast.id !== id));
    assert.equal(next.state, 'starting');
  });

  it('published only messages that match their contracts', () => {
    assert.deepEqual(observer.offContract, []);
  });
});

describe('publisher shutdown', () => {
  it('closes every Redis connection it opened when the app closes', async () => {
    await Promise.all([transcodeQueue.close(), broadcastQueue.close()]);
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
    const config = loadPublisherConfig({ ...env.env, RTMP_INTERNAL_URL: `rtmp://127.0.0.1:${await freePort()}` });
    const restarted = await startBusService('publisher', PublisherModule.forRoot(config), config);
    try {
      const row = await database.query<{ state: string; ended_at: Date | null }>(`SELECT state, ended_at FROM publisher.broadcasts WHERE id = $1`, [inserted.rows[0]!.id]);
      assert.equal(row.rows[0]!.state, 'ended');
      assert.ok(row.rows[0]!.ended_at);
    } finally {
      await restarted.close();
    }
  });
});
