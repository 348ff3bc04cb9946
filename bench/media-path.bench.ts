// Benchmark of the media path, in one run on real components (see bench/README.md):
//   relay CPU    CPU of every relay ffmpeg ÷ destinations, in % of one core                  (target ≤ 1 %)
//   fan-out      system CPU with 8 destinations ÷ with 1, beside the encoder's own CPU      (target ≤ 1.05)
//   composer     transcoder CPU (service + its ffmpeg) ÷ the bare same ffmpeg command        (target ≤ 1.05)
//   first packet DJ starts publishing → first packet at every destination                  (target ≤ 3 s)
//   idle memory  RSS of each service before any broadcast                                  (target ≤ 150 MB)
// Every CPU figure is the median of BENCH_ROUNDS windows (3) of BENCH_WINDOW_SECONDS (20) each.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVICES, Stack } from '@streamcaster/stack';
import { runOnce } from '@streamcaster/supervisor';
import { createTestEnvironment, RtmpSink, testStackOptions, waitFor } from '@streamcaster/testing';
import { processTree, rssOf } from '@streamcaster/testing';
import { CpuMeter, isRelayOf, label, type CpuMeasurement } from './process-meter.js';
import { callApi } from './gateway-api.js';

const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FAN_OUT = 8;
const TARGETS = { relayCpuPercentPerDestination: 1, fanOutRatio: 1.05, composerRatio: 1.05, firstPacketSeconds: 3, idleRssMb: 150 };
const benchStartedAt = Date.now();

const environment = await createTestEnvironment('bench');
const work = join(environment.dataDir, 'bench');
mkdirSync(work, { recursive: true });
const sink = new RtmpSink('bench', join(work, 'sink'));
let stack: Stack | null = null;
const children: ChildProcess[] = [];

function log(message: string): void {
  console.log(`[bench +${Math.round((Date.now() - benchStartedAt) / 1000)}s] ${message}`);
}

const sleep = (ms: number) => new Promise((settle) => setTimeout(settle, ms));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round3 = (value: number) => Number(value.toFixed(3));

const api = <T>(method: string, path: string, token: string, body?: unknown) => callApi<T>(stack!.gatewayUrl, method, path, token, body);

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

/** One measuring window of a running broadcast, in cores (1.0 = one core busy). */
interface Window {
  system: number;
  /** The transcoder's ffmpeg alone: the encoder. */
  encoder: number;
  /** The transcoder service and its ffmpeg, for the composer figure. */
  transcoder: number;
  /** Every relay ffmpeg, summed. */
  relays: number;
  relayProcesses: number;
  /** What every other process of the machine (other work, the bench itself) used meanwhile. */
  otherLoad: number;
  byProcess: Record<string, number>;
}

function toWindow(measured: CpuMeasurement): Window {
  const cores = (name: string) => (measured.byCommand.get(name) ?? 0) / measured.wallSeconds;
  return {
    system: measured.cpuSeconds / measured.wallSeconds,
    encoder: cores('ffmpeg:transcoder'),
    transcoder: cores('transcoder') + cores('ffmpeg:transcoder'),
    relays: cores('ffmpeg:relay'),
    relayProcesses: measured.processesByCommand.get('ffmpeg:relay') ?? 0,
    otherLoad: Math.max(0, measured.machineCpuSeconds - measured.cpuSeconds) / measured.wallSeconds,
    byProcess: Object.fromEntries([...measured.byCommand].map(([name, seconds]) => [name, round3(seconds / measured.wallSeconds)])),
  };
}

interface Scenario {
  destinations: number;
  firstPacketSeconds: number;
  window: Window;
  transcoderArgs: string[];
}

/** One broadcast with `destinations` destinations: its first packet, then one measuring window. */
async function runScenario(token: string, clip: string, djKey: string, destinations: number, round: number): Promise<Scenario> {
  for (const existing of await api<Array<{ id: string }>>('GET', '/api/destinations', token)) {
    await api('DELETE', `/api/destinations/${existing.id}`, token);
  }
  // A key of its own per round: the sink's earlier recordings must not count as a first packet.
  const keys = Array.from({ length: destinations }, (_, index) => `${sink.streamKey}r${round}x${destinations}d${index}`);
  for (const [index, key] of keys.entries()) {
    await api('POST', '/api/destinations', token, { environment: 'live', platform: 'rtmp', name: `bench ${index}`, url: sink.url, streamKey: key });
  }

  const startedAt = Date.now();
  const dj = publishClip(clip, `rtmp://127.0.0.1:${stack!.options.rtmpPort}/live/${djKey}`);
  const times = await firstPacketTimes(sink.recordDirectory, keys, startedAt);
  const firstPacketSeconds = Math.max(...times);

  await sleep(3_000); // let every relay settle
  const transcoderArgs = [...processTree(systemRoots())]
    .filter(([, sample]) => label(sample.command) === 'ffmpeg:transcoder')
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

  // Relays are found by their command line wherever they run, not only below the services.
  const meter = new CpuMeter(systemRoots, isRelayOf(stack!.options.rtmpPort));
  meter.start();
  await sleep(WINDOW_SECONDS * 1000);
  const window = toWindow(meter.stop());
  log(
    `round ${round + 1}, ${destinations} destination(s): first packet everywhere ${firstPacketSeconds.toFixed(2)} s; system ${window.system.toFixed(3)}, ` +
      `encoder ${window.encoder.toFixed(3)}, relays ${window.relays.toFixed(4)} cores (${window.relayProcesses} processes), other load ${window.otherLoad.toFixed(2)}; ${JSON.stringify(window.byProcess)}`,
  );
  if (window.relayProcesses !== destinations) throw new Error(`${window.relayProcesses} relay processes for ${destinations} destinations`);

  dj.kill('SIGINT');
  await waitFor('the broadcast to end', async () => {
    const broadcasts = await api<Array<{ state: string }>>('GET', '/api/broadcasts?environment=live', token);
    return broadcasts.every((broadcast) => broadcast.state === 'ended') ? true : undefined;
  }, 30_000);
  return { destinations, firstPacketSeconds, window, transcoderArgs: transcoderArgs.slice(1) };
}

/**
 * The transcoder's own ffmpeg command, run by hand on the same input, for one window: what the
 * composer costs without us. The stack idles meanwhile (its services cost next to nothing).
 */
async function runBare(clip: string, args: string[], round: number): Promise<{ cores: number; otherLoad: number }> {
  const input = `${sink.url}/bare-input-${round}`;
  const output = `${sink.url}/bare-output-${round}`;
  const inputIndex = args.findIndex((arg, index) => args[index - 1] === '-i' && arg.startsWith('rtmp://'));
  const bareArgs = args.map((arg, index) => (index === inputIndex ? input : index === args.length - 1 ? output : arg));
  const dj = publishClip(clip, input);
  await sleep(1_000);
  const bare = spawn('ffmpeg', bareArgs, { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(bare);
  bare.stdout?.resume(); // -progress pipe:1, as the transcoder reads it
  await sleep(5_000);
  const meter = new CpuMeter(() => (bare.pid ? [bare.pid] : []));
  meter.start();
  await sleep(WINDOW_SECONDS * 1000);
  const measured = meter.stop();
  bare.kill('SIGKILL');
  dj.kill('SIGKILL');
  const result = { cores: measured.cpuSeconds / measured.wallSeconds, otherLoad: Math.max(0, measured.machineCpuSeconds - measured.cpuSeconds) / measured.wallSeconds };
  log(`round ${round + 1}, bare transcoder ffmpeg: ${result.cores.toFixed(3)} cores, other load ${result.otherLoad.toFixed(2)}`);
  return result;
}

/** The median of one figure over a configuration's windows, with the windows themselves. */
function summary(scenarios: Scenario[], pick: (window: Window) => number) {
  const windows = scenarios.map((scenario) => pick(scenario.window));
  return { median: median(windows), min: Math.min(...windows), max: Math.max(...windows), windows: windows.map((value) => Number(value.toFixed(4))) };
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
  await sleep(5_000);
  const idleRssMb = Object.fromEntries(SERVICES.map((name) => [name, Number((rssOf(stack!.process(name)!.pid!) / 1e6).toFixed(1))]));
  log(`idle RSS (MB): ${JSON.stringify(idleRssMb)}`);

  const login = await fetch(`${stack.gatewayUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@streamcaster.test', password: 'bench-password-123' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const dj = await api<{ streamKey: string }>('POST', '/api/djs', accessToken, { name: 'Bench DJ' });

  // 1 destination, 8 destinations and the bare encoder take turns in every round (the order of the
  // two broadcasts alternates), so that a change in what else runs on the machine falls on all
  // three configurations instead of on one.
  const one: Scenario[] = [];
  const many: Scenario[] = [];
  const bare: Array<{ cores: number; otherLoad: number }> = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const destinations of round % 2 === 0 ? [1, FAN_OUT] : [FAN_OUT, 1]) {
      const scenario = await runScenario(accessToken, clip, dj.streamKey, destinations, round);
      (destinations === 1 ? one : many).push(scenario);
    }
    bare.push(await runBare(clip, one[0]!.transcoderArgs, round));
  }
  await stack.stop();
  stack = null;
  const bareWindows = bare.map((window) => window.cores);

  const system = { one: summary(one, (window) => window.system), many: summary(many, (window) => window.system) };
  const encoder = { one: summary(one, (window) => window.encoder), many: summary(many, (window) => window.encoder) };
  const relays = { one: summary(one, (window) => window.relays), many: summary(many, (window) => window.relays) };
  const relayPercent = { one: (relays.one.median / 1) * 100, many: (relays.many.median / FAN_OUT) * 100 };
  // Within a round, 8 and 1 destinations ran back to back: their ratio shows how far the noise goes.
  const pairedRatios = one.map((scenario, round) => Number((many[round]!.window.system / scenario.window.system).toFixed(4)));
  // The encoder does the same work in both configurations (same pictures, same settings): with its
  // CPU set to its median over all windows, what is left of the ratio is what the fan-out costs.
  const encoderAll = median([...one, ...many].map((scenario) => scenario.window.encoder));
  const rest = { one: summary(one, (window) => window.system - window.encoder), many: summary(many, (window) => window.system - window.encoder) };
  const ratioAtEqualEncoder = (encoderAll + rest.many.median) / (encoderAll + rest.one.median);
  const encoderSpread = (Math.max(...encoder.one.windows, ...encoder.many.windows) - Math.min(...encoder.one.windows, ...encoder.many.windows)) / encoderAll;
  const otherLoad = summary([...one, ...many], (window) => window.otherLoad);
  const transcoderCpu = median(one.map((scenario) => scenario.window.transcoder));
  const bareCpu = median(bareWindows);
  const firstPackets = { one: one.map((scenario) => scenario.firstPacketSeconds), many: many.map((scenario) => scenario.firstPacketSeconds) };

  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9), encoder: 'libx264 (no GPU)' },
    windowSeconds: WINDOW_SECONDS,
    windowsPerConfiguration: ROUNDS,
    benchSeconds: Math.round((Date.now() - benchStartedAt) / 1000),
    profile: '1920x1080@30, 6000 kb/s, libx264 veryfast',
    relayCpu: {
      destinations: FAN_OUT,
      percentOfOneCorePerDestination: { one: round3(relayPercent.one), many: round3(relayPercent.many) },
      relaysCores: relays,
      target: TARGETS.relayCpuPercentPerDestination,
    },
    fanOut: {
      destinations: FAN_OUT,
      systemCores: system,
      ratio: system.many.median / system.one.median,
      pairedRatios,
      encoderCores: encoder,
      encoderRatio: encoder.many.median / encoder.one.median,
      /** (max − min) ÷ median of the encoder's CPU over every window: its noise, to compare with ratio − 1. */
      encoderSpread,
      /** Everything but the encoder: relays, nginx-rtmp, the services, the recorder. */
      restCores: rest,
      /** The ratio with the encoder's CPU at its median of all windows in both configurations. */
      ratioAtEqualEncoder,
      otherLoadCores: otherLoad,
      target: TARGETS.fanOutRatio,
    },
    composer: { transcoderCpu, bareCpu, bareWindows, bareOtherLoad: bare.map((window) => round3(window.otherLoad)), ratio: transcoderCpu / bareCpu, target: TARGETS.composerRatio },
    firstPacket: {
      oneDestinationSeconds: Math.max(...firstPackets.one),
      eightDestinationsSeconds: Math.max(...firstPackets.many),
      allSeconds: firstPackets,
      target: TARGETS.firstPacketSeconds,
    },
    idleRssMb: { ...idleRssMb, target: TARGETS.idleRssMb },
    cpuByProcess: { one: one.map((scenario) => scenario.window.byProcess), many: many.map((scenario) => scenario.window.byProcess) },
  };
  const verdict = (value: number, target: number, digits = 3) => `${value.toFixed(digits)} (target ≤ ${target}: ${value <= target ? 'met' : 'MISSED'})`;
  const spread = (figure: { median: number; min: number; max: number }) => `${figure.median.toFixed(3)} [${figure.min.toFixed(3)}–${figure.max.toFixed(3)}]`;
  console.log(`\nStreamCaster media path benchmark (median of ${ROUNDS} windows of ${WINDOW_SECONDS} s per configuration)`);
  console.log(`  relay CPU per destination (% of one core):       ${verdict(relayPercent.many, TARGETS.relayCpuPercentPerDestination)}  [${FAN_OUT} relays: ${relays.many.median.toFixed(4)} cores; 1 relay: ${relayPercent.one.toFixed(3)} %]`);
  console.log(`  fan-out system CPU ratio (${FAN_OUT} ÷ 1 destinations):  ${verdict(results.fanOut.ratio, TARGETS.fanOutRatio)}  [${spread(system.one)} → ${spread(system.many)} cores; per round ${pairedRatios.join(', ')}]`);
  console.log(`    encoder CPU in the same windows:               ${spread(encoder.one)} → ${spread(encoder.many)} cores (ratio ${results.fanOut.encoderRatio.toFixed(3)}; spread ${(encoderSpread * 100).toFixed(1)} % of its median)`);
  console.log(`    everything but the encoder:                    ${spread(rest.one)} → ${spread(rest.many)} cores`);
  console.log(`    ratio with the encoder at its median (${encoderAll.toFixed(3)}):  ${ratioAtEqualEncoder.toFixed(3)}`);
  console.log(`    ${encoderSpread > Math.abs(results.fanOut.ratio - 1) ? 'the encoder’s noise is larger than the fan-out effect: read the relay figure and the ratio at equal encoder' : 'the fan-out effect is larger than the encoder’s noise'}; other load on the machine ${spread(otherLoad)} cores`);
  console.log(`  composer overhead (transcoder ÷ bare ffmpeg):   ${verdict(results.composer.ratio, TARGETS.composerRatio)}  [${transcoderCpu.toFixed(3)} vs ${bareCpu.toFixed(3)} cores]`);
  console.log(`  first packet at every destination (s):          ${verdict(Math.max(...firstPackets.one, ...firstPackets.many), TARGETS.firstPacketSeconds, 2)}  [1: ${firstPackets.one.map((value) => value.toFixed(2)).join(', ')} s; ${FAN_OUT}: ${firstPackets.many.map((value) => value.toFixed(2)).join(', ')} s]`);
  for (const [service, mb] of Object.entries(idleRssMb)) console.log(`  idle RSS ${service.padEnd(10)} (MB):                  ${verdict(mb, TARGETS.idleRssMb, 1)}`);
  console.log(`  whole bench: ${results.benchSeconds} s`);
  const file = resolve('bench/results/media-path.json');
  // Four decimals are more than the measurement holds; more would only hide the figures.
  writeFileSync(file, JSON.stringify(results, (_key, value: unknown) => (typeof value === 'number' ? Number(value.toFixed(4)) : value), 2) + '\n');
  console.log(`\nresults kept in ${file}`);
} finally {
  for (const child of children) child.kill('SIGKILL');
  await stack?.stop();
  await sink.stop();
  await environment.dispose();
}
