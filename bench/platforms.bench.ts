// Benchmark of the platforms through their APIs (issue 7), on the whole system with the four platform
// fakes (contract-faithful, answering at once; their ingests are real nginx-rtmp behind stunnel):
//   first packet → confirmed   the DJ's ffmpeg starts → every API destination (YouTube, Twitch, Facebook,
//                              Kick) `confirmed` in the API; min/median/max of RUNS           (target ≤ 6 s)
//   YouTube units per hour     one set at the default poll intervals: the one-off units (creation, going
//                              live, end) + the steady rate while live × 3600 s               (target ≤ 600)
//   publisher idle RSS         four connected accounts and a destination each, no broadcast   (target ≤ 150 MB)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { ApiPlatform, BroadcastView } from '@streamcaster/contracts';
import { Stack } from '@streamcaster/stack';
import { connectOverHttp, createTestEnvironment, PlatformFakes, publishAsDj, rssOf, testStackOptions, waitFor, type DjStream, type YouTubeMethod } from '@streamcaster/testing';
import { callApi } from './gateway-api.js';
import { percentile } from './live-client.js';

const RUNS = Number(process.env.BENCH_PLATFORMS_RUNS ?? 3);
const QUOTA_WINDOW_SECONDS = Number(process.env.BENCH_PLATFORMS_QUOTA_WINDOW_SECONDS ?? 180);
const TARGETS = { firstPacketToConfirmedSeconds: 6, youtubeUnitsPerHour: 600, publisherIdleRssMb: 150 };
const ADMIN = { email: 'bench@streamcaster.test', password: 'bench-password-123' };
const PLATFORMS: ApiPlatform[] = ['youtube', 'twitch', 'facebook', 'kick'];
const GRACE_MS = 2_000;
const benchStartedAt = Date.now();

const environment = await createTestEnvironment('platformsbench');
const work = join(environment.dataDir, 'bench');
mkdirSync(work, { recursive: true });
let stack: Stack | null = null;
let fakes: PlatformFakes | null = null;
const djs: DjStream[] = [];

const sleep = (ms: number) => new Promise((settle) => setTimeout(settle, ms));
const round3 = (value: number) => Number(value.toFixed(3));
const median = (values: number[]) => percentile(values, 0.5);

function log(message: string): void {
  console.log(`[bench +${Math.round((Date.now() - benchStartedAt) / 1000)}s] ${message}`);
}

/** The RSS of a process, sampled `samples` times a second apart: the median. */
async function settledRss(pid: number, samples = 5): Promise<number> {
  const values: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    values.push(rssOf(pid));
    await sleep(1_000);
  }
  return median(values);
}

const YOUTUBE_COSTS: Record<YouTubeMethod, number> = {
  'channels.list': 1,
  'videos.list': 1,
  'liveBroadcasts.list': 1,
  'liveBroadcasts.insert': 50,
  'liveBroadcasts.update': 50,
  'liveBroadcasts.bind': 50,
  'liveBroadcasts.transition': 50,
  'liveBroadcasts.delete': 50,
  'liveStreams.list': 1,
  'liveStreams.insert': 50,
  'liveStreams.delete': 50,
};

try {
  const runDir = join(work, 'run');
  const options = await testStackOptions(environment, runDir, {});
  const publicUrl = `http://127.0.0.1:${options.gatewayPort}`;
  fakes = await PlatformFakes.start({ directory: join(work, 'fakes'), publicUrl });
  stack = new Stack({
    ...options,
    env: {
      ...fakes.env(),
      PUBLIC_URL: publicUrl,
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
  await sleep(10_000);
  const bareRss = await settledRss(publisherPid);
  log(`publisher idle RSS without accounts: ${(bareRss / 1e6).toFixed(1)} MB`);

  const login = await fetch(`${gatewayUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const { accessToken: token } = (await login.json()) as { accessToken: string };
  const api = <T>(method: string, path: string, body?: unknown) => callApi<T>(gatewayUrl, method, path, token, body);

  for (const platform of PLATFORMS) {
    fakes.consentAs(platform, 'live');
    const outcome = await connectOverHttp(gatewayUrl, token, platform, 'live');
    if (outcome.connect !== 'connected' || !outcome.accountId) throw new Error(`${platform} did not connect: ${outcome.connect} ${outcome.message}`);
    await api('POST', '/api/destinations', { environment: 'live', platform, name: `Bench ${platform}`, accountId: outcome.accountId });
  }
  log('four accounts connected, a destination each');
  await sleep(10_000);
  const accountsRss = await settledRss(publisherPid);
  log(`publisher idle RSS with four accounts: ${(accountsRss / 1e6).toFixed(1)} MB`);

  const { streamKey } = await api<{ streamKey: string }>('POST', '/api/djs', { name: 'DJ Bench Platforms' });
  const ingest = `rtmp://127.0.0.1:${stack.options.rtmpPort}/live/${streamKey}`;

  /** One set: from the DJ's first packet to every platform confirming; the steps per platform. */
  async function oneSet(keepSeconds: number): Promise<{ seconds: number; steps: Record<string, Record<string, number>>; broadcast: BroadcastView }> {
    const unitsBefore = fakes!.youtube.quotaUsed;
    const started = performance.now();
    djs.push(publishAsDj(ingest, keepSeconds + 60, { size: '640x360', fps: 25 }));
    const steps: Record<string, Record<string, number>> = Object.fromEntries(PLATFORMS.map((platform) => [platform, {}]));
    const mark = (platform: string, step: string) => {
      steps[platform]![step] ??= round3((performance.now() - started) / 1000);
    };
    const broadcast = await waitFor(
      'every platform to confirm',
      async () => {
        const running = await api<BroadcastView[]>('GET', '/api/broadcasts?environment=live&running=true');
        const current = running[0];
        if (!current) return undefined;
        for (const destination of current.destinations) {
          mark(destination.platform, 'broadcastCreated');
          if (destination.platformState && destination.platformState !== 'creating') mark(destination.platform, 'platformReady');
          if (destination.state === 'live') mark(destination.platform, 'relayLive');
          if (destination.confirmed) mark(destination.platform, 'confirmed');
        }
        return current.destinations.length === PLATFORMS.length && current.destinations.every((destination) => destination.confirmed) ? current : undefined;
      },
      60_000,
      100,
    );
    const seconds = (performance.now() - started) / 1000;
    log(`all four confirmed ${seconds.toFixed(2)} s after the first packet (${fakes!.youtube.quotaUsed - unitsBefore} YouTube units so far)`);
    return { seconds, steps, broadcast };
  }

  async function endSet(broadcastId: string): Promise<void> {
    for (const dj of djs.splice(0)) {
      dj.process.kill('SIGTERM');
      await dj.exited;
    }
    await waitFor('the set to end', async () => ((await api<BroadcastView>('GET', `/api/broadcasts/${broadcastId}`)).state === 'ended' ? true : undefined), 60_000, 250);
    // The platform sides end after the broadcast: wait for YouTube to be complete.
    await waitFor(
      'the platforms to be ended',
      async () => ((await api<BroadcastView>('GET', `/api/broadcasts/${broadcastId}`)).destinations.every((destination) => destination.platformState === 'complete') ? true : undefined),
      60_000,
      250,
    );
  }

  // 1. First packet → confirmed, RUNS times.
  const runs: Array<{ seconds: number; steps: Record<string, Record<string, number>> }> = [];
  for (let run = 0; run < RUNS; run += 1) {
    const set = await oneSet(5);
    runs.push({ seconds: round3(set.seconds), steps: set.steps });
    await endSet(set.broadcast.id);
  }

  // 2. YouTube units of one set at the default polling: creation + on air, the steady window, the end.
  const calls = () => Object.fromEntries((Object.keys(YOUTUBE_COSTS) as YouTubeMethod[]).map((method) => [method, fakes!.youtube.calls(method)])) as Record<YouTubeMethod, number>;
  const unitsOf = (counts: Record<YouTubeMethod, number>) => (Object.keys(counts) as YouTubeMethod[]).reduce((sum, method) => sum + counts[method] * YOUTUBE_COSTS[method], 0);
  const diff = (after: Record<YouTubeMethod, number>, before: Record<YouTubeMethod, number>) =>
    Object.fromEntries((Object.keys(after) as YouTubeMethod[]).map((method) => [method, after[method] - before[method]])) as Record<YouTubeMethod, number>;
  const atStart = calls();
  const set = await oneSet(QUOTA_WINDOW_SECONDS);
  // Let the first viewers poll settle, then count a steady window while live.
  await sleep(5_000);
  const windowStart = calls();
  const windowStartedAt = performance.now();
  await sleep(QUOTA_WINDOW_SECONDS * 1000);
  const windowEnd = calls();
  const windowSeconds = (performance.now() - windowStartedAt) / 1000;
  await endSet(set.broadcast.id);
  const atEnd = calls();
  const steady = diff(windowEnd, windowStart);
  const oneOff = diff(diff(atEnd, atStart), steady);
  const steadyUnitsPerSecond = unitsOf(steady) / windowSeconds;
  const youtubeUnitsPerHour = unitsOf(oneOff) + steadyUnitsPerSecond * 3600;
  log(`YouTube: ${unitsOf(oneOff)} one-off units, ${(steadyUnitsPerSecond * 3600).toFixed(0)} an hour while live`);

  const times = runs.map((run) => run.seconds);
  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9) },
    benchSeconds: Math.round((Date.now() - benchStartedAt) / 1000),
    profile: 'four API destinations (YouTube, Twitch, Facebook, Kick fakes answering at once), 640x360 libx264 program, default poll intervals',
    firstPacketToConfirmedSeconds: {
      min: round3(Math.min(...times)),
      median: round3(median(times)),
      max: round3(Math.max(...times)),
      runs,
      target: TARGETS.firstPacketToConfirmedSeconds,
    },
    youtubeUnitsPerHour: {
      value: round3(youtubeUnitsPerHour),
      oneOffUnits: unitsOf(oneOff),
      steadyUnitsPerHour: round3(steadyUnitsPerSecond * 3600),
      windowSeconds: round3(windowSeconds),
      oneOffCalls: oneOff,
      steadyCalls: steady,
      target: TARGETS.youtubeUnitsPerHour,
    },
    publisherIdleRssMb: { withFourAccounts: round3(accountsRss / 1e6), withoutAccounts: round3(bareRss / 1e6), target: TARGETS.publisherIdleRssMb },
  };
  const verdict = (value: number, target: number, digits = 2) => `${value.toFixed(digits)} (target ≤ ${target}: ${value <= target ? 'met' : 'MISSED'}; ratio ${(value / target).toFixed(2)})`;
  console.log(`\nStreamCaster platforms benchmark`);
  console.log(`  first packet → all four confirmed, median (s): ${verdict(results.firstPacketToConfirmedSeconds.median, TARGETS.firstPacketToConfirmedSeconds)}  [min ${results.firstPacketToConfirmedSeconds.min}, max ${results.firstPacketToConfirmedSeconds.max}; ${RUNS} runs]`);
  for (const platform of PLATFORMS) console.log(`    ${platform.padEnd(9)} ${JSON.stringify(runs.map((run) => run.steps[platform]))}`);
  console.log(`  YouTube units per broadcast hour:          ${verdict(youtubeUnitsPerHour, TARGETS.youtubeUnitsPerHour, 0)}  [${unitsOf(oneOff)} one-off + ${(steadyUnitsPerSecond * 3600).toFixed(0)} an hour live]`);
  console.log(`    one-off calls ${JSON.stringify(oneOff)}`);
  console.log(`    steady calls over ${windowSeconds.toFixed(0)} s ${JSON.stringify(steady)}`);
  console.log(`  publisher idle RSS, four accounts (MB):    ${verdict(accountsRss / 1e6, TARGETS.publisherIdleRssMb, 1)}  [without accounts ${(bareRss / 1e6).toFixed(1)} MB]`);
  const file = resolve('bench/results/platforms.json');
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nresults kept in ${file}`);
} finally {
  for (const dj of djs) dj.process.kill('SIGKILL');
  await stack?.stop();
  await fakes?.stop();
  await environment.dispose();
}
