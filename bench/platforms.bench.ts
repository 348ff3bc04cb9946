// Benchmark of the platforms through their APIs (issue 7), on the whole system with the four platform
// fakes (contract-faithful, answering at once; their ingests are real nginx-rtmp behind stunnel):
//   first packet → confirmed   the DJ's ffmpeg starts → every API destination (YouTube, Twitch, Facebook,
//                              Kick) `confirmed` in the API, polled every 100 ms; min/median/max of RUNS,
//                              with the time of each step per platform                          (target ≤ 6 s)
//   YouTube units per hour     one set at the default poll intervals: the one-off units (creation, going
//                              live, end) + the steady rate of a live window × 3600 s           (target ≤ 600)
//   publisher idle RSS         four connected accounts and a destination each, no broadcast: VmRSS after
//                              20 s, median of 5 samples; beside it the same before any account (target ≤ 150 MB)
// The publisher runs with its shipped poll intervals: the bench removes PLATFORM_CONFIRM_POLL_MS and
// PLATFORM_VIEWERS_POLL_MS from the environment it hands down.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { ApiPlatform, BroadcastView } from '@streamcaster/contracts';
import { Stack } from '@streamcaster/stack';
import { connectOverHttp, createTestEnvironment, PlatformFakes, publishAsDj, testStackOptions, waitFor, YOUTUBE_QUOTA_COSTS, type DjStream, type YouTubeMethod } from '@streamcaster/testing';
import { callApi } from './gateway-api.js';
import { percentile } from './live-client.js';

const RUNS = Number(process.env.BENCH_PLATFORMS_RUNS ?? 3);
const QUOTA_WINDOW_SECONDS = Number(process.env.BENCH_PLATFORMS_QUOTA_WINDOW_SECONDS ?? 180);
const SETTLE_SECONDS = Number(process.env.BENCH_PLATFORMS_SETTLE_SECONDS ?? 20);
const TARGETS = { firstPacketToConfirmedSeconds: 6, youtubeUnitsPerHour: 600, publisherIdleRssMb: 150 };
const ADMIN = { email: 'bench@streamcaster.test', password: 'bench-password-123' };
const PLATFORMS: ApiPlatform[] = ['youtube', 'twitch', 'facebook', 'kick'];
const STEPS = ['broadcastCreated', 'platformReady', 'relayLive', 'confirmed'] as const;
type Step = (typeof STEPS)[number];
type StepTimes = Record<ApiPlatform, Partial<Record<Step, number>>>;
type Calls = Record<YouTubeMethod, number>;
const METHODS = Object.keys(YOUTUBE_QUOTA_COSTS) as YouTubeMethod[];
const GRACE_MS = 2_000;
const benchStartedAt = Date.now();

// What is measured is the product as shipped: the poll intervals at their defaults.
for (const name of ['PLATFORM_CONFIRM_POLL_MS', 'PLATFORM_VIEWERS_POLL_MS']) delete process.env[name];

const environment = await createTestEnvironment('platformsbench');
const work = join(environment.dataDir, 'bench');
mkdirSync(work, { recursive: true });
let stack: Stack | null = null;
let fakes: PlatformFakes | null = null;
const djs: DjStream[] = [];

const sleep = (ms: number) => new Promise((settle) => setTimeout(settle, ms));
const round3 = (value: number) => Number(value.toFixed(3));
const median = (values: number[]) => percentile(values, 0.5);
const spread = (values: number[]) => ({ min: round3(Math.min(...values)), median: round3(median(values)), max: round3(Math.max(...values)) });

function log(message: string): void {
  console.log(`[bench +${Math.round((Date.now() - benchStartedAt) / 1000)}s] ${message}`);
}

/** VmRSS, RssAnon (heap, stacks) and RssFile (mapped code) of a process, in MB, from /proc/<pid>/status. */
function memoryOf(pid: number): { vmRss: number; rssAnon: number; rssFile: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024 / 1e6;
  return { vmRss: field('VmRSS'), rssAnon: field('RssAnon'), rssFile: field('RssFile') };
}

/** A process's memory once it has settled: SETTLE_SECONDS of nothing, then 5 samples a second apart, the median of each. */
async function settledMemory(pid: number): Promise<{ vmRss: number; rssAnon: number; rssFile: number; samples: number[] }> {
  await sleep(SETTLE_SECONDS * 1000);
  const samples: Array<ReturnType<typeof memoryOf>> = [];
  for (let sample = 0; sample < 5; sample += 1) {
    if (sample > 0) await sleep(1_000);
    samples.push(memoryOf(pid));
  }
  const of = (name: 'vmRss' | 'rssAnon' | 'rssFile') => round3(median(samples.map((sample) => sample[name])));
  return { vmRss: of('vmRss'), rssAnon: of('rssAnon'), rssFile: of('rssFile'), samples: samples.map((sample) => round3(sample.vmRss)) };
}

const youtubeCalls = (): Calls => Object.fromEntries(METHODS.map((method) => [method, fakes!.youtube.calls(method)])) as Calls;
const unitsOf = (counts: Calls) => METHODS.reduce((sum, method) => sum + counts[method] * YOUTUBE_QUOTA_COSTS[method], 0);
const callsBetween = (before: Calls, after: Calls) => Object.fromEntries(METHODS.map((method) => [method, after[method] - before[method]])) as Calls;
const sumCalls = (...all: Calls[]) => Object.fromEntries(METHODS.map((method) => [method, all.reduce((sum, counts) => sum + counts[method], 0)])) as Calls;
/** Only the methods that were called, for printing. */
const called = (counts: Calls) => Object.fromEntries(METHODS.filter((method) => counts[method] > 0).map((method) => [method, counts[method]]));

try {
  const runDir = join(work, 'run');
  const options = await testStackOptions(environment, runDir, {});
  const publicUrl = `http://127.0.0.1:${options.gatewayPort}`;
  fakes = await PlatformFakes.start({ directory: join(work, 'fakes'), publicUrl });
  stack = new Stack({
    ...options,
    env: {
      ...fakes.env(),
      STREAMCASTER_ADMIN_EMAIL: ADMIN.email,
      STREAMCASTER_ADMIN_PASSWORD: ADMIN.password,
      BROADCAST_GRACE_PERIOD_MS: String(GRACE_MS),
      TRANSCODER_ENCODER: 'libx264',
      // A small program: the encoder's CPU is not what this bench measures, and it shares the machine.
      TRANSCODER_WIDTH: '640',
      TRANSCODER_HEIGHT: '360',
      TRANSCODER_VIDEO_BITRATE_KBPS: '800',
    },
  });
  await stack.start();
  const gatewayUrl = stack.gatewayUrl;
  const publisherPid = stack.process('publisher')!.pid!;

  // 3 (first half). The publisher idle, no account: the baseline.
  const bare = await settledMemory(publisherPid);
  log(`publisher idle RSS without accounts: ${bare.vmRss.toFixed(1)} MB (anon ${bare.rssAnon.toFixed(1)}, file ${bare.rssFile.toFixed(1)})`);

  const login = await fetch(`${gatewayUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const { accessToken: token } = (await login.json()) as { accessToken: string };
  const api = <T>(method: string, path: string, body?: unknown) => callApi<T>(gatewayUrl, method, path, token, body);

  // Connected through the real OAuth flow over HTTP, as a browser would: Connect, the fake's
  // authorize page (consents at once), the gateway's callback, its 303 to /destinations.
  for (const platform of PLATFORMS) {
    fakes.consentAs(platform, 'live');
    const outcome = await connectOverHttp(gatewayUrl, token, platform, 'live');
    if (outcome.connect !== 'connected' || !outcome.accountId) throw new Error(`${platform} did not connect: ${outcome.connect} ${outcome.message}`);
    await api('POST', '/api/destinations', { environment: 'live', platform, name: `Bench ${platform}`, accountId: outcome.accountId });
  }
  log('four accounts connected, a destination each');

  // 3 (second half). The publisher idle with the four accounts.
  const accounts = await settledMemory(publisherPid);
  log(`publisher idle RSS with four accounts: ${accounts.vmRss.toFixed(1)} MB (anon ${accounts.rssAnon.toFixed(1)}, file ${accounts.rssFile.toFixed(1)})`);

  const { streamKey } = await api<{ streamKey: string }>('POST', '/api/djs', { name: 'DJ Bench Platforms' });
  const ingest = `rtmp://127.0.0.1:${stack.options.rtmpPort}/live/${streamKey}`;

  /** One set: from the DJ's first packet to every platform confirming, with the time of each step per platform. */
  async function oneSet(keepSeconds: number): Promise<{ seconds: number; steps: StepTimes; broadcast: BroadcastView }> {
    const started = performance.now();
    djs.push(publishAsDj(ingest, keepSeconds + 60, { size: '640x360', fps: 25 }));
    const steps = Object.fromEntries(PLATFORMS.map((platform) => [platform, {}])) as StepTimes;
    const mark = (platform: ApiPlatform, step: Step) => {
      steps[platform][step] ??= round3((performance.now() - started) / 1000);
    };
    const broadcast = await waitFor(
      'every platform to confirm',
      async () => {
        const running = await api<BroadcastView[]>('GET', '/api/broadcasts?environment=live&running=true');
        const current = running[0];
        if (!current) return undefined;
        for (const destination of current.destinations) {
          const platform = destination.platform as ApiPlatform;
          // The broadcast exists in StreamCaster with this destination; the platform is being asked.
          mark(platform, 'broadcastCreated');
          // Created at the platform, its ingest handed to the relay.
          if (destination.platformState && destination.platformState !== 'creating') mark(platform, 'platformReady');
          if (destination.state === 'live') mark(platform, 'relayLive');
          if (destination.confirmed) mark(platform, 'confirmed');
        }
        return current.destinations.length === PLATFORMS.length && current.destinations.every((destination) => destination.confirmed) ? current : undefined;
      },
      60_000,
      100,
    );
    const seconds = (performance.now() - started) / 1000;
    log(`all four confirmed ${seconds.toFixed(2)} s after the first packet`);
    return { seconds, steps, broadcast };
  }

  /** The DJ stops; waits for the broadcast to end and every platform side to be complete. */
  async function endSet(broadcastId: string): Promise<void> {
    for (const dj of djs.splice(0)) {
      dj.process.kill('SIGTERM');
      await dj.exited;
    }
    await waitFor('the set to end', async () => ((await api<BroadcastView>('GET', `/api/broadcasts/${broadcastId}`)).state === 'ended' ? true : undefined), 60_000, 250);
    await waitFor(
      'the platforms to be ended',
      async () => ((await api<BroadcastView>('GET', `/api/broadcasts/${broadcastId}`)).destinations.every((destination) => destination.platformState === 'complete') ? true : undefined),
      60_000,
      250,
    );
  }

  // 1. First packet → confirmed, RUNS times (each a whole short set, ended before the next).
  const runs: Array<{ seconds: number; steps: StepTimes; youtubeUnits: number; youtubeCalls: Record<string, number>; loadAverage: number }> = [];
  for (let run = 0; run < RUNS; run += 1) {
    const loadAverage = round3(loadavg()[0]!);
    const before = youtubeCalls();
    const set = await oneSet(5);
    await endSet(set.broadcast.id);
    const setCalls = callsBetween(before, youtubeCalls());
    runs.push({ seconds: round3(set.seconds), steps: set.steps, youtubeUnits: unitsOf(setCalls), youtubeCalls: called(setCalls), loadAverage });
  }
  const stepMedians = Object.fromEntries(
    PLATFORMS.map((platform) => [platform, Object.fromEntries(STEPS.map((step) => [step, round3(median(runs.map((run) => run.steps[platform][step] ?? Number.NaN)))]))]),
  ) as Record<ApiPlatform, Record<Step, number>>;

  // 2. YouTube units of one set at the default polling: creation and going on air, a steady window
  // while live, the end. The window starts 5 s after confirmation, once the first viewers poll is done.
  const atStart = youtubeCalls();
  const set = await oneSet(QUOTA_WINDOW_SECONDS);
  await sleep(5_000);
  const windowStart = youtubeCalls();
  const windowStartedAt = performance.now();
  await sleep(QUOTA_WINDOW_SECONDS * 1000);
  const windowEnd = youtubeCalls();
  const windowSeconds = (performance.now() - windowStartedAt) / 1000;
  await endSet(set.broadcast.id);
  const atEnd = youtubeCalls();
  const opening = callsBetween(atStart, windowStart);
  const steady = callsBetween(windowStart, windowEnd);
  const closing = callsBetween(windowEnd, atEnd);
  // The one-off part also holds the few live polls outside the window (5 s before it, the end's
  // seconds after it): a unit or two more than strictly one-off, i.e. the hour is not understated.
  const oneOff = sumCalls(opening, closing);
  const steadyUnitsPerSecond = unitsOf(steady) / windowSeconds;
  const youtubeUnitsPerHour = unitsOf(oneOff) + steadyUnitsPerSecond * 3600;
  // The channel's reusable stream is inserted by its first set only (it is in the first run's calls).
  const firstSetExtraUnits = (runs[0]?.youtubeCalls['liveStreams.insert'] ?? 0) * YOUTUBE_QUOTA_COSTS['liveStreams.insert'];
  log(`YouTube: ${unitsOf(oneOff)} one-off units, ${(steadyUnitsPerSecond * 3600).toFixed(0)} an hour while live`);

  const times = runs.map((run) => run.seconds);
  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9) },
    benchSeconds: Math.round((Date.now() - benchStartedAt) / 1000),
    profile: 'four API destinations in Live (YouTube, Twitch, Facebook, Kick fakes answering at once), DJ 640x360@25, 640x360 libx264 program, PLATFORM_CONFIRM_POLL_MS 1000 and PLATFORM_VIEWERS_POLL_MS 30000 (defaults)',
    firstPacketToConfirmedSeconds: {
      ...spread(times),
      target: TARGETS.firstPacketToConfirmedSeconds,
      ratio: round3(median(times) / TARGETS.firstPacketToConfirmedSeconds),
      stepMedians,
      runs,
    },
    youtubeUnitsPerHour: {
      value: round3(youtubeUnitsPerHour),
      target: TARGETS.youtubeUnitsPerHour,
      ratio: round3(youtubeUnitsPerHour / TARGETS.youtubeUnitsPerHour),
      oneOffUnits: unitsOf(oneOff),
      steadyUnitsPerHour: round3(steadyUnitsPerSecond * 3600),
      windowSeconds: round3(windowSeconds),
      firstSetOnChannelExtraUnits: firstSetExtraUnits,
      openingCalls: called(opening),
      steadyCalls: called(steady),
      closingCalls: called(closing),
    },
    publisherIdleRssMb: {
      withFourAccounts: accounts.vmRss,
      withoutAccounts: bare.vmRss,
      target: TARGETS.publisherIdleRssMb,
      ratio: round3(accounts.vmRss / TARGETS.publisherIdleRssMb),
      settleSeconds: SETTLE_SECONDS,
      detail: { withFourAccounts: accounts, withoutAccounts: bare },
    },
  };
  const verdict = (value: number, target: number, digits = 2) => `${value.toFixed(digits)} (target ≤ ${target}: ${value <= target ? 'met' : 'MISSED'}; ratio ${(value / target).toFixed(2)})`;
  const fpc = results.firstPacketToConfirmedSeconds;
  console.log(`\nStreamCaster platforms benchmark`);
  console.log(`  first packet → all four confirmed, median (s): ${verdict(fpc.median, TARGETS.firstPacketToConfirmedSeconds)}  [min ${fpc.min}, max ${fpc.max}; ${RUNS} runs: ${times.join(', ')}]`);
  console.log(`    step medians (s after the first packet)   ${STEPS.join(' → ')}`);
  for (const platform of PLATFORMS) console.log(`    ${platform.padEnd(9)} ${STEPS.map((step) => stepMedians[platform][step].toFixed(2)).join(' → ')}`);
  console.log(`  YouTube units per broadcast hour:          ${verdict(youtubeUnitsPerHour, TARGETS.youtubeUnitsPerHour, 0)}  [${unitsOf(oneOff)} one-off + ${(steadyUnitsPerSecond * 3600).toFixed(0)} an hour live; +${firstSetExtraUnits} on a channel's first set]`);
  console.log(`    creation and on air ${JSON.stringify(called(opening))}`);
  console.log(`    live, ${windowSeconds.toFixed(0)} s ${JSON.stringify(called(steady))}`);
  console.log(`    end ${JSON.stringify(called(closing))}`);
  console.log(`  publisher idle RSS, four accounts (MB):    ${verdict(accounts.vmRss, TARGETS.publisherIdleRssMb, 1)}  [without accounts ${bare.vmRss.toFixed(1)} MB; anon ${bare.rssAnon.toFixed(1)} → ${accounts.rssAnon.toFixed(1)}, file ${bare.rssFile.toFixed(1)} → ${accounts.rssFile.toFixed(1)}]`);
  const file = resolve('bench/results/platforms.json');
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nresults kept in ${file}`);
} finally {
  for (const dj of djs) dj.process.kill('SIGKILL');
  await stack?.stop();
  await fakes?.stop();
  await environment.dispose();
}
