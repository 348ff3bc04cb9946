import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Logger, type INestMicroservice } from '@nestjs/common';
import type { Subscription } from '@nats-io/transport-node';
import { Queue } from 'bullmq';
import {
  BroadcastStateChanged,
  EncoderProgress,
  TRANSCODE_QUEUE,
  type BroadcastState,
  type TranscodeJob,
} from '@streamcaster/contracts';
import { startBusService, BusClient } from '@streamcaster/service-kit';
import { runOnce, SupervisedProcess } from '@streamcaster/supervisor';
import { answerBroadcastsGet, BusObserver, createTestEnvironment, freePort, type TestEnvironment, waitFor } from '@streamcaster/testing';
import { TranscoderModule } from '../src/app.module.js';
import { layoutProgram } from '../src/composition/overlay-layout.js';
import { loadTranscoderConfig } from '../src/config/transcoder.config.js';
import { EncoderRegistry } from '../src/encoders/encoder-registry.js';

const PROGRAM = { width: 640, height: 360, fps: 25 };
const DJ_COLOUR: [number, number, number] = [0x20, 0x30, 0x40];

let env: TestEnvironment;
let app: INestMicroservice;
let bus: BusClient;
let observer: BusObserver;
let transcodeQueue: Queue;
let nginx: SupervisedProcess;
let rtmpUrl: string;
let publisherStandIn: Subscription;
const broadcastStates = new Map<string, BroadcastState>();
const djs: ChildProcess[] = [];

/** nginx-rtmp with the applications the transcoder reads from and writes to, without the hooks. */
async function startNginxRtmp(directory: string): Promise<string> {
  const port = await freePort();
  await mkdir(directory, { recursive: true });
  const config = join(directory, 'nginx.conf');
  await writeFile(
    config,
    [
      'daemon off;',
      `pid ${join(directory, 'nginx.pid')};`,
      `error_log ${join(directory, 'nginx.log')} info;`,
      'load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;',
      'events { worker_connections 256; }',
      'rtmp { server {',
      `  listen 127.0.0.1:${port};`,
      '  chunk_size 4096;',
      '  application live { live on; }',
      '  application program { live on; }',
      '} }',
    ].join('\n'),
  );
  nginx = new SupervisedProcess({
    name: 'nginx-rtmp',
    command: 'nginx',
    args: ['-c', config, '-p', directory, '-e', join(directory, 'nginx.log')],
    restart: 'never',
    readiness: { kind: 'tcp', host: '127.0.0.1', port },
    stopSignal: 'SIGQUIT',
    stopTimeoutMs: 3_000,
  });
  await nginx.start();
  return `rtmp://127.0.0.1:${port}`;
}

/** A DJ publishing as OBS does: H.264 + AAC in real time, one flat colour so the overlays stand out. */
function djPublishes(url: string, seconds: number): ChildProcess {
  const colour = DJ_COLOUR.map((value) => value.toString(16).padStart(2, '0')).join('');
  const child = spawn(
    'ffmpeg',
    [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', `color=c=0x${colour}:s=1280x720:r=30`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '128k',
      '-f', 'flv', url,
    ],
    { stdio: 'ignore' },
  );
  djs.push(child);
  return child;
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
  const main = fileURLToPath(new URL('../src/main.js', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main], { env: { ...process.env, ...env.env, ...overrides }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    // A transcoder that boots instead of failing would run forever.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

before(async () => {
  Logger.overrideLogger(['error', 'warn']);
  env = await createTestEnvironment('transcoder');
  rtmpUrl = await startNginxRtmp(join(env.dataDir, 'nginx'));
  const config = loadTranscoderConfig({
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
  await observer.observe(EncoderProgress);
  publisherStandIn = answerBroadcastsGet(observer.nats, env.subjectPrefix, broadcastStates);
  await observer.nats.flush();
  app = await startBusService('transcoder', TranscoderModule.forRoot(config), config);
  bus = new BusClient('test', env.subjectPrefix, env.natsUrl);
  await bus.connect();
  transcodeQueue = new Queue(TRANSCODE_QUEUE, { connection: { url: env.redisUrl }, prefix: env.queuePrefix });
});

after(async () => {
  for (const dj of djs) dj.kill('SIGKILL');
  await app?.close();
  publisherStandIn?.unsubscribe();
  await Promise.all([bus?.close(), observer?.close(), transcodeQueue?.close(), nginx?.stop()]);
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

describe('transcoder jobs', () => {
  it('encodes the DJ input into the branded program until the broadcast ends', async () => {
    const broadcastId = randomUUID();
    const djId = randomUUID();
    broadcastStates.set(broadcastId, 'starting');
    const logoName = await storeLogo('red', 200, 100);
    djPublishes(`${rtmpUrl}/live/${djId}`, 40);

    const job: TranscodeJob = {
      broadcastId,
      environment: 'live',
      input: { app: 'live', streamName: djId },
      djName: 'DJ Pixel',
      logo: { assetName: logoName, position: 'top-right', width: 200, height: 100 },
    };
    await transcodeQueue.add('run-broadcast', job, { jobId: broadcastId });

    const progress = await observer.waitFor(EncoderProgress, (payload) => payload.broadcastId === broadcastId && payload.progress.frame > 0, 30_000);
    assert.equal(progress.payload.encoder, 'libx264');
    assert.equal(progress.producer, 'transcoder');
    assert.equal(await transcodeQueue.getJobState(broadcastId), 'active', 'the job is held for the whole broadcast');

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

    // The broadcast ends: the publisher's event stops the encoder and the job completes.
    broadcastStates.set(broadcastId, 'ended');
    await bus.emit(BroadcastStateChanged, { broadcastId, environment: 'live', djName: 'DJ Pixel', title: 'DJ Pixel live', state: 'ended', previousState: 'ending' });
    await waitFor('the transcode job to complete', async () => ((await transcodeQueue.getJobState(broadcastId)) === 'completed' ? true : undefined), 20_000);
    assert.ok(!existsSync(join(env.dataDir, 'scratch', 'transcoder', broadcastId)), 'the scratch folder is removed');
  });

  it('completes a job at once, without encoding, when its broadcast is already over or unknown', async () => {
    const ended = randomUUID();
    broadcastStates.set(ended, 'ended');
    const unknown = randomUUID();
    for (const broadcastId of [ended, unknown]) {
      const job: TranscodeJob = { broadcastId, environment: 'live', input: { app: 'live', streamName: randomUUID() }, djName: 'DJ Late', logo: null };
      await transcodeQueue.add('run-broadcast', job, { jobId: broadcastId });
    }
    for (const broadcastId of [ended, unknown]) {
      await waitFor(`job ${broadcastId} to complete`, async () => ((await transcodeQueue.getJobState(broadcastId)) === 'completed' ? true : undefined), 10_000);
      assert.ok(!existsSync(join(env.dataDir, 'scratch', 'transcoder', broadcastId)), 'no session was prepared');
    }
    const ids: string[] = [ended, unknown];
    const late = observer.messages(EncoderProgress).filter((message) => ids.includes(message.payload.broadcastId));
    assert.deepEqual(late, []);
  });

  it('published only messages that match their contracts', () => {
    assert.deepEqual(observer.offContract, []);
  });
});
