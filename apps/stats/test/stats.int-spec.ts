import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Logger, type INestMicroservice } from '@nestjs/common';
import type { Subscription } from '@nats-io/transport-node';
import pg from 'pg';
import {
  BroadcastStateChanged,
  EncoderProgress,
  GetBroadcast,
  GetStatsHistory,
  ListBroadcasts,
  ProgramRequested,
  RecordingProgress,
  RecordingStarted,
  RelayProgress,
  RelayStateChanged,
  servicePing,
  StatsSnapshot,
  type BroadcastStats,
  type BroadcastView,
  type FfmpegProgress,
  DEFAULT_VJ_SETTINGS,
} from '@streamcaster/contracts';
import { BusClient, BusRequestError, startBusService } from '@streamcaster/service-kit';
import { BusObserver, createTestEnvironment, LifecyclePublisher, publishAsDj, RtmpServer, waitFor, type DjStream, type TestEnvironment } from '@streamcaster/testing';
import { SERVICE, StatsModule } from '../src/app.module.js';
import { loadStatsConfig, type StatsConfig } from '../src/config/stats.config.js';
import { HistoryService } from '../src/history/history.service.js';

const BROADCAST = randomUUID();
const DJ = randomUUID();
const YOUTUBE = randomUUID();
const TWITCH = randomUUID();
const RECORDING = randomUUID();
const DJ_PICTURE = { width: 640, height: 360, fps: 25 };
/** What an `rtmp` destination of a broadcast says about its platform: nothing. */
const NO_PLATFORM = { platformState: null, platformReason: null, confirmed: false, watchUrl: null, viewers: null };

let env: TestEnvironment;
let config: StatsConfig;
let app: INestMicroservice;
let rtmp: RtmpServer;
let bus: BusClient;
let observer: BusObserver;
/** Plays the publisher, the transcoder and the recorder: their lifecycle events, durably. */
let lifecycle: LifecyclePublisher;
let database: pg.Client;
let dj: DjStream;
const standIns: Subscription[] = [];
const timers: NodeJS.Timeout[] = [];

/** The publisher's view of the running broadcast, as `broadcasts.list.v1` answers it. */
function broadcastView(): BroadcastView {
  return {
    id: BROADCAST,
    environment: 'live',
    state: 'live',
    djId: DJ,
    djName: 'DJ Stat',
    title: 'DJ Stat live',
    description: '',
    startedAt: new Date(Date.now() - 60_000).toISOString(),
    endedAt: null,
    nowPlaying: null,
    destinations: [
      { id: YOUTUBE, name: 'YouTube', platform: 'rtmp', state: 'live', liveSince: new Date().toISOString(), reconnects: 0, bitrateKbps: null, lastError: null, ...NO_PLATFORM },
      { id: TWITCH, name: 'Twitch', platform: 'rtmp', state: 'connecting', liveSince: null, reconnects: 0, bitrateKbps: null, lastError: null, ...NO_PLATFORM },
    ],
  };
}

/** Answers one command on the bus the way the owning service would (Nest's reply packet). */
function standIn(subject: string, answer: (data: unknown) => { response: unknown } | { err: unknown }): void {
  standIns.push(
    observer.nats.subscribe(`${env.subjectPrefix}${subject}`, {
      callback: (error, message) => {
        if (error) return;
        const packet = message.json<{ id: string; data: unknown }>();
        message.respond(JSON.stringify({ id: packet.id, ...answer(packet.data), isDisposed: true }));
      },
    }),
  );
}

function ffmpegProgress(seconds: number, figures: Partial<FfmpegProgress> = {}): FfmpegProgress {
  return { frame: seconds * 30, fps: 29.97, bitrateKbps: 6000, totalSizeBytes: seconds * 750_000, outTimeSeconds: seconds, droppedFrames: 3, duplicatedFrames: 1, speed: 1.02, ...figures };
}

/** The transcoder, the YouTube relay and the recorder report once a second, as they do while they run. */
function progressEverySecond(): void {
  let seconds = 0;
  timers.push(
    setInterval(() => {
      seconds += 1;
      void bus.emit(EncoderProgress, { broadcastId: BROADCAST, encoder: 'libx264', progress: ffmpegProgress(seconds) });
      void bus.emit(RelayProgress, { broadcastId: BROADCAST, destinationId: YOUTUBE, progress: ffmpegProgress(seconds, { bitrateKbps: 5800 }) });
      void bus.emit(RecordingProgress, { recordingId: RECORDING, broadcastId: BROADCAST, sizeBytes: seconds * 800_000, durationSeconds: seconds });
    }, 1_000),
  );
}

function snapshotOf(match: (stats: BroadcastStats) => boolean, timeoutMs = 30_000) {
  return observer.waitFor(StatsSnapshot, (payload) => payload.broadcasts.some((stats) => stats.broadcastId === BROADCAST && match(stats)), timeoutMs);
}

async function startReplica(): Promise<INestMicroservice> {
  return startBusService(SERVICE, StatsModule.forRoot(config), config);
}

before(async () => {
  Logger.overrideLogger(['error']);
  env = await createTestEnvironment('stats');
  rtmp = await RtmpServer.start(join(env.dataDir, 'nginx'));
  config = loadStatsConfig({ ...env.env, RTMP_STAT_URL: rtmp.statUrl });
  observer = await BusObserver.connect(env.natsUrl, env.subjectPrefix);
  await observer.observe(StatsSnapshot);
  standIn(ListBroadcasts.subject, () => ({ response: [broadcastView()] }));
  standIn(GetBroadcast.subject, () => ({ err: { code: 'not_found', message: 'no broadcast with that id' } }));
  app = await startReplica();
  bus = new BusClient('test', env.subjectPrefix, env.natsUrl);
  await bus.connect();
  lifecycle = await LifecyclePublisher.connect(env.natsUrl, env.subjectPrefix, 'publisher');
  database = new pg.Client({ connectionString: env.databaseUrl });
  await database.connect();
});

after(async () => {
  for (const timer of timers) clearInterval(timer);
  for (const subscription of standIns) subscription.unsubscribe();
  dj?.process.kill('SIGTERM');
  await dj?.exited;
  await app?.close();
  await Promise.all([bus?.close(), observer?.close(), lifecycle?.close(), database?.end(), rtmp?.stop()]);
  await env?.dispose();
});

describe('stats service', () => {
  it('answers its health ping', async () => {
    const pong = await bus.request(servicePing('stats'), {});
    assert.equal(pong.service, 'stats');
  });

  it('publishes a snapshot of a running broadcast with the DJ\'s real ingest, the composer, relays, recording and host', async () => {
    dj = publishAsDj(`${rtmp.url}/live/${DJ}`, 120, { size: `${DJ_PICTURE.width}x${DJ_PICTURE.height}`, fps: DJ_PICTURE.fps });
    await lifecycle.publish(BroadcastStateChanged, { broadcastId: BROADCAST, environment: 'live', djName: 'DJ Stat', title: 'DJ Stat live', state: 'starting', previousState: null });
    await lifecycle.publish(ProgramRequested, { broadcastId: BROADCAST, environment: 'live', input: { app: 'live', streamName: DJ }, djName: 'DJ Stat', logo: null, slate: { organizationName: '', message: '' }, vj: DEFAULT_VJ_SETTINGS });
    await lifecycle.publish(BroadcastStateChanged, { broadcastId: BROADCAST, environment: 'live', djName: 'DJ Stat', title: 'DJ Stat live', state: 'live', previousState: 'starting' });
    await lifecycle.publish(RecordingStarted, { recordingId: RECORDING, broadcastId: BROADCAST });
    await lifecycle.publish(RelayStateChanged, { broadcastId: BROADCAST, destinationId: YOUTUBE, state: 'live', reconnects: 0 });
    await lifecycle.publish(RelayStateChanged, { broadcastId: BROADCAST, destinationId: TWITCH, state: 'reconnecting', reconnects: 2, reason: 'Connection refused (rtmp://live.twitch.tv/app/****)' });
    await lifecycle.settled('stats');
    progressEverySecond();

    const snapshot = await snapshotOf(
      (stats) =>
        (stats.ingest?.bitrateKbps ?? 0) > 0 &&
        stats.composer !== null &&
        (stats.relays.find((relay) => relay.destinationId === YOUTUBE)?.bitrateKbps ?? 0) > 0 &&
        (stats.recorder?.sizeBytes ?? 0) > 0 &&
        stats.relays.every((relay) => relay.name !== ''),
    );
    const stats = snapshot.payload.broadcasts.find((broadcast) => broadcast.broadcastId === BROADCAST)!;
    assert.equal(stats.environment, 'live');
    assert.equal(stats.ingest!.videoCodec, 'h264');
    assert.equal(stats.ingest!.width, DJ_PICTURE.width);
    assert.equal(stats.ingest!.height, DJ_PICTURE.height);
    assert.equal(stats.ingest!.fps, DJ_PICTURE.fps);
    assert.equal(stats.ingest!.audioCodec, 'aac');
    assert.equal(stats.ingest!.audioSampleRate, 48000);
    assert.ok(stats.ingest!.bytesReceived! > 0 && stats.ingest!.uptimeSeconds! > 0);

    assert.equal(stats.composer!.encoder, 'libx264');
    assert.equal(stats.composer!.fps, 29.97);
    assert.equal(stats.composer!.speed, 1.02);
    assert.equal(stats.composer!.droppedFrames, 3);

    const youtube = stats.relays.find((relay) => relay.destinationId === YOUTUBE)!;
    const twitch = stats.relays.find((relay) => relay.destinationId === TWITCH)!;
    assert.equal(youtube.name, 'YouTube');
    assert.equal(youtube.state, 'live');
    // 750 000 bytes a second between two reports: about 6000 kbit/s (the reports' arrival jitters)
    assert.ok(youtube.bitrateKbps! > 3000 && youtube.bitrateKbps! < 12_000, `bitrate ${youtube.bitrateKbps}`);
    assert.ok(youtube.bytesSent! >= 750_000);
    assert.ok(youtube.uptimeSeconds! >= 0);
    assert.equal(twitch.name, 'Twitch');
    // The event is newer than the publisher's answer (which said connecting): the event wins.
    assert.equal(twitch.state, 'reconnecting');
    assert.equal(twitch.reconnects, 2);
    assert.equal(twitch.bitrateKbps, null);
    assert.equal(twitch.lastError, 'Connection refused (rtmp://live.twitch.tv/app/****)');

    assert.equal(stats.recorder!.recordingId, RECORDING);
    assert.equal(stats.recorder!.state, 'recording');

    const host = snapshot.payload.host;
    assert.equal(host.cpuPercentPerCore.length, cpus().length);
    assert.ok(host.memory.totalBytes > host.memory.availableBytes && host.memory.availableBytes > 0);
    assert.ok(host.recordingsDisk && host.recordingsDisk.totalBytes >= host.recordingsDisk.freeBytes && host.recordingsDisk.freeBytes > 0);
    assert.equal(host.loadAverage.length, 3);
    assert.deepEqual(observer.offContract, []);
  });

  it('writes a history point per second and answers them in time order', async () => {
    const history = await waitFor('five seconds of history with the relay\'s bitrate', async () => {
      const answer = await bus.request(GetStatsHistory, { broadcastId: BROADCAST });
      return answer.points.filter((point) => point.relayBitrateKbps[YOUTUBE] !== undefined).length >= 5 ? answer : undefined;
    }, 30_000, 500);
    const times = history.points.map((point) => Date.parse(point.at));
    assert.ok(times.every((time, index) => index === 0 || time > times[index - 1]!), 'in time order, one point per second at most');
    assert.ok(times.every((time) => time % 1000 === 0), 'each at the start of its second');
    assert.ok(history.points.every((point) => point.bucketSeconds === 1));
    assert.ok(history.points.some((point) => (point.ingestBitrateKbps ?? 0) > 0 && point.encoderFps === 29.97 && point.encoderSpeed === 1.02));
    assert.ok(history.points.every((point) => point.cpuPercent !== null));
    // The publisher said the broadcast started a minute ago; the range starts there.
    assert.ok(Date.parse(history.from) <= times[0]! - 50_000, `${history.from} is the broadcast's start`);
  });

  it('averages the rows older than an hour into 10 s buckets and leaves the recent ones alone', async () => {
    const past = randomUUID();
    const hour = 3_600_000;
    const t0 = Math.floor((Date.now() - 2 * hour) / 10_000) * 10_000;
    await database.query(
      `INSERT INTO stats.broadcasts (id, environment, state, state_at, dj_id, started_at, ended_at) VALUES ($1, 'test', 'ended', $2, $3, $4, $2)`,
      [past, new Date(Date.now() - 5 * 60_000), DJ, new Date(t0 - 60_000)],
    );
    const insert = (at: number, index: number) =>
      database.query(
        `INSERT INTO stats.history (broadcast_id, at, bucket_seconds, ingest_bitrate_kbps, encoder_fps, encoder_speed, cpu_percent, relay_bitrate_kbps)
         VALUES ($1, $2, 1, $3, $4, 1, $5, $6)`,
        [past, new Date(at), 1000 + index * 10, index % 2 === 0 ? 30 : null, index % 4, JSON.stringify(index < 15 ? { [YOUTUBE]: 2000 + index } : {})],
      );
    // 25 seconds two hours ago, 5 seconds ten minutes ago
    for (let index = 0; index < 25; index += 1) await insert(t0 + index * 1000, index);
    const recent = Math.floor((Date.now() - 10 * 60_000) / 1000) * 1000;
    for (let index = 0; index < 5; index += 1) await insert(recent + index * 1000, index);

    await app.get(HistoryService).compact();

    const history = await bus.request(GetStatsHistory, { broadcastId: past });
    assert.deepEqual(
      history.points.map((point) => [point.at, point.bucketSeconds]),
      [
        [new Date(t0).toISOString(), 10],
        [new Date(t0 + 10_000).toISOString(), 10],
        [new Date(t0 + 20_000).toISOString(), 10],
        ...Array.from({ length: 5 }, (_, index) => [new Date(recent + index * 1000).toISOString(), 1]),
      ],
    );
    const [first, second, third] = history.points;
    // bitrate 1000..1090 → 1045; fps 30 where measured (every other second); cpu 0,1,2,3,0,1,2,3,0,1 → 1.3
    assert.deepEqual([first!.ingestBitrateKbps, first!.encoderFps, first!.encoderSpeed, first!.cpuPercent], [1045, 30, 1, 1.3]);
    assert.deepEqual(first!.relayBitrateKbps, { [YOUTUBE]: 2004.5 });
    // seconds 10..14 carry the relay (2010..2014 → 2012), 15..19 do not: a gap, not a zero
    assert.deepEqual([second!.ingestBitrateKbps, second!.relayBitrateKbps], [1145, { [YOUTUBE]: 2012 }]);
    // seconds 20..24: 1200..1240 → 1220, no relay at all
    assert.deepEqual([third!.ingestBitrateKbps, third!.relayBitrateKbps], [1220, {}]);
    assert.equal(history.from, new Date(t0 - 60_000).toISOString());

    // The running broadcast's rows are all recent: untouched.
    const { rows } = await database.query<{ coarse: string }>(`SELECT count(*) AS coarse FROM stats.history WHERE broadcast_id = $1 AND bucket_seconds <> 1`, [BROADCAST]);
    assert.equal(Number(rows[0]!.coarse), 0);
    // A second pass finds nothing left to fold, and changes nothing.
    assert.equal(await app.get(HistoryService).compact(), 0);
    assert.deepEqual((await bus.request(GetStatsHistory, { broadcastId: past })).points, history.points);

    // Part of the range only, by the caller's bounds.
    const window = await bus.request(GetStatsHistory, { broadcastId: past, from: new Date(t0 + 10_000).toISOString(), to: new Date(t0 + 20_000).toISOString() });
    assert.deepEqual(window.points.map((point) => point.at), [new Date(t0 + 10_000).toISOString(), new Date(t0 + 20_000).toISOString()]);
  });

  it('says a broadcast it never saw is unknown', async () => {
    await assert.rejects(bus.request(GetStatsHistory, { broadcastId: randomUUID() }), (error) => error instanceof BusRequestError && error.code === 'not_found');
  });

  it('publishes from one replica only when two run', async () => {
    const second = await startReplica();
    try {
      // Both hear the progress; one leads. Over 5 s one writer publishes about 5 snapshots, two would publish about 10.
      const before = observer.messages(StatsSnapshot).length;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const published = observer.messages(StatsSnapshot).length - before;
      assert.ok(published >= 3 && published <= 7, `${published} snapshots in 5 s`);
    } finally {
      await second.close();
    }
  });
});
