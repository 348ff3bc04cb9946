import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Logger, type INestMicroservice } from '@nestjs/common';
import pg from 'pg';
import { BroadcastStateChanged, DEFAULT_VJ_SETTINGS, EncoderProgress, ListPrograms, ProgramRequested, type TranscodeJob } from '@streamcaster/contracts';
import { startBusService, BusClient, LeaseStore } from '@streamcaster/service-kit';
import { runOnce } from '@streamcaster/supervisor';
import {
  BusObserver,
  createTestEnvironment,
  LifecyclePublisher,
  processTree,
  publishAsDj,
  RtmpServer,
  type TestEnvironment,
  waitFor, runServiceUntilExit } from '@streamcaster/testing';
import { TranscoderModule } from '../src/app.module.js';
import { layoutProgram } from '../src/composition/overlay-layout.js';
import { loadTranscoderConfig, type TranscoderConfig } from '../src/config/transcoder.config.js';
import { EncoderRegistry } from '../src/encoders/encoder-registry.js';
import { ProgramWorkers } from '../src/transcode/program-workers.service.js';

const PROGRAM = { width: 640, height: 360, fps: 25 };
const DJ_COLOUR: [number, number, number] = [0x20, 0x30, 0x40];

let env: TestEnvironment;
let config: TranscoderConfig;
let app: INestMicroservice;
/** Transcoder instances the tests started besides `app`, closed at the end. */
const otherInstances: INestMicroservice[] = [];
let bus: BusClient;
let observer: BusObserver;
/** Plays the publisher: program requests and broadcast states reach the transcoder durably. */
let publisher: LifecyclePublisher;
let database: pg.Client;
let rtmp: RtmpServer;
let rtmpUrl: string;
const djs: ChildProcess[] = [];

/** A DJ publishing as OBS does: H.264 + AAC in real time, one flat colour so the overlays stand out. */
function djPublishes(url: string, seconds: number): ChildProcess {
  const dj = publishAsDj(url, seconds, { gopFrames: 30, colour: `0x${DJ_COLOUR.map((value) => value.toString(16).padStart(2, '0')).join('')}` });
  djs.push(dj.process);
  return dj.process;
}

function startTranscoder(): Promise<INestMicroservice> {
  return startBusService('transcoder', TranscoderModule.forRoot(config), config);
}

/** What the publisher asks for when a DJ starts: the program of a new broadcast, read from live/<DJ id>. */
async function programRequested(djId: string, logo: TranscodeJob['logo'] = null): Promise<TranscodeJob> {
  const broadcastId = randomUUID();
  const job: TranscodeJob = { broadcastId, environment: 'live', input: { app: 'live', streamName: djId }, djName: 'DJ Pixel', logo, slate: { organizationName: 'Club Pixel', message: 'DJ Pixel will be right back' }, vj: DEFAULT_VJ_SETTINGS };
  await publisher.publish(ProgramRequested, job, broadcastId);
  return job;
}

function broadcastEnded(job: TranscodeJob) {
  return publisher.publish(
    BroadcastStateChanged,
    { broadcastId: job.broadcastId, environment: job.environment, djName: job.djName, title: `${job.djName} live`, state: 'ended', previousState: 'ending' },
    job.broadcastId,
  );
}

async function leaseOf(broadcastId: string): Promise<{ owner: string; token: number } | undefined> {
  const rows = await database.query<{ owner: string; token: string }>(`SELECT owner, token FROM transcoder.leases WHERE resource = $1`, [`program:${broadcastId}`]);
  const row = rows.rows[0];
  return row && { owner: row.owner, token: Number(row.token) };
}

async function programRow(broadcastId: string): Promise<{ job: TranscodeJob; wanted: boolean; ended: boolean } | undefined> {
  const rows = await database.query<{ job: TranscodeJob; wanted: boolean; ended: boolean }>(
    `SELECT job, wanted, ended_at IS NOT NULL AS ended FROM transcoder.programs WHERE broadcast_id = $1`,
    [broadcastId],
  );
  return rows.rows[0];
}

/** The encoders of a program running on this machine now: ffmpeg processes writing program/<id>. */
function encoderProcessesOf(broadcastId: string): number {
  return [...processTree([process.pid]).values()].filter(
    (sample) => /(^|\/)ffmpeg /.test(sample.command) && sample.command.includes(`/program/${broadcastId}`),
  ).length;
}

/** Which of the transcoder instances run the program of a broadcast now. */
function holdersOf(instances: INestMicroservice[], broadcastId: string): INestMicroservice[] {
  return instances.filter((instance) => instance.get(ProgramWorkers).heldKeys().includes(broadcastId));
}

/** A logo in the shared asset store, named by its content as the gateway names it. */
async function storeLogo(colour: string, width: number, height: number): Promise<string> {
  const scratch = join(env.dataDir, `logo-${randomUUID()}.png`);
  const made = await runOnce('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=${colour}:s=${width}x${height}`, '-frames:v', '1', '-y', scratch]);
  assert.equal(made.code, 0, made.stderr);
  const name = `${createHash('sha256').update(await readFile(scratch)).digest('hex')}.png`;
  await mkdir(join(env.dataDir, 'assets'), { recursive: true });
  await rename(scratch, join(env.dataDir, 'assets', name));
  return name;
}

/** One decoded frame of a live stream, as RGB24. */
function grabFrame(url: string, width: number, height: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-v', 'error', '-i', url, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('close', (code) => {
      clearTimeout(timer);
      const frame = Buffer.concat(chunks);
      if (code === 0 && frame.length === width * height * 3) resolve(frame);
      else reject(new Error(`no ${width}x${height} frame from ${url} (${frame.length} bytes, exit ${code}): ${stderr}`));
    });
  });
}

function meanColour(frame: Buffer, width: number, box: { x: number; y: number; width: number; height: number }): [number, number, number] {
  const sum = [0, 0, 0];
  for (let y = box.y; y < box.y + box.height; y += 1) {
    for (let x = box.x; x < box.x + box.width; x += 1) {
      for (let channel = 0; channel < 3; channel += 1) sum[channel]! += frame[(y * width + x) * 3 + channel]!;
    }
  }
  const count = box.width * box.height;
  return sum.map((value) => Math.round(value / count)) as [number, number, number];
}

function assertColourNear(actual: [number, number, number], expected: [number, number, number], tolerance: number, what: string): void {
  const off = actual.some((value, channel) => Math.abs(value - expected[channel]!) > tolerance);
  assert.ok(!off, `${what}: mean colour ${actual.join(',')} is not within ${tolerance} of ${expected.join(',')}`);
}

async function probeStreams(url: string): Promise<Array<{ codec_name: string; codec_type: string; width?: number; height?: number; sample_rate?: string }>> {
  const result = await runOnce('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,codec_type,width,height,sample_rate', '-of', 'json', url], 20_000);
  assert.equal(result.code, 0, `ffprobe ${url}: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { streams: Array<{ codec_name: string; codec_type: string }> }).streams;
}

/** Runs the compiled transcoder as `npm start` would, in this test's environment, until it exits. */
function runTranscoderProcess(overrides: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return runServiceUntilExit(fileURLToPath(new URL('../src/main.js', import.meta.url)), { ...env.env, ...overrides }, 30_000);
}

before(async () => {
  Logger.overrideLogger(['error', 'warn']);
  env = await createTestEnvironment('transcoder');
  rtmp = await RtmpServer.start(join(env.dataDir, 'nginx'));
  rtmpUrl = rtmp.url;
  config = loadTranscoderConfig({
    ...env.env,
    RTMP_INTERNAL_URL: rtmpUrl,
    TRANSCODER_ENCODER: 'libx264',
    TRANSCODER_WIDTH: String(PROGRAM.width),
    TRANSCODER_HEIGHT: String(PROGRAM.height),
    TRANSCODER_FPS: String(PROGRAM.fps),
    TRANSCODER_VIDEO_BITRATE_KBPS: '800',
    TRANSCODER_X264_PRESET: 'ultrafast',
  });
  observer = await BusObserver.connect(env.natsUrl, env.subjectPrefix);
  await observer.observe(EncoderProgress, ProgramRequested);
  app = await startTranscoder();
  bus = new BusClient('test', env.subjectPrefix, env.natsUrl);
  await bus.connect();
  publisher = await LifecyclePublisher.connect(env.natsUrl, env.subjectPrefix, 'publisher');
  database = new pg.Client({ connectionString: env.databaseUrl });
  await database.connect();
});

after(async () => {
  for (const dj of djs) dj.kill('SIGKILL');
  for (const instance of [app, ...otherInstances]) await instance?.close();
  await Promise.all([bus?.close(), observer?.close(), publisher?.close(), database?.end(), rtmp?.stop()]);
  await env?.dispose();
});

// The encoder probe on real GPUs, and the fallback without one: gpu.int-spec.ts.
describe('transcoder encoders', () => {
  it('boots with TRANSCODER_ENCODER=libx264 and encodes with libx264', async () => {
    assert.deepEqual(await app.get(EncoderRegistry).choice(), { kind: 'libx264' });
  });

  it('refuses an unknown TRANSCODER_ENCODER at configuration time with exit code 78', async () => {
    const run = await runTranscoderProcess({ TRANSCODER_ENCODER: 'h265' });
    assert.equal(run.code, 78, `exit code; output:\n${run.output}`);
    assert.match(run.output, /TRANSCODER_ENCODER \(.*\) is "h265"/);
  });
});

describe('transcoder programs', () => {
  it('encodes the DJ input into the branded program for a program.requested, until the broadcast ends', async () => {
    const djId = randomUUID();
    const logoName = await storeLogo('red', 200, 100);
    djPublishes(`${rtmpUrl}/live/${djId}`, 40);
    const job = await programRequested(djId, { assetName: logoName, position: 'top-right', width: 200, height: 100 });
    const { broadcastId } = job;

    const progress = await observer.waitFor(EncoderProgress, (payload) => payload.broadcastId === broadcastId && payload.progress.frame > 0, 30_000);
    assert.equal(progress.payload.encoder, 'libx264');
    assert.equal(progress.producer, 'transcoder');
    assert.deepEqual(await programRow(broadcastId), { job, wanted: true, ended: false }, 'the request is kept until the broadcast is over');
    assert.deepEqual(await leaseOf(broadcastId), { owner: app.get(LeaseStore).owner, token: 1 });
    assert.deepEqual(app.get(ProgramWorkers).heldKeys(), [broadcastId]);
    assert.equal(encoderProcessesOf(broadcastId), 1, 'one encoder');

    const programUrl = `${rtmpUrl}/program/${broadcastId}`;
    const streams = await probeStreams(programUrl);
    const video = streams.find((stream) => stream.codec_type === 'video');
    const audio = streams.find((stream) => stream.codec_type === 'audio');
    assert.deepEqual(video && { codec: video.codec_name, width: video.width, height: video.height }, { codec: 'h264', ...{ width: PROGRAM.width, height: PROGRAM.height } });
    assert.deepEqual(audio && { codec: audio.codec_name, sampleRate: audio.sample_rate }, { codec: 'aac', sampleRate: '48000' });

    // The logo sits where the layout says, over the DJ's picture, which shows elsewhere.
    const frame = await grabFrame(programUrl, PROGRAM.width, PROGRAM.height);
    const layout = layoutProgram(PROGRAM, { width: 200, height: 100 }, 'top-right');
    const logo = layout.logo!;
    const inset = 4;
    const logoBox = { x: logo.x + inset, y: logo.y + inset, width: logo.width - 2 * inset, height: logo.height - 2 * inset };
    assertColourNear(meanColour(frame, PROGRAM.width, logoBox), [255, 0, 0], 40, 'the logo box');
    const middle = { x: PROGRAM.width / 2 - 40, y: PROGRAM.height / 2 - 40, width: 80, height: 80 };
    assertColourNear(meanColour(frame, PROGRAM.width, middle), DJ_COLOUR, 20, 'the middle of the picture');

    // Asked again (the publisher's reconciler does when it cannot see the program): nothing changes.
    await publisher.publish(ProgramRequested, job, broadcastId);
    await publisher.settled('transcoder');
    assert.deepEqual(await leaseOf(broadcastId), { owner: app.get(LeaseStore).owner, token: 1 }, 'the encoder was not restarted');
    assert.equal(encoderProcessesOf(broadcastId), 1);
    assert.deepEqual(
      (await bus.request(ListPrograms, {})).filter((program) => program.broadcastId === broadcastId),
      [{ broadcastId, wanted: true, running: true }],
    );

    // The broadcast ends: the publisher's event stops the encoder and frees the program.
    await broadcastEnded(job);
    await waitFor('the encoder to stop', async () => ((await leaseOf(broadcastId)) === undefined && encoderProcessesOf(broadcastId) === 0 ? true : undefined), 20_000);
    assert.deepEqual(await programRow(broadcastId), { job, wanted: false, ended: true });
    assert.deepEqual(app.get(ProgramWorkers).heldKeys(), []);
    assert.ok(!existsSync(join(env.dataDir, 'scratch', 'transcoder', broadcastId)), 'the scratch folder is removed');
    assert.deepEqual(
      (await bus.request(ListPrograms, {})).filter((program) => program.broadcastId === broadcastId),
      [{ broadcastId, wanted: false, running: false }],
    );
    const frames = observer.messages(EncoderProgress).filter((message) => message.payload.broadcastId === broadcastId).length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal(observer.messages(EncoderProgress).filter((message) => message.payload.broadcastId === broadcastId).length, frames, 'no progress after the stop');
  });

  it('runs a program on one of two transcoder instances only; the other takes it over when that one stops', async () => {
    const second = await startTranscoder();
    otherInstances.push(second);
    const instances = [app, second];
    const djId = randomUUID();
    djPublishes(`${rtmpUrl}/live/${djId}`, 60);
    const job = await programRequested(djId);
    const { broadcastId } = job;

    await observer.waitFor(EncoderProgress, (payload) => payload.broadcastId === broadcastId && payload.progress.frame > 0, 30_000);
    // For longer than a lease lives, exactly one instance runs it, with one encoder process.
    for (let look = 0; look < 8; look += 1) {
      assert.equal(holdersOf(instances, broadcastId).length, 1, `look ${look}: ${holdersOf(instances, broadcastId).length} instances run the program`);
      assert.equal(encoderProcessesOf(broadcastId), 1, `look ${look}: encoder processes`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const [holder] = holdersOf(instances, broadcastId);
    const survivor = instances.find((instance) => instance !== holder)!;
    assert.deepEqual(await leaseOf(broadcastId), { owner: holder!.get(LeaseStore).owner, token: 1 });

    // The holder shuts down: it stops its encoder and releases the lease, and the other carries on.
    await holder!.close();
    // Whichever went, the one left is `app` from here on.
    otherInstances.splice(otherInstances.indexOf(second), 1);
    app = survivor;
    const lease = await waitFor('the other instance to take the program over', async () => {
      const row = await leaseOf(broadcastId);
      return row && row.owner === survivor.get(LeaseStore).owner ? row : undefined;
    }, 10_000);
    assert.equal(lease.token, 2);
    const resumedFrom = observer.messages(EncoderProgress).length;
    await waitFor('the program to be encoded again', () => (observer.messages(EncoderProgress).slice(resumedFrom).some((message) => message.payload.broadcastId === broadcastId && message.payload.progress.frame > 0) ? true : undefined), 30_000);
    assert.deepEqual(holdersOf([survivor], broadcastId), [survivor]);
    assert.equal(encoderProcessesOf(broadcastId), 1);
    const streams = await probeStreams(`${rtmpUrl}/program/${broadcastId}`);
    assert.deepEqual(streams.map((stream) => stream.codec_type).sort(), ['audio', 'video']);

    await broadcastEnded(job);
    await waitFor('the encoder to stop', async () => ((await leaseOf(broadcastId)) === undefined && encoderProcessesOf(broadcastId) === 0 ? true : undefined), 20_000);
  });

  it('published only messages that match their contracts', () => {
    assert.deepEqual(observer.offContract, []);
  });
});
