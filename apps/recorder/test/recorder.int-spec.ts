import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { Queue } from 'bullmq';
import {
  BroadcastStateChanged,
  GetRecording,
  ListRecordings,
  LocateRecordingFile,
  RECORDING_QUEUE,
  RecordingFinalized,
  type BroadcastState,
  type RecordingView,
} from '@streamcaster/contracts';
import { BusClient, BusRequestError, startBusService } from '@streamcaster/service-kit';
import { runOnce } from '@streamcaster/supervisor';
import { answerBroadcastsGet, BusObserver, createTestEnvironment, freePort, type TestEnvironment, waitFor } from '@streamcaster/testing';
import type { Subscription } from '@nats-io/transport-node';
import pg from 'pg';
import { RecorderModule } from '../src/app.module.js';
import { loadRecorderConfig } from '../src/config/recorder.config.js';
import { RecordingsService } from '../src/recordings/recordings.service.js';

let env: TestEnvironment;
let app: INestMicroservice;
let bus: BusClient;
let observer: BusObserver;
let recordingQueue: Queue;
let publisherStandIn: Subscription;
const broadcastStates = new Map<string, BroadcastState>();

const recordingsDir = () => join(env.dataDir, 'recordings');
const segmentsDirOf = (broadcastId: string) => join(recordingsDir(), broadcastId, 'segments');

function isBusError(code: BusRequestError['code'], messagePart: string) {
  return (error: unknown) => {
    assert.ok(error instanceof BusRequestError, `expected a BusRequestError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.ok(error.message.includes(messagePart), `"${error.message}" should contain "${messagePart}"`);
    return true;
  };
}

/** What the publisher emits on each step of a broadcast. */
async function broadcastMoves(broadcastId: string, state: BroadcastState, previousState: BroadcastState | null): Promise<void> {
  // What the publisher (its stand-in here) answers when the recorder asks about the broadcast.
  broadcastStates.set(broadcastId, state);
  await bus.emit(BroadcastStateChanged, { broadcastId, environment: 'live', djName: 'DJ Tape', title: 'DJ Tape live', state, previousState });
}

async function broadcastEnds(broadcastId: string, from: BroadcastState): Promise<void> {
  await broadcastMoves(broadcastId, 'ending', from);
  await broadcastMoves(broadcastId, 'ended', 'ending');
}

/** Starts a broadcast and waits until the recorder claimed it and made its segments folder. */
async function recordingStarts(broadcastId: string): Promise<RecordingView> {
  await broadcastMoves(broadcastId, 'starting', null);
  const recording = await waitFor(`the recording of ${broadcastId}`, async () => (await bus.request(ListRecordings, { broadcastId }))[0]);
  await waitFor('the segments folder', () => (existsSync(segmentsDirOf(broadcastId)) ? true : undefined));
  return recording;
}

function recordingIn(id: string, states: RecordingView['state'][], timeoutMs = 30_000): Promise<RecordingView> {
  return waitFor(
    `recording ${id} to be ${states.join(' or ')}`,
    async () => {
      const recording = await bus.request(GetRecording, { id });
      return states.includes(recording.state) ? recording : undefined;
    },
    timeoutMs,
  );
}

/** Real MPEG-TS segments as the recorder's ffmpeg writes them: H.264 + AAC, continuous timestamps. */
async function writeSegments(directory: string, seconds: number, segmentSeconds: number): Promise<string[]> {
  const result = await runOnce('ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-g', String(25 * segmentSeconds), '-keyint_min', String(25 * segmentSeconds), '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '96k',
    '-f', 'segment', '-segment_time', String(segmentSeconds), '-segment_format', 'mpegts', '-reset_timestamps', '0',
    join(directory, 'segment-%06d.ts'),
  ], 60_000);
  assert.equal(result.code, 0, `ffmpeg could not write the segments: ${result.stderr}`);
  return (await readdir(directory)).filter((name) => name.endsWith('.ts')).sort();
}

/** The top-level boxes of an MP4 file, in order. */
async function topLevelBoxes(path: string): Promise<string[]> {
  const bytes = await readFile(path);
  const boxes: string[] = [];
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    let size = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (size === 1) size = Number(bytes.readBigUInt64BE(offset + 8));
    else if (size === 0) size = bytes.length - offset;
    assert.ok(size >= 8, `box ${type} at ${offset} has an impossible size ${size}`);
    boxes.push(type);
    offset += size;
  }
  assert.equal(offset, bytes.length, 'the boxes cover the whole file');
  return boxes;
}

async function probe(path: string): Promise<{ duration: number; codecs: string[] }> {
  const result = await runOnce('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', path], 30_000);
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as { format: { duration: string }; streams: Array<{ codec_name: string }> };
  return { duration: Number(parsed.format.duration), codecs: parsed.streams.map((stream) => stream.codec_name).sort() };
}

/** Runs one query on the recorder's schema, as another recorder (or a crash) would have left it. */
async function queryRecorder<T extends object>(sql: string, values: unknown[]): Promise<T[]> {
  const db = new pg.Client({ connectionString: env.databaseUrl });
  await db.connect();
  try {
    return (await db.query<T>(sql, values)).rows;
  } finally {
    await db.end();
  }
}

/** 4 s of segments on disk and a `recording` row whose owner stopped renewing its lease a minute ago. */
async function recordingLeftByADeadRecorder(broadcastId: string): Promise<string> {
  await mkdir(segmentsDirOf(broadcastId), { recursive: true });
  await writeSegments(segmentsDirOf(broadcastId), 4, 2);
  const rows = await queryRecorder<{ id: string }>(
    `INSERT INTO recorder.recordings (broadcast_id, state, directory, started_at, owner, lease_until)
     VALUES ($1::uuid, 'recording', $1::text, now(), 'a-recorder-that-died', now() - interval '1 minute') RETURNING id`,
    [broadcastId],
  );
  return rows[0]!.id;
}

before(async () => {
  Logger.overrideLogger(['error', 'warn']);
  env = await createTestEnvironment('recorder');
  // Nothing listens there: the segment recorder keeps failing to read the program, so the only
  // segments are the ones the tests write, exactly as ffmpeg would have.
  const closedPort = await freePort();
  const config = loadRecorderConfig({ ...env.env, RTMP_INTERNAL_URL: `rtmp://127.0.0.1:${closedPort}`, RECORDER_SEGMENT_SECONDS: '2' });
  app = await startBusService('recorder', RecorderModule.forRoot(config), config);
  bus = new BusClient('test', env.subjectPrefix, env.natsUrl);
  await bus.connect();
  observer = await BusObserver.connect(env.natsUrl, env.subjectPrefix);
  await observer.observe(RecordingFinalized);
  publisherStandIn = answerBroadcastsGet(observer.nats, env.subjectPrefix, broadcastStates);
  recordingQueue = new Queue(RECORDING_QUEUE, { connection: { url: env.redisUrl }, prefix: env.queuePrefix });
});

after(async () => {
  publisherStandIn?.unsubscribe();
  await app?.close();
  await Promise.all([bus?.close(), observer?.close(), recordingQueue?.close()]);
  await env?.dispose();
});

describe('recorder', () => {
  it('claims one recording per broadcast, however often it hears that the broadcast runs', async () => {
    const broadcastId = randomUUID();
    const recording = await recordingStarts(broadcastId);
    assert.equal(recording.broadcastId, broadcastId);
    assert.equal(recording.state, 'recording');
    assert.equal(recording.segments, 0);
    assert.equal(recording.durationSeconds, null);
    assert.equal(recording.finalizedAt, null);

    await broadcastMoves(broadcastId, 'starting', null);
    await broadcastMoves(broadcastId, 'live', 'starting');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const recordings = await bus.request(ListRecordings, { broadcastId });
    assert.deepEqual(recordings.map((candidate) => candidate.id), [recording.id]);
    await assert.rejects(bus.request(LocateRecordingFile, { id: recording.id }), isBusError('conflict', `recording ${recording.id} is recording`));
    await broadcastEnds(broadcastId, 'live');
    await recordingIn(recording.id, ['failed']);
  });

  it('finalises the segments into one faststart MP4 through the recording queue when the broadcast ends', async () => {
    const broadcastId = randomUUID();
    const { id } = await recordingStarts(broadcastId);
    const segments = await writeSegments(segmentsDirOf(broadcastId), 6, 2);
    assert.deepEqual(segments, ['segment-000000.ts', 'segment-000001.ts', 'segment-000002.ts']);

    await broadcastEnds(broadcastId, 'live');
    const ready = await recordingIn(id, ['ready', 'failed']);
    assert.equal(ready.state, 'ready', `finalising failed: ${ready.error}`);
    assert.equal(ready.error, null);
    assert.equal(ready.segments, 3);
    assert.ok(ready.finalizedAt);
    assert.ok(Math.abs(ready.durationSeconds! - 6) <= 0.3, `duration ${ready.durationSeconds} s`);

    const mp4 = join(recordingsDir(), broadcastId, 'recording.mp4');
    assert.deepEqual(await readdir(join(recordingsDir(), broadcastId)), ['recording.mp4'], 'one MP4, and the segments are gone');
    assert.equal((await stat(mp4)).size, ready.sizeBytes);
    const probed = await probe(mp4);
    assert.ok(Math.abs(probed.duration - 6) <= 0.3, `ffprobe says ${probed.duration} s`);
    assert.deepEqual(probed.codecs, ['aac', 'h264']);
    const boxes = await topLevelBoxes(mp4);
    assert.equal(boxes[0], 'ftyp');
    assert.ok(boxes.includes('moov') && boxes.includes('mdat'), `boxes: ${boxes.join(', ')}`);
    assert.ok(boxes.indexOf('moov') < boxes.indexOf('mdat'), `faststart puts moov before mdat: ${boxes.join(', ')}`);

    const event = await observer.waitFor(RecordingFinalized, (payload) => payload.recordingId === id);
    assert.deepEqual(event.payload, { recordingId: id, broadcastId, durationSeconds: ready.durationSeconds, sizeBytes: ready.sizeBytes });
    assert.equal(event.producer, 'recorder');

    const job = await recordingQueue.getJob(id);
    assert.ok(job, 'the finalize job went through the recording queue');
    assert.equal(job.name, 'finalize');
    assert.deepEqual(job.data, { recordingId: id });
    assert.equal(await job.getState(), 'completed');

    assert.deepEqual(await bus.request(LocateRecordingFile, { id }), { relativePath: `${broadcastId}/recording.mp4`, sizeBytes: ready.sizeBytes });
  });

  it('marks a recording without any segment failed, with the reason, and has no file to locate', async () => {
    const broadcastId = randomUUID();
    const { id } = await recordingStarts(broadcastId);
    await broadcastEnds(broadcastId, 'starting');
    const failed = await recordingIn(id, ['failed', 'ready']);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error, 'no media was recorded (the program never started)');
    assert.equal(failed.finalizedAt, null);
    await assert.rejects(bus.request(LocateRecordingFile, { id }), isBusError('conflict', `recording ${id} is failed; its file is not ready`));
    assert.ok(!observer.messages(RecordingFinalized).some((message) => message.payload.recordingId === id), 'no recording.finalized for it');
  });

  it('retries a failing remux, marks the recording failed after the last attempt and keeps the segments', async () => {
    const broadcastId = randomUUID();
    const { id } = await recordingStarts(broadcastId);
    const directory = segmentsDirOf(broadcastId);
    // Text, not random bytes: random bytes sometimes look like a stream to the probe, and ffmpeg's
    // complaint then varies from run to run.
    const notMedia = Buffer.from('not a transport stream, only text\n'.repeat(600));
    await writeFile(join(directory, 'segment-000000.ts'), notMedia);
    await writeFile(join(directory, 'segment-000001.ts'), notMedia);
    await broadcastEnds(broadcastId, 'live');

    // Three attempts, 2 s then 4 s apart: the state stays `finalizing` until the last one fails.
    const failed = await recordingIn(id, ['failed', 'ready'], 30_000);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /^joining 2 segments failed: .*Invalid data/);
    const job = await waitFor('the job to be failed', async () => {
      const candidate = await recordingQueue.getJob(id);
      return candidate && (await candidate.getState()) === 'failed' ? candidate : undefined;
    });
    assert.equal(job.attemptsMade, 3);
    const left = (await readdir(directory)).filter((name) => name.endsWith('.ts')).sort();
    assert.deepEqual(left, ['segment-000000.ts', 'segment-000001.ts'], 'nothing recorded is deleted after a failure');
  });

  it('finishes a recording whose broadcast ends right after it started', async () => {
    const broadcastId = randomUUID();
    // The publisher does this when a broadcast is stopped at once: the events arrive back to back.
    await broadcastMoves(broadcastId, 'starting', null);
    await broadcastEnds(broadcastId, 'starting');
    const recording = await waitFor(`the recording of ${broadcastId}`, async () => (await bus.request(ListRecordings, { broadcastId }))[0]);
    const settled = await recordingIn(recording.id, ['failed', 'ready'], 5_000).catch(async () => bus.request(GetRecording, { id: recording.id }));
    assert.equal(settled.state, 'failed', `the recording is left ${settled.state}: the end was handled before the start had registered its process`);
  });

  it('takes over the recording of a recorder that stopped renewing its lease: resumes it while the broadcast runs, finalises it after', async () => {
    const broadcastId = randomUUID();
    const id = await recordingLeftByADeadRecorder(broadcastId);
    broadcastStates.set(broadcastId, 'live');
    app.get(RecordingsService).nudge();
    const held = await queryRecorder<{ owner: string; state: string; lease_ok: boolean }>(
      `SELECT owner, state, lease_until > now() AS lease_ok FROM recorder.recordings WHERE id = $1`,
      [id],
    );
    assert.notEqual(held[0]!.owner, 'a-recorder-that-died', 'nobody took the recording over');
    assert.equal(held[0]!.state, 'recording', 'a running broadcast must go on being recorded');
    assert.ok(held[0]!.lease_ok);

    broadcastStates.set(broadcastId, 'ended');
    await broadcastEnds(broadcastId, 'live');
    const ready = await recordingIn(id, ['ready']);
    assert.ok(Math.abs((ready.durationSeconds ?? 0) - 4) < 0.3, `finalised ${ready.durationSeconds} s of the 4 s on disk`);
  });

  it('finalises a taken-over recording at once when its broadcast ended while nobody held it', async () => {
    const broadcastId = randomUUID();
    const id = await recordingLeftByADeadRecorder(broadcastId);
    broadcastStates.set(broadcastId, 'ended');
    app.get(RecordingsService).nudge();
    await recordingIn(id, ['ready']);
  });

  it('finishes by itself when the "ending" event never reached it', async () => {
    const broadcastId = randomUUID();
    const { id } = await recordingStarts(broadcastId);
    await writeSegments(segmentsDirOf(broadcastId), 4, 2);
    // The publisher ended the broadcast, but the event was lost: only its answer to broadcasts.get says so.
    broadcastStates.set(broadcastId, 'ended');
    const ready = await recordingIn(id, ['ready']);
    assert.ok(Math.abs((ready.durationSeconds ?? 0) - 4) < 0.3);
  });

  it('answers not_found for an unknown recording', async () => {
    const id = randomUUID();
    await assert.rejects(bus.request(GetRecording, { id }), isBusError('not_found', `no recording with id ${id}`));
    await assert.rejects(bus.request(LocateRecordingFile, { id }), isBusError('not_found', `no recording with id ${id}`));
    assert.deepEqual(await bus.request(ListRecordings, { broadcastId: randomUUID() }), []);
  });

  it('published only messages that match their contracts', () => {
    assert.deepEqual(observer.offContract, []);
  });
});
