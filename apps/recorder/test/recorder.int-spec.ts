import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { Queue } from 'bullmq';
import pg from 'pg';
import {
  BroadcastStateChanged,
  GetRecording,
  ListRecordings,
  LocateRecordingFile,
  RECORDING_QUEUE,
  RecordingFinalized,
  RecordingProgress,
  RecordingStarted,
  type BroadcastState,
  type RecordingView,
} from '@streamcaster/contracts';
import { BusClient, BusRequestError, LeaseStore, startBusService } from '@streamcaster/service-kit';
import { runOnce } from '@streamcaster/supervisor';
import {
  BusObserver,
  createTestEnvironment,
  frameAtRgb,
  LifecyclePublisher,
  meanColour,
  publishAsDj,
  RtmpServer,
  type TestEnvironment,
  waitFor,
} from '@streamcaster/testing';
import { RecorderModule } from '../src/app.module.js';
import { loadRecorderConfig, type RecorderConfig } from '../src/config/recorder.config.js';

const SEGMENT_SECONDS = 2;
const PROGRAM = { width: 320, height: 240, fps: 25 };
const RED: [number, number, number] = [255, 0, 0];
const BLUE: [number, number, number] = [0, 0, 255];

let env: TestEnvironment;
let config: RecorderConfig;
let app: INestMicroservice;
let rtmp: RtmpServer;
let bus: BusClient;
let observer: BusObserver;
/** Plays the publisher: broadcast state changes reach the recorder through its durable consumer. */
let publisher: LifecyclePublisher;
let database: pg.Client;
let recordingQueue: Queue;

const recordingsDir = () => join(env.dataDir, 'recordings');
const segmentsDirOf = (broadcastId: string) => join(recordingsDir(), broadcastId, 'segments');
const segmentName = (token: number, number: number) => `segment-${String(token).padStart(6, '0')}-${String(number).padStart(6, '0')}.ts`;

function isBusError(code: BusRequestError['code'], messagePart: string) {
  return (error: unknown) => {
    assert.ok(error instanceof BusRequestError, `expected a BusRequestError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.ok(error.message.includes(messagePart), `"${error.message}" should contain "${messagePart}"`);
    return true;
  };
}

/** What the publisher's outbox sends on each step of a broadcast. */
function broadcastMoves(broadcastId: string, state: BroadcastState, previousState: BroadcastState | null) {
  return publisher.publish(BroadcastStateChanged, { broadcastId, environment: 'live', djName: 'DJ Tape', title: 'DJ Tape live', state, previousState }, broadcastId);
}

async function broadcastEnds(broadcastId: string, from: BroadcastState): Promise<void> {
  await broadcastMoves(broadcastId, 'ending', from);
  await broadcastMoves(broadcastId, 'ended', 'ending');
}

interface LeaseRow {
  owner: string;
  token: number;
}

async function leaseOf(recordingId: string): Promise<LeaseRow | undefined> {
  const rows = await database.query<{ owner: string; token: string }>(`SELECT owner, token FROM recorder.leases WHERE resource = $1`, [`recording:${recordingId}`]);
  const row = rows.rows[0];
  return row && { owner: row.owner, token: Number(row.token) };
}

/** Starts a broadcast and waits until a recorder writes its recording under a lease. */
async function recordingStarts(broadcastId: string): Promise<{ recording: RecordingView; lease: LeaseRow }> {
  await broadcastMoves(broadcastId, 'starting', null);
  const recording = await waitFor(`the recording of ${broadcastId}`, async () => (await bus.request(ListRecordings, { broadcastId }))[0]);
  const lease = await waitFor(`the writer of ${recording.id} to hold its lease`, () => leaseOf(recording.id));
  return { recording, lease };
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

/** The transcoder's program of a broadcast, in real time on nginx-rtmp: one colour, a keyframe per segment. */
async function programPlays(broadcastId: string, seconds: number, colour: string): Promise<void> {
  const program = publishAsDj(`${rtmp.url}/program/${broadcastId}`, seconds, {
    colour,
    size: `${PROGRAM.width}x${PROGRAM.height}`,
    fps: PROGRAM.fps,
    gopFrames: PROGRAM.fps * SEGMENT_SECONDS,
  });
  assert.equal(await program.exited, 0, `the program could not be published: ${program.stderr()}`);
}

async function segmentsOn(broadcastId: string): Promise<string[]> {
  return (await readdir(segmentsDirOf(broadcastId)).catch(() => [] as string[])).filter((name) => name.endsWith('.ts')).sort();
}

/** Real MPEG-TS segments as a recorder's ffmpeg writes them under lease token `token`. */
async function writeSegments(directory: string, token: number, seconds: number, colour: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const result = await runOnce('ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `color=c=${colour}:s=${PROGRAM.width}x${PROGRAM.height}:r=${PROGRAM.fps}`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-g', String(PROGRAM.fps * SEGMENT_SECONDS), '-keyint_min', String(PROGRAM.fps * SEGMENT_SECONDS), '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '96k',
    '-f', 'segment', '-segment_time', String(SEGMENT_SECONDS), '-segment_format', 'mpegts', '-reset_timestamps', '0',
    join(directory, `segment-${String(token).padStart(6, '0')}-%06d.ts`),
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

async function colourAt(path: string, seconds: number): Promise<[number, number, number]> {
  const frame = await frameAtRgb(path, seconds, PROGRAM.width, PROGRAM.height);
  return meanColour(frame, PROGRAM.width, { x: PROGRAM.width / 4, y: PROGRAM.height / 4, width: PROGRAM.width / 2, height: PROGRAM.height / 2 });
}

function assertColourNear(actual: [number, number, number], expected: [number, number, number], what: string): void {
  const off = actual.some((value, channel) => Math.abs(value - expected[channel]!) > 40);
  assert.ok(!off, `${what}: mean colour ${actual.map(Math.round).join(',')} is not near ${expected.join(',')}`);
}

/** The distinct ids of the events seen for a broadcast (a copy an outbox resent has the same id). */
function eventIds(event: typeof RecordingStarted | typeof RecordingFinalized, broadcastId: string): string[] {
  return [...new Set(observer.messages(event).filter((message) => message.payload.broadcastId === broadcastId).map((message) => message.id))];
}

before(async () => {
  Logger.overrideLogger(['error', 'warn']);
  env = await createTestEnvironment('recorder');
  rtmp = await RtmpServer.start(join(env.dataDir, 'nginx'));
  config = loadRecorderConfig({ ...env.env, RTMP_INTERNAL_URL: rtmp.url, RECORDER_SEGMENT_SECONDS: String(SEGMENT_SECONDS) });
  observer = await BusObserver.connect(env.natsUrl, env.subjectPrefix);
  await observer.observe(RecordingStarted, RecordingFinalized, RecordingProgress);
  app = await startBusService('recorder', RecorderModule.forRoot(config), config);
  bus = new BusClient('test', env.subjectPrefix, env.natsUrl);
  await bus.connect();
  publisher = await LifecyclePublisher.connect(env.natsUrl, env.subjectPrefix, 'publisher');
  database = new pg.Client({ connectionString: env.databaseUrl });
  await database.connect();
  recordingQueue = new Queue(RECORDING_QUEUE, { connection: { url: env.redisUrl }, prefix: env.queuePrefix });
});

after(async () => {
  await app?.close();
  await Promise.all([bus?.close(), observer?.close(), publisher?.close(), database?.end(), recordingQueue?.close(), rtmp?.stop()]);
  await env?.dispose();
});

describe('recorder', () => {
  it('creates one recording per broadcast, however often it hears that the broadcast runs, and writes it under a lease', async () => {
    const broadcastId = randomUUID();
    const first = await broadcastMoves(broadcastId, 'starting', null);
    // The same event delivered again (an outbox that resent it), a repeated state, then the next one.
    await publisher.publishMessage(BroadcastStateChanged, first, randomUUID());
    await broadcastMoves(broadcastId, 'starting', null);
    await broadcastMoves(broadcastId, 'live', 'starting');
    await publisher.settled('recorder');

    const recordings = await bus.request(ListRecordings, { broadcastId });
    assert.equal(recordings.length, 1);
    const recording = recordings[0]!;
    assert.equal(recording.state, 'recording');
    assert.equal(recording.segments, 0);
    assert.equal(recording.durationSeconds, null);
    assert.equal(recording.finalizedAt, null);
    const started = await observer.waitFor(RecordingStarted, (payload) => payload.broadcastId === broadcastId);
    assert.deepEqual(started.payload, { recordingId: recording.id, broadcastId });
    assert.equal(started.producer, 'recorder');
    assert.equal(started.correlationId, broadcastId);
    assert.deepEqual(eventIds(RecordingStarted, broadcastId), [started.id], 'one recording.started');

    const lease = await waitFor('the writer\'s lease', () => leaseOf(recording.id));
    assert.deepEqual(lease, { owner: app.get(LeaseStore).owner, token: 1 });
    await assert.rejects(bus.request(LocateRecordingFile, { id: recording.id }), isBusError('conflict', `recording ${recording.id} is recording`));
    await broadcastEnds(broadcastId, 'live');
    await recordingIn(recording.id, ['failed']);
  });

  it('records the program into segments of its lease and finalises them into one faststart MP4 when the broadcast ends', async () => {
    const broadcastId = randomUUID();
    const { recording } = await recordingStarts(broadcastId);
    const { id } = recording;
    // The writer waits on program/<id> before the program exists, so it gets the first keyframe.
    await programPlays(broadcastId, 6, 'red');
    const segments = await waitFor('the last segment to be closed', async () => {
      const names = await segmentsOn(broadcastId);
      return names.length >= 3 ? names : undefined;
    });
    assert.deepEqual(segments, segments.map((_name, index) => segmentName(1, index)), 'numbered from 0 under token 1');
    // While it wrote, the recorder said how far it was, once a second: growing size and duration.
    const progress = observer.messages(RecordingProgress).filter((message) => message.payload.recordingId === id).map((message) => message.payload);
    assert.ok(progress.length >= 3, `${progress.length} recording.progress events in 6 s`);
    assert.ok(progress.every((report, index) => index === 0 || (report.sizeBytes >= progress[index - 1]!.sizeBytes && report.durationSeconds >= progress[index - 1]!.durationSeconds)));
    assert.ok(progress.at(-1)!.sizeBytes > 0 && progress.at(-1)!.durationSeconds >= 3, JSON.stringify(progress.at(-1)));
    assert.equal(progress[0]!.broadcastId, broadcastId);

    await broadcastEnds(broadcastId, 'live');
    const ready = await recordingIn(id, ['ready', 'failed']);
    assert.equal(ready.state, 'ready', `finalising failed: ${ready.error}`);
    assert.equal(ready.error, null);
    assert.equal(ready.segments, segments.length);
    assert.ok(ready.finalizedAt);
    assert.ok(Math.abs(ready.durationSeconds! - 6) <= 1, `duration ${ready.durationSeconds} s of a 6 s program`);
    assert.equal(await leaseOf(id), undefined, 'the writer let its lease go');

    const mp4 = join(recordingsDir(), broadcastId, 'recording.mp4');
    assert.deepEqual(await readdir(join(recordingsDir(), broadcastId)), ['recording.mp4'], 'one MP4, and the segments are gone');
    assert.equal((await stat(mp4)).size, ready.sizeBytes);
    const probed = await probe(mp4);
    assert.ok(Math.abs(probed.duration - ready.durationSeconds!) <= 0.1, `ffprobe says ${probed.duration} s`);
    assert.deepEqual(probed.codecs, ['aac', 'h264']);
    assertColourNear(await colourAt(mp4, 1), RED, 'the picture');
    const boxes = await topLevelBoxes(mp4);
    assert.equal(boxes[0], 'ftyp');
    assert.ok(boxes.includes('moov') && boxes.includes('mdat'), `boxes: ${boxes.join(', ')}`);
    assert.ok(boxes.indexOf('moov') < boxes.indexOf('mdat'), `faststart puts moov before mdat: ${boxes.join(', ')}`);

    const event = await observer.waitFor(RecordingFinalized, (payload) => payload.recordingId === id);
    assert.deepEqual(event.payload, { recordingId: id, broadcastId, durationSeconds: ready.durationSeconds, sizeBytes: ready.sizeBytes });
    assert.equal(event.producer, 'recorder');
    assert.deepEqual(eventIds(RecordingFinalized, broadcastId), [event.id]);

    const job = await recordingQueue.getJob(id);
    assert.ok(job, 'the finalize job went through the recording queue');
    assert.equal(job.name, 'finalize');
    assert.deepEqual(job.data, { recordingId: id });
    assert.equal(await job.getState(), 'completed');

    assert.deepEqual(await bus.request(LocateRecordingFile, { id }), { relativePath: `${broadcastId}/recording.mp4`, sizeBytes: ready.sizeBytes });
  });

  it('takes over a recording whose recorder died: writes on under token 2 in the same folder, and finalises both owners\' segments in order', async () => {
    const broadcastId = randomUUID();
    // 4 s of red written by a recorder that then died, its lease a minute old.
    const deadSegments = await writeSegments(segmentsDirOf(broadcastId), 1, 4, 'red');
    assert.deepEqual(deadSegments, [segmentName(1, 0), segmentName(1, 1)]);
    const inserted = await database.query<{ id: string }>(
      `WITH recording AS (
         INSERT INTO recorder.recordings (broadcast_id, state, directory, started_at, segments) VALUES ($1::uuid, 'recording', $1::text, now(), 0) RETURNING id)
       INSERT INTO recorder.leases (resource, owner, token, renewed_at)
         SELECT 'recording:' || id, 'a-recorder-that-died', 1, now() - interval '1 minute' FROM recording
       RETURNING substring(resource FROM 11) AS id`,
      [broadcastId],
    );
    const id = inserted.rows[0]!.id;

    const lease = await waitFor('the recorder to take the recording over', async () => {
      const row = await leaseOf(id);
      return row && row.owner !== 'a-recorder-that-died' ? row : undefined;
    });
    assert.deepEqual(lease, { owner: app.get(LeaseStore).owner, token: 2 });

    // The broadcast goes on: the program (blue now) is written by the new owner into the same folder.
    await programPlays(broadcastId, 4, 'blue');
    const segments = await waitFor('the new owner\'s segments', async () => {
      const names = await segmentsOn(broadcastId);
      return names.filter((name) => name.startsWith('segment-000002-')).length >= 2 ? names : undefined;
    });
    assert.deepEqual(segments.slice(0, 2), deadSegments, 'the dead owner\'s segments are untouched');
    assert.deepEqual(segments.slice(2), segments.slice(2).map((_name, index) => segmentName(2, index)));

    await broadcastEnds(broadcastId, 'live');
    const ready = await recordingIn(id, ['ready', 'failed']);
    assert.equal(ready.state, 'ready', `finalising failed: ${ready.error}`);
    assert.equal(ready.segments, segments.length);
    assert.ok(Math.abs(ready.durationSeconds! - 8) <= 1, `finalised ${ready.durationSeconds} s of 4 s + 4 s`);
    const mp4 = join(recordingsDir(), broadcastId, 'recording.mp4');
    assertColourNear(await colourAt(mp4, 1), RED, 'the first owner\'s part comes first');
    assertColourNear(await colourAt(mp4, ready.durationSeconds! - 1), BLUE, 'the second owner\'s part comes last');
  });

  it('marks a recording without any segment failed, with the reason, and has no file to locate', async () => {
    const broadcastId = randomUUID();
    const { recording } = await recordingStarts(broadcastId);
    await broadcastEnds(broadcastId, 'starting');
    const failed = await recordingIn(recording.id, ['failed', 'ready']);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error, 'no media was recorded (the program never started)');
    assert.equal(failed.finalizedAt, null);
    await assert.rejects(bus.request(LocateRecordingFile, { id: recording.id }), isBusError('conflict', `recording ${recording.id} is failed; its file is not ready`));
    assert.deepEqual(eventIds(RecordingFinalized, broadcastId), [], 'no recording.finalized for it');
  });

  it('retries a failing remux, marks the recording failed after the last attempt and keeps the segments', async () => {
    const broadcastId = randomUUID();
    const { recording, lease } = await recordingStarts(broadcastId);
    const directory = segmentsDirOf(broadcastId);
    // Text, not random bytes: random bytes sometimes look like a stream to the probe, and ffmpeg's
    // complaint then varies from run to run. It starts with 'G' (0x47, MPEG-TS's sync byte), so
    // that it is handed to the remux rather than left out as a segment a dying writer left empty.
    const notMedia = Buffer.from('Garbage: not a transport stream, only text\n'.repeat(600));
    const names = [segmentName(lease.token, 0), segmentName(lease.token, 1)];
    for (const name of names) await writeFile(join(directory, name), notMedia);
    await broadcastEnds(broadcastId, 'live');

    // Three attempts, 2 s then 4 s apart: the state stays `finalizing` until the last one fails.
    const failed = await recordingIn(recording.id, ['failed', 'ready'], 30_000);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /^joining 2 segments failed: .*Invalid data/);
    const job = await waitFor('the job to be failed', async () => {
      const candidate = await recordingQueue.getJob(recording.id);
      return candidate && (await candidate.getState()) === 'failed' ? candidate : undefined;
    });
    assert.equal(job.attemptsMade, 3);
    assert.deepEqual(await segmentsOn(broadcastId), names, 'nothing recorded is deleted after a failure');
  });

  it('leaves out the empty segment a writer killed as it opened it, and finalises the rest whole', async () => {
    const broadcastId = randomUUID();
    const { recording, lease } = await recordingStarts(broadcastId);
    const directory = segmentsDirOf(broadcastId);
    const written = await writeSegments(directory, lease.token, 2 * SEGMENT_SECONDS, 'red');
    // The dead writer's last file: opened, nothing written. Its successor writes under token + 1.
    await writeFile(join(directory, segmentName(lease.token, written.length)), Buffer.alloc(0));
    await writeSegments(directory, lease.token + 1, SEGMENT_SECONDS, 'blue');
    await broadcastEnds(broadcastId, 'live');
    const ready = await recordingIn(recording.id, ['ready', 'failed']);
    assert.equal(ready.state, 'ready', ready.error ?? '');
    // Every segment with media is in, in order: 2 segments of red, then 1 of blue.
    assert.ok(Math.abs((ready.durationSeconds ?? 0) - 3 * SEGMENT_SECONDS) < 0.5, `finalised ${ready.durationSeconds} s`);
  });

  it('finishes a recording whose broadcast ends right after it started', async () => {
    const broadcastId = randomUUID();
    // The publisher does this when a broadcast is stopped at once: the events arrive back to back.
    await broadcastMoves(broadcastId, 'starting', null);
    await broadcastEnds(broadcastId, 'starting');
    const recording = await waitFor(`the recording of ${broadcastId}`, async () => (await bus.request(ListRecordings, { broadcastId }))[0]);
    const settled = await recordingIn(recording.id, ['failed', 'ready'], 10_000).catch(async () => bus.request(GetRecording, { id: recording.id }));
    assert.equal(settled.state, 'failed', `the recording is left ${settled.state}`);
    assert.equal(await leaseOf(recording.id), undefined, 'no writer is left holding it');
  });

  it('answers not_found for an unknown recording', async () => {
    const id = randomUUID();
    await assert.rejects(bus.request(GetRecording, { id }), isBusError('not_found', `no recording with id ${id}`));
    await assert.rejects(bus.request(LocateRecordingFile, { id }), isBusError('not_found', `no recording with id ${id}`));
    assert.deepEqual(await bus.request(ListRecordings, { broadcastId: randomUUID() }), []);
  });

  it('finalises a recording whose broadcast ended while no recorder ran, once a recorder starts again', async () => {
    const broadcastId = randomUUID();
    const { recording } = await recordingStarts(broadcastId);
    await programPlays(broadcastId, 4, 'blue');
    await waitFor('the segments', async () => ((await segmentsOn(broadcastId)).length >= 2 ? true : undefined));

    // The only recorder stops (its writer closes the segment and lets the lease go); the broadcast
    // ends meanwhile: the events wait in JetStream for the recorder's durable consumer.
    await app.close();
    const released = await database.query<{ released: boolean }>(`SELECT renewed_at = '-infinity' AS released FROM recorder.leases WHERE resource = $1`, [`recording:${recording.id}`]);
    assert.deepEqual(released.rows, [{ released: true }], 'the stopping recorder released the lease for a take-over at once');
    await broadcastEnds(broadcastId, 'live');
    assert.equal((await database.query(`SELECT state FROM recorder.recordings WHERE id = $1`, [recording.id])).rows[0]?.state, 'recording');

    app = await startBusService('recorder', RecorderModule.forRoot(config), config);
    const ready = await recordingIn(recording.id, ['ready', 'failed']);
    assert.equal(ready.state, 'ready', `finalising failed: ${ready.error}`);
    assert.ok(Math.abs(ready.durationSeconds! - 4) <= 1, `finalised ${ready.durationSeconds} s of a 4 s program`);
    await observer.waitFor(RecordingFinalized, (payload) => payload.recordingId === recording.id);
  });

  it('published only messages that match their contracts', () => {
    assert.deepEqual(observer.offContract, []);
  });
});
