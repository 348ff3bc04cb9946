import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Logger, type INestMicroservice } from '@nestjs/common';
import pg from 'pg';
import {
  BroadcastUpdated,
  CreateDestination,
  GetBroadcast,
  IngestStarted,
  ListBroadcasts,
  StopBroadcast,
  UpdateBroadcast,
  type BroadcastView,
  type Environment,
} from '@streamcaster/contracts';
import { BusClient, MetricsServer, startBusService } from '@streamcaster/service-kit';
import {
  BusObserver,
  createTestEnvironment,
  isBusError,
  LifecyclePublisher,
  publishAsDj,
  rawCommand,
  RtmpServer,
  RtmpSink,
  waitFor,
  type DjStream,
  type TestEnvironment,
} from '@streamcaster/testing';
import { PublisherModule } from '../src/app.module.js';
import { loadPublisherConfig } from '../src/config/publisher.config.js';

/**
 * The publisher as the dashboard uses it: editing a broadcast's title and description, the History
 * and On air lists, each destination's platform and uptime (a real relay going live from a real
 * program on a real nginx-rtmp to a real sink), and its Prometheus metrics scraped over HTTP.
 */

let env: TestEnvironment;
let rtmp: RtmpServer;
let sink: RtmpSink;
let app: INestMicroservice;
let bus: BusClient;
let observer: BusObserver;
let gatewayEvents: LifecyclePublisher;
let database: pg.Client;
const programs: DjStream[] = [];

/** A DJ starts publishing (what the gateway's outbox would send); resolves with the new broadcast. */
async function broadcastFor(djName: string, environment: Environment = 'live', startedAt = new Date().toISOString()): Promise<BroadcastView> {
  const djId = randomUUID();
  await gatewayEvents.publish(IngestStarted, { ingestId: randomUUID(), environment, djId, djName, stream: { app: environment, streamName: djId }, startedAt });
  return waitFor(`the broadcast of ${djName}`, async () => (await bus.request(ListBroadcasts, { djId }))[0]);
}

/** The destination row of a broadcast as the publisher stored it. */
async function storedDestination(broadcastId: string): Promise<{ live_since: Date | null; platform: string } | undefined> {
  const rows = await database.query<{ live_since: Date | null; platform: string }>(
    'SELECT live_since, platform FROM publisher.broadcast_destinations WHERE broadcast_id = $1',
    [broadcastId],
  );
  return rows.rows[0];
}

async function scrape(): Promise<string> {
  const response = await fetch(app.get(MetricsServer).url);
  assert.equal(response.status, 200);
  return response.text();
}

/** One sample of the exposition text (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const line = text
    .split('\n')
    .find((candidate) => (candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)) && Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

before(async () => {
  Logger.overrideLogger(['error']);
  env = await createTestEnvironment('publisherapi');
  rtmp = await RtmpServer.start(join(env.dataDir, 'nginx-rtmp'));
  sink = new RtmpSink('platform', join(env.dataDir, 'sink'));
  await sink.start();
  const config = loadPublisherConfig({ ...env.env, RTMP_INTERNAL_URL: rtmp.url, RELAY_BACKOFF_INITIAL_MS: '300', RELAY_BACKOFF_MAX_MS: '1000' });
  app = await startBusService('publisher', PublisherModule.forRoot(config), config);
  bus = new BusClient('test', env.subjectPrefix, env.natsUrl);
  await bus.connect();
  observer = await BusObserver.connect(env.natsUrl, env.subjectPrefix);
  await observer.observe(BroadcastUpdated);
  gatewayEvents = await LifecyclePublisher.connect(env.natsUrl, env.subjectPrefix, 'gateway');
  database = new pg.Client({ connectionString: env.databaseUrl });
  await database.connect();
  await bus.request(CreateDestination, { environment: 'live', platform: 'rtmp', name: 'Platform sink', url: sink.url, streamKey: sink.streamKey });
});

after(async () => {
  for (const program of programs) program.process.kill('SIGKILL');
  await Promise.all(programs.map((program) => program.exited));
  await app?.close();
  await Promise.all([bus?.close(), observer?.close(), gatewayEvents?.close(), database?.end()]);
  await sink?.stop();
  await rtmp?.stop();
  await env?.dispose();
});

describe('broadcasts.update', () => {
  it('stores a new title and description, answers the view and says so on the bus', async () => {
    const broadcast = await broadcastFor('DJ Edit');
    const updated = await bus.request(UpdateBroadcast, { id: broadcast.id, patch: { title: '  Sunrise set  ', description: 'Deep house until dawn' } });
    assert.equal(updated.id, broadcast.id);
    assert.equal(updated.title, 'Sunrise set', 'the title is trimmed');
    assert.equal(updated.description, 'Deep house until dawn');
    assert.equal(updated.state, broadcast.state);
    const event = await observer.waitFor(BroadcastUpdated, (payload) => payload.broadcastId === broadcast.id);
    assert.deepEqual(event.payload, { broadcastId: broadcast.id, environment: 'live' });
    assert.equal(event.producer, 'publisher');

    const onlyDescription = await bus.request(UpdateBroadcast, { id: broadcast.id, patch: { description: '' } });
    assert.equal(onlyDescription.title, 'Sunrise set', 'a field not in the patch stays');
    assert.equal(onlyDescription.description, '');
    const reread = await bus.request(GetBroadcast, { id: broadcast.id });
    assert.equal(reread.title, 'Sunrise set');
    assert.equal(reread.description, '');
  });

  it('updates an ended broadcast too', async () => {
    const broadcast = await broadcastFor('DJ Over');
    await bus.request(StopBroadcast, { id: broadcast.id }, 30_000);
    const updated = await bus.request(UpdateBroadcast, { id: broadcast.id, patch: { title: 'The recording of the night' } });
    assert.equal(updated.state, 'ended');
    assert.equal(updated.title, 'The recording of the night');
  });

  it('answers not_found for an unknown broadcast and invalid for a bad patch, changing nothing', async () => {
    const unknown = randomUUID();
    await assert.rejects(bus.request(UpdateBroadcast, { id: unknown, patch: { title: 'x' } }), isBusError('not_found', `no broadcast with id ${unknown}`));

    const broadcast = await broadcastFor('DJ Strict');
    const cases: Array<[unknown, RegExp]> = [
      [{}, /nothing to change: give title or description/],
      [{ title: '   ' }, /title must not be empty/],
      [{ title: 'x'.repeat(101) }, /title is longer than 100 characters/],
      [{ title: 'ok', state: 'ended' }, /state/],
    ];
    for (const [patch, reason] of cases) {
      // Sent raw: the publisher checks what any client sends, not only what BusClient lets through.
      const answer = await rawCommand(observer.nats, env.subjectPrefix, UpdateBroadcast.subject, { id: broadcast.id, patch });
      const error = answer.err as { code: string; message: string } | undefined;
      assert.equal(error?.code, 'invalid', `${JSON.stringify(patch)}: ${JSON.stringify(answer)}`);
      assert.match(error.message, reason);
    }
    const unchanged = await bus.request(GetBroadcast, { id: broadcast.id });
    assert.equal(unchanged.title, broadcast.title);
    assert.equal(unchanged.state, broadcast.state);
  });
});

describe('broadcasts.list filters', () => {
  it('filters by start time (from inclusive, to exclusive), running state, DJ and environment, newest first', async () => {
    const day = '2024-05-01';
    const early = await broadcastFor('DJ Early', 'live', `${day}T20:00:00.000Z`);
    const middle = await broadcastFor('DJ Middle', 'live', `${day}T21:00:00.000Z`);
    const late = await broadcastFor('DJ Late', 'test', `${day}T22:00:00.000Z`);
    await bus.request(StopBroadcast, { id: middle.id }, 30_000);

    const ids = (list: BroadcastView[]) => list.map((broadcast) => broadcast.id);
    const window = { from: `${day}T00:00:00.000Z`, to: `${day}T23:59:59.999Z` };
    assert.deepEqual(ids(await bus.request(ListBroadcasts, window)), [late.id, middle.id, early.id], 'newest first');
    assert.deepEqual(ids(await bus.request(ListBroadcasts, { from: `${day}T21:00:00.000Z`, to: `${day}T22:00:00.000Z` })), [middle.id], 'from is inclusive, to exclusive');
    assert.deepEqual(ids(await bus.request(ListBroadcasts, { ...window, running: true })), [late.id, early.id], 'the stopped one is not running');
    assert.deepEqual(ids(await bus.request(ListBroadcasts, { ...window, environment: 'live' })), [middle.id, early.id]);
    assert.deepEqual(ids(await bus.request(ListBroadcasts, { ...window, djId: early.djId })), [early.id]);
    assert.deepEqual(ids(await bus.request(ListBroadcasts, { ...window, limit: 2 })), [late.id, middle.id]);
    assert.deepEqual(await bus.request(ListBroadcasts, { from: '2024-05-02T00:00:00.000Z', to: '2024-05-03T00:00:00.000Z' }), []);

    const running = await bus.request(ListBroadcasts, { running: true, limit: 500 });
    assert.ok(running.length > 0);
    assert.ok(running.every((broadcast) => ['starting', 'live', 'interrupted'].includes(broadcast.state)), JSON.stringify(running.map((broadcast) => broadcast.state)));
  });
});

describe('destinations of a broadcast', () => {
  let broadcast: BroadcastView;
  let liveSince: string;

  it('carry their platform, and liveSince from the moment their relay is live', async () => {
    broadcast = await broadcastFor('DJ Uptime');
    const [destination] = broadcast.destinations;
    assert.equal(destination?.platform, 'rtmp');
    assert.equal(destination?.liveSince, null, 'not live before there is a program');

    const beforeProgram = Date.now();
    // The program, as the transcoder would publish it.
    programs.push(publishAsDj(`${rtmp.url}/program/${broadcast.id}`, 120, { size: '320x240', fps: 25 }));
    const live = await waitFor(
      'the relay to be live',
      async () => {
        const view = await bus.request(GetBroadcast, { id: broadcast.id });
        return view.destinations[0]?.state === 'live' ? view.destinations[0] : undefined;
      },
      20_000,
    );
    assert.ok(live.liveSince, 'a live relay has liveSince');
    liveSince = live.liveSince;
    assert.ok(Date.parse(liveSince) >= beforeProgram - 1_000 && Date.parse(liveSince) <= Date.now(), `liveSince ${liveSince}`);
    // The database has it too (what another replica answers with).
    const row = await waitFor('liveSince in the database', async () => {
      const stored = await storedDestination(broadcast.id);
      return stored?.live_since ? stored : undefined;
    });
    assert.equal(row.platform, 'rtmp', 'the platform is kept with the broadcast');
  });

  it('are counted in the metrics while live: relays by state and bytes sent', async () => {
    const text = await waitFor('bytes sent in the metrics', async () => {
      const scraped = await scrape();
      return (sample(scraped, 'streamcaster_relay_sent_bytes_total') ?? 0) > 0 ? scraped : undefined;
    });
    assert.equal(sample(text, 'streamcaster_relays', { state: 'live' }), 1);
    assert.equal(sample(text, 'streamcaster_relays', { state: 'stopped' }), 0, 'every state is there, 0 when empty');
    assert.ok((sample(text, 'streamcaster_broadcasts', { state: 'starting' }) ?? 0) >= 1);
  });

  it('lose liveSince when the relay is no longer live, and count the reconnect', async () => {
    const reconnectsBefore = sample(await scrape(), 'streamcaster_relay_reconnects_total') ?? 0;
    // The platform goes down: the push fails, and the relay reconnects until it is back.
    await sink.stop();
    const down = await waitFor(
      'the relay to leave live',
      async () => {
        const view = await bus.request(GetBroadcast, { id: broadcast.id });
        return view.destinations[0] && view.destinations[0].state !== 'live' ? view.destinations[0] : undefined;
      },
      20_000,
    );
    assert.equal(down.liveSince, null, `a ${down.state} relay has no liveSince`);
    await waitFor('liveSince cleared in the database', async () => ((await storedDestination(broadcast.id))?.live_since === null ? true : undefined));
    await waitFor('the reconnect in the metrics', async () => ((sample(await scrape(), 'streamcaster_relay_reconnects_total') ?? 0) > reconnectsBefore ? true : undefined));
  });
});

describe('publisher metrics over HTTP', () => {
  it('serves the expected names, labelled with the service, and no id as a label', async () => {
    const text = await scrape();
    for (const name of [
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'streamcaster_broadcasts',
      'streamcaster_relays',
      'streamcaster_relay_sent_bytes_total',
      'streamcaster_relay_reconnects_total',
      'streamcaster_queue_jobs',
      'streamcaster_outbox_pending',
      'streamcaster_bus_command_duration_seconds',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is not served`);
    }
    assert.ok((sample(text, 'streamcaster_broadcasts', { service: 'publisher', state: 'ended' }) ?? 0) >= 2, 'the ended broadcasts are counted');
    assert.notEqual(sample(text, 'streamcaster_queue_jobs', { queue: 'broadcast', state: 'delayed' }), undefined, 'the broadcast queue is measured');
    assert.notEqual(sample(text, 'streamcaster_outbox_pending'), undefined);
    assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, 'an id appears in the metrics');
  });

  it('counts the commands it answers, by subject and outcome', async () => {
    const count = (text: string, outcome: string) =>
      sample(text, 'streamcaster_bus_command_duration_seconds_count', { subject: GetBroadcast.subject, outcome }) ?? 0;
    const before = await scrape();
    const [broadcast] = await bus.request(ListBroadcasts, { limit: 1 });
    await bus.request(GetBroadcast, { id: broadcast!.id });
    await bus.request(GetBroadcast, { id: broadcast!.id });
    await assert.rejects(bus.request(GetBroadcast, { id: randomUUID() }), isBusError('not_found', 'no broadcast'));
    const after = await scrape();
    assert.equal(count(after, 'ok') - count(before, 'ok'), 2);
    assert.equal(count(after, 'not_found') - count(before, 'not_found'), 1);
  });
});

