// Benchmark of the media path, in one run on real components (see bench/README.md):
//   fan-out      system CPU with 8 destinations ÷ with 1 destination, same 1080p30 input  (target ≤ 1.15)
//   composer     transcoder CPU (service + its ffmpeg) ÷ the bare same ffmpeg command        (target ≤ 1.05)
//   first packet DJ starts publishing → first packet at every destination                  (target ≤ 3 s)
//   idle memory  RSS of each service before any broadcast                                  (target ≤ 150 MB)
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVICES, Stack } from '@streamcaster/stack';
import { runOnce } from '@streamcaster/supervisor';
import { createTestEnvironment, RtmpSink, testStackOptions, waitFor } from '@streamcaster/testing';
import { processTree, rssOf } from '@streamcaster/testing';
import { CpuMeter } from './process-meter.js';

const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 20);
const FAN_OUT = 8;
const TARGETS = { fanOutRatio: 1.15, composerRatio: 1.05, firstPacketSeconds: 3, idleRssMb: 150 };

const environment = await createTestEnvironment('bench');
const work = join(environment.dataDir, 'bench');
mkdirSync(work, { recursive: true });
const sink = new RtmpSink('bench', join(work, 'sink'));
let stack: Stack | null = null;
const children: ChildProcess[] = [];

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

async function api<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const response = await fetch(`${stack!.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A DJ sending a pre-encoded 1080p30 clip in real time, looped: costs the machine almost nothing. */
function publishClip(clip: string, url: string): ChildProcess {
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', url], {
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

function firstPacketTimes(directory: string, keys: string[], since: number): Promise<number[]> {
  const seen = new Map<string, number>();
  return new Promise((resolveTimes, reject) => {
    const timer = setInterval(() => {
      for (const name of readdirSync(directory)) {
        const key = keys.find((candidate) => name.startsWith(`${candidate}-`));
        // Past the FLV header and metadata: media has arrived.
        if (key && !seen.has(key) && statSync(join(directory, name)).size > 4096) seen.set(key, Date.now());
      }
      if (seen.size === keys.length) {
        clearInterval(timer);
        resolveTimes(keys.map((key) => (seen.get(key)! - since) / 1000));
      } else if (Date.now() - since > 30_000) {
        clearInterval(timer);
        reject(new Error(`only ${seen.size} of ${keys.length} destinations received anything within 30 s`));
      }
    }, 20);
  });
}

function systemRoots(): number[] {
  return ['nginx-rtmp', ...SERVICES].map((name) => stack!.process(name)?.pid).filter((pid): pid is number => pid !== undefined);
}

interface Scenario {
  destinations: number;
  firstPacketSeconds: number;
  cpuPerSecond: number;
  transcoderCpuPerSecond: number;
  byProcess: Record<string, number>;
  transcoderArgs: string[];
}

async function runScenario(token: string, clip: string, djKey: string, destinations: number): Promise<Scenario> {
  for (const existing of await api<Array<{ id: string }>>('GET', '/api/destinations', token)) {
    await api('DELETE', `/api/destinations/${existing.id}`, token);
  }
  const keys = Array.from({ length: destinations }, (_, index) => `${sink.streamKey}x${destinations}d${index}`);
  for (const [index, key] of keys.entries()) {
    await api('POST', '/api/destinations', token, { environment: 'live', platform: 'rtmp', name: `bench ${index}`, url: sink.url, streamKey: key });
  }

  const startedAt = Date.now();
  const dj = publishClip(clip, `rtmp://127.0.0.1:${stack!.options.rtmpPort}/live/${djKey}`);
  const times = await firstPacketTimes(sink.recordDirectory, keys, startedAt);
  const firstPacketSeconds = Math.max(...times);
  log(`${destinations} destination(s): first packet everywhere after ${firstPacketSeconds.toFixed(2)} s (fastest ${Math.min(...times).toFixed(2)} s)`);

  await new Promise((settle) => setTimeout(settle, 3_000)); // let every relay settle
  const transcoderArgs = [...processTree(systemRoots())]
    .filter(([, sample]) => sample.command.includes('-filter_complex'))
    .map(([pid]) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean))[0];
  if (!transcoderArgs) throw new Error('the transcoder ffmpeg is not running');
  // The overlay stills live in the transcoder's scratch folder, removed at the end: keep copies.
  for (const [index, arg] of transcoderArgs.entries()) {
    if (transcoderArgs[index - 1] === '-i' && arg.endsWith('.png')) {
      const copy = join(work, `overlay-${index}.png`);
      copyFileSync(arg, copy);
      transcoderArgs[index] = copy;
    }
  }

  const meter = new CpuMeter(systemRoots);
  meter.start();
  await new Promise((settle) => setTimeout(settle, WINDOW_SECONDS * 1000));
  const measured = meter.stop();
  const byProcess = Object.fromEntries([...measured.byCommand].map(([name, seconds]) => [name, Number((seconds / measured.wallSeconds).toFixed(3))]));
  const transcoderCpu = (measured.byCommand.get('transcoder') ?? 0) + (measured.byCommand.get('ffmpeg:transcoder') ?? 0);
  log(`${destinations} destination(s): system CPU ${(measured.cpuSeconds / measured.wallSeconds).toFixed(3)} cores; by process ${JSON.stringify(byProcess)}`);

  dj.kill('SIGINT');
  await waitFor('the broadcast to end', async () => {
    const broadcasts = await api<Array<{ state: string }>>('GET', '/api/broadcasts?environment=live', token);
    return broadcasts.every((broadcast) => broadcast.state === 'ended') ? true : undefined;
  }, 30_000);
  return {
    destinations,
    firstPacketSeconds,
    cpuPerSecond: measured.cpuSeconds / measured.wallSeconds,
    transcoderCpuPerSecond: transcoderCpu / measured.wallSeconds,
    byProcess,
    transcoderArgs: transcoderArgs.slice(1),
  };
}

/** The transcoder's own ffmpeg command, run by hand on the same input: what the composer costs without us. */
async function runBare(clip: string, args: string[]): Promise<number> {
  const input = `${sink.url}/bare-input`;
  const output = `${sink.url}/bare-output`;
  const inputIndex = args.findIndex((arg, index) => args[index - 1] === '-i' && arg.startsWith('rtmp://'));
  const bareArgs = args.map((arg, index) => (index === inputIndex ? input : index === args.length - 1 ? output : arg));
  const dj = publishClip(clip, input);
  await new Promise((settle) => setTimeout(settle, 1_000));
  const bare = spawn('ffmpeg', bareArgs, { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(bare);
  bare.stdout?.resume(); // -progress pipe:1, as the transcoder reads it
  await new Promise((settle) => setTimeout(settle, 5_000));
  const meter = new CpuMeter(() => (bare.pid ? [bare.pid] : []));
  meter.start();
  await new Promise((settle) => setTimeout(settle, WINDOW_SECONDS * 1000));
  const measured = meter.stop();
  bare.kill('SIGKILL');
  dj.kill('SIGKILL');
  return measured.cpuSeconds / measured.wallSeconds;
}

try {
  const clip = join(work, 'dj-1080p30.flv');
  log('encoding a 20 s 1080p30 clip for the DJ');
  const encoded = await runOnce('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '20', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '6000k', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-y', clip,
  ], 300_000);
  if (encoded.code !== 0) throw new Error(encoded.stderr);

  await sink.start();
  stack = new Stack(
    await testStackOptions(environment, join(work, 'run'), {
      STREAMCASTER_ADMIN_EMAIL: 'bench@streamcaster.test',
      STREAMCASTER_ADMIN_PASSWORD: 'bench-password-123',
      BROADCAST_GRACE_PERIOD_MS: '1000',
      TRANSCODER_ENCODER: 'libx264',
    }),
  );
  await stack.start();
  await new Promise((settle) => setTimeout(settle, 5_000));
  const idleRssMb = Object.fromEntries(SERVICES.map((name) => [name, Number((rssOf(stack!.process(name)!.pid!) / 1e6).toFixed(1))]));
  log(`idle RSS (MB): ${JSON.stringify(idleRssMb)}`);

  const login = await fetch(`${stack.gatewayUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@streamcaster.test', password: 'bench-password-123' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const dj = await api<{ streamKey: string }>('POST', '/api/djs', accessToken, { name: 'Bench DJ' });

  const one = await runScenario(accessToken, clip, dj.streamKey, 1);
  const many = await runScenario(accessToken, clip, dj.streamKey, FAN_OUT);
  await stack.stop();
  stack = null;
  const bareCpu = await runBare(clip, one.transcoderArgs);
  log(`bare transcoder ffmpeg: ${bareCpu.toFixed(3)} cores`);

  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9), encoder: 'libx264 (no GPU)' },
    windowSeconds: WINDOW_SECONDS,
    profile: '1920x1080@30, 6000 kb/s, libx264 veryfast',
    fanOut: { destinations: FAN_OUT, cpuOne: one.cpuPerSecond, cpuMany: many.cpuPerSecond, ratio: many.cpuPerSecond / one.cpuPerSecond, target: TARGETS.fanOutRatio },
    composer: { transcoderCpu: one.transcoderCpuPerSecond, bareCpu, ratio: one.transcoderCpuPerSecond / bareCpu, target: TARGETS.composerRatio },
    firstPacket: { oneDestinationSeconds: one.firstPacketSeconds, eightDestinationsSeconds: many.firstPacketSeconds, target: TARGETS.firstPacketSeconds },
    idleRssMb: { ...idleRssMb, target: TARGETS.idleRssMb },
    cpuByProcess: { one: one.byProcess, many: many.byProcess },
  };
  const verdict = (value: number, target: number) => `${value.toFixed(3)} (target ≤ ${target}: ${value <= target ? 'met' : 'MISSED'})`;
  console.log('\nStreamCaster media path benchmark');
  console.log(`  fan-out CPU ratio (${FAN_OUT} ÷ 1 destinations): ${verdict(results.fanOut.ratio, TARGETS.fanOutRatio)}  [${one.cpuPerSecond.toFixed(3)} → ${many.cpuPerSecond.toFixed(3)} cores]`);
  console.log(`  composer overhead (transcoder ÷ bare ffmpeg):   ${verdict(results.composer.ratio, TARGETS.composerRatio)}  [${one.transcoderCpuPerSecond.toFixed(3)} vs ${bareCpu.toFixed(3)} cores]`);
  console.log(`  first packet at every destination (s):          ${verdict(Math.max(one.firstPacketSeconds, many.firstPacketSeconds), TARGETS.firstPacketSeconds)}  [1: ${one.firstPacketSeconds.toFixed(2)} s, ${FAN_OUT}: ${many.firstPacketSeconds.toFixed(2)} s]`);
  for (const [service, mb] of Object.entries(idleRssMb)) console.log(`  idle RSS ${service.padEnd(10)} (MB):                  ${verdict(mb, TARGETS.idleRssMb)}`);
  const file = resolve('bench/results/media-path.json');
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nresults kept in ${file}`);
} finally {
  for (const child of children) child.kill('SIGKILL');
  await stack?.stop();
  await sink.stop();
  await environment.dispose();
}
