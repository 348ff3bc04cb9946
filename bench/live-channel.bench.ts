// Benchmark of the dashboard's live channel (WebSocket /api/live), on the whole system (see bench/README.md):
//   state freshness    a destination's sink killed → its new state at a connected client, p50/p99   (target ≤ 1 s)
//   stats freshness    a stats snapshot's age at the client (arrival − the snapshot's `at`), p50/p99 (target ≤ 1.5 s)
//   scale              CLIENTS (500) clients on stats:<id> for WINDOW (60 s): snapshots lost       (target 0)
//                      the gateway's CPU over that window − over an idle window, % of one core     (target ≤ 10 %)
//                      the gateway's RSS, the largest sample of the window                          (target ≤ 200 MB)
//   stats idle RSS     the stats service 5 s after boot, before any broadcast                       (target ≤ 150 MB)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { broadcastViewSchema, type BroadcastView } from '@streamcaster/contracts';
import { Stack } from '@streamcaster/stack';
import { allProcesses, createTestEnvironment, publishAsDj, rssOf, RtmpSink, signalTree, testStackOptions, waitFor, type DjStream } from '@streamcaster/testing';
import { callApi } from './gateway-api.js';
import { LiveClient, percentile, type Arrival } from './live-client.js';
import { CpuMeter } from './process-meter.js';

const CLIENTS = Number(process.env.BENCH_LIVE_CLIENTS ?? 500);
const WINDOW_SECONDS = Number(process.env.BENCH_LIVE_WINDOW_SECONDS ?? 60);
const IDLE_SECONDS = Number(process.env.BENCH_LIVE_IDLE_SECONDS ?? 30);
const STATE_RUNS = Number(process.env.BENCH_LIVE_STATE_RUNS ?? 10);
const TARGETS = { stateFreshnessSeconds: 1, statsAgeSeconds: 1.5, lostSnapshots: 0, gatewayAddedCpuPercent: 10, gatewayRssMb: 200, statsIdleRssMb: 150 };
const ADMIN = { email: 'bench@streamcaster.test', password: 'bench-password-123' };
const benchStartedAt = Date.now();

const environment = await createTestEnvironment('livebench');
const work = join(environment.dataDir, 'bench');
mkdirSync(work, { recursive: true });
const victimDirectory = join(work, 'sink-victim');
const victim = new RtmpSink('victim', victimDirectory);
const steady = new RtmpSink('steady', join(work, 'sink-steady'));
let stack: Stack | null = null;
let dj: DjStream | null = null;
const clients: LiveClient[] = [];

const sleep = (ms: number) => new Promise((settle) => setTimeout(settle, ms));
const round3 = (value: number) => Number(value.toFixed(3));

function log(message: string): void {
  console.log(`[bench +${Math.round((Date.now() - benchStartedAt) / 1000)}s] ${message}`);
}

/** p50 / p99 / max of a list of seconds, for the results. */
function distribution(seconds: number[]) {
  return { samples: seconds.length, p50: round3(percentile(seconds, 0.5)), p99: round3(percentile(seconds, 0.99)), max: round3(Math.max(...seconds)) };
}

/** A platform that dies: nginx's master and worker SIGKILLed at once, as a crash or a pulled cable would. */
function killSink(directory: string): void {
  const config = join(directory, 'nginx.conf');
  for (const [pid, sample] of allProcesses()) if (sample.command.includes(config)) signalTree(pid, 'SIGKILL');
}

try {
  mkdirSync(victimDirectory, { recursive: true });
  mkdirSync(join(work, 'sink-steady'), { recursive: true });
  await Promise.all([victim.start(), steady.start()]);
  stack = new Stack(
    await testStackOptions(environment, join(work, 'run'), {
      STREAMCASTER_ADMIN_EMAIL: ADMIN.email,
      STREAMCASTER_ADMIN_PASSWORD: ADMIN.password,
      BROADCAST_GRACE_PERIOD_MS: '1000',
      TRANSCODER_ENCODER: 'libx264',
      // A small program: the encoder's CPU is not what this bench measures, and it shares the machine.
      TRANSCODER_WIDTH: '640',
      TRANSCODER_HEIGHT: '360',
      TRANSCODER_VIDEO_BITRATE_KBPS: '800',
      // The victim sink comes back between the runs; its relay should not wait long to see it.
      RELAY_BACKOFF_MAX_MS: '2000',
    }),
  );
  await stack.start();
  await sleep(5_000);
  const statsPid = stack.process('stats')?.pid;
  const statsIdleRssMb = statsPid ? rssOf(statsPid) / 1e6 : null;
  const gatewayPid = stack.process('gateway')!.pid!;
  const gatewayIdleRssMb = rssOf(gatewayPid) / 1e6;
  log(`idle RSS: stats ${statsIdleRssMb?.toFixed(1) ?? 'not measured (no stats process in the stack)'} MB, gateway ${gatewayIdleRssMb.toFixed(1)} MB`);

  const login = await fetch(`${stack.gatewayUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const api = <T>(method: string, path: string, body?: unknown) => callApi<T>(stack!.gatewayUrl, method, path, accessToken, body);
  const { streamKey } = await api<{ streamKey: string }>('POST', '/api/djs', { name: 'Bench DJ' });
  const victimDestination = await api<{ id: string }>('POST', '/api/destinations', { environment: 'live', platform: 'rtmp', name: 'victim', url: victim.url, streamKey: victim.streamKey });
  await api('POST', '/api/destinations', { environment: 'live', platform: 'rtmp', name: 'steady', url: steady.url, streamKey: steady.streamKey });

  dj = publishAsDj(`rtmp://127.0.0.1:${stack.options.rtmpPort}/live/${streamKey}`, 3_600, { size: '640x360' });
  const broadcast = await waitFor('a live broadcast', async () => (await api<BroadcastView[]>('GET', '/api/broadcasts?environment=live')).find((candidate) => candidate.state === 'live'), 30_000);
  log(`broadcast ${broadcast.id} is live`);

  // One client watches the broadcast and its stats, validating every message with the contract.
  let lastView: BroadcastView | null = null;
  let waitingForState: { state: (state: string) => boolean; settle: (at: number) => void } | null = null;
  const watcherStats: Arrival[] = [];
  const watcher = await LiveClient.connect(
    stack.gatewayUrl,
    accessToken,
    (arrival) => {
      if (arrival.topic === `broadcast:${broadcast.id}`) {
        lastView = broadcastViewSchema.parse(arrival.data);
        const state = lastView.destinations.find((destination) => destination.id === victimDestination.id)?.state ?? 'absent';
        if (waitingForState?.state(state)) {
          waitingForState.settle(arrival.arrivedAt);
          waitingForState = null;
        }
      } else if (arrival.topic === `stats:${broadcast.id}`) {
        watcherStats.push(arrival);
      }
    },
    true,
  );
  clients.push(watcher);
  watcher.subscribe(`broadcast:${broadcast.id}`);
  watcher.subscribe(`stats:${broadcast.id}`);
  const victimState = () => (lastView as BroadcastView | null)?.destinations.find((destination) => destination.id === victimDestination.id)?.state;
  const stateArrives = (state: (value: string) => boolean, timeoutMs: number) =>
    new Promise<number>((settle, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such state of the victim within ${timeoutMs} ms (last: ${victimState()})`)), timeoutMs);
      waitingForState = { state, settle: (at) => (clearTimeout(timer), settle(at)) };
    });

  // State freshness: the victim's sink dies; how long until a client hears that its destination is no longer live.
  const stateSeconds: number[] = [];
  const backSeconds: number[] = [];
  for (let run = 0; run < STATE_RUNS; run += 1) {
    await waitFor('the victim destination to be live', () => (victimState() === 'live' ? true : undefined), 30_000, 50);
    await sleep(2_000);
    const heard = stateArrives((state) => state !== 'live', 15_000);
    const killedAt = Date.now();
    killSink(victimDirectory);
    const heardAt = await heard;
    stateSeconds.push((heardAt - killedAt) / 1000);
    await victim.stop();
    const back = stateArrives((state) => state === 'live', 30_000);
    const upAt = Date.now();
    await victim.start();
    backSeconds.push(((await back) - upAt) / 1000);
    log(`state run ${run + 1}: heard ${stateSeconds.at(-1)!.toFixed(3)} s after the kill (${victimState()} again ${backSeconds.at(-1)!.toFixed(2)} s after the sink came back)`);
  }

  // The idle window: the broadcast runs, one client watches.
  log(`idle window, ${IDLE_SECONDS} s`);
  const idleMeter = new CpuMeter(() => [gatewayPid]);
  idleMeter.start();
  await sleep(IDLE_SECONDS * 1000);
  const idle = idleMeter.stop();
  const idleAges = watcherStats.map((arrival) => (arrival.arrivedAt - Date.parse((arrival.data as { at: string }).at)) / 1000);

  // Scale: CLIENTS clients on the broadcast's stats.
  const received: Array<Map<number, number>> = [];
  let duplicates = 0;
  const connectedAt = Date.now();
  for (let batch = 0; batch < CLIENTS; batch += 50) {
    const connected = await Promise.all(
      Array.from({ length: Math.min(50, CLIENTS - batch) }, () => {
        const snapshots = new Map<number, number>();
        received.push(snapshots);
        return LiveClient.connect(stack!.gatewayUrl, accessToken, (arrival) => {
          const at = Date.parse((arrival.data as { at: string }).at);
          if (snapshots.has(at)) duplicates += 1;
          snapshots.set(at, arrival.arrivedAt);
        });
      }),
    );
    for (const client of connected) client.subscribe(`stats:${broadcast.id}`);
    clients.push(...connected);
  }
  await waitFor('every client to have its first snapshot', () => (received.every((snapshots) => snapshots.size > 0) ? true : undefined), 15_000, 100);
  log(`${CLIENTS} clients connected and subscribed in ${((Date.now() - connectedAt) / 1000).toFixed(1)} s; window of ${WINDOW_SECONDS} s`);
  await sleep(2_000);
  const windowStart = Date.now();
  const meter = new CpuMeter(() => [gatewayPid]);
  meter.start();
  const benchCpuAtStart = process.cpuUsage();
  let gatewayRssMaxMb = 0;
  for (let second = 0; second < WINDOW_SECONDS; second += 1) {
    gatewayRssMaxMb = Math.max(gatewayRssMaxMb, rssOf(gatewayPid) / 1e6);
    await sleep(1_000);
  }
  const loaded = meter.stop();
  const benchCpu = process.cpuUsage(benchCpuAtStart);
  const windowEnd = Date.now();
  await sleep(3_000); // the last snapshots of the window are still on their way

  // Every snapshot made inside the window that any client got is one that every client should have.
  const inWindow = (at: number) => at >= windowStart && at < windowEnd;
  const reference = new Set<number>();
  for (const snapshots of received) for (const at of snapshots.keys()) if (inWindow(at)) reference.add(at);
  let lost = 0;
  let clientsMissing = 0;
  const ages: number[] = [];
  for (const snapshots of received) {
    let missing = 0;
    for (const at of reference) if (!snapshots.has(at)) missing += 1;
    lost += missing;
    if (missing > 0) clientsMissing += 1;
    for (const [at, arrivedAt] of snapshots) if (inWindow(at)) ages.push((arrivedAt - at) / 1000);
  }
  const closed = clients.filter((client) => client.closeCode !== null).map((client) => client.closeCode);
  const idleCores = idle.cpuSeconds / idle.wallSeconds;
  const loadedCores = loaded.cpuSeconds / loaded.wallSeconds;
  const otherLoad = (measured: typeof loaded) => Math.max(0, measured.machineCpuSeconds - measured.cpuSeconds) / measured.wallSeconds;

  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9) },
    benchSeconds: Math.round((Date.now() - benchStartedAt) / 1000),
    profile: 'one broadcast, 640x360 libx264, two RTMP destinations',
    stateFreshnessSeconds: { ...distribution(stateSeconds), runs: stateSeconds.map(round3), target: TARGETS.stateFreshnessSeconds },
    sinkBackToLiveSeconds: { ...distribution(backSeconds), runs: backSeconds.map(round3) },
    statsAgeSeconds: {
      oneClient: { ...distribution(idleAges), target: TARGETS.statsAgeSeconds },
      allClients: { ...distribution(ages), target: TARGETS.statsAgeSeconds },
    },
    scale: {
      clients: CLIENTS,
      windowSeconds: WINDOW_SECONDS,
      snapshotsInWindow: reference.size,
      lostSnapshots: lost,
      clientsMissingSnapshots: clientsMissing,
      duplicateSnapshots: duplicates,
      clientsClosed: closed.length,
      closeCodes: [...new Set(closed)],
      gatewayCpuPercentOfOneCore: { idle: round3(idleCores * 100), loaded: round3(loadedCores * 100), added: round3((loadedCores - idleCores) * 100), target: TARGETS.gatewayAddedCpuPercent },
      gatewayRssMb: { idle: round3(gatewayIdleRssMb), loadedMax: round3(gatewayRssMaxMb), target: TARGETS.gatewayRssMb },
      benchProcessCpuPercent: round3(((benchCpu.user + benchCpu.system) / 1e6 / loaded.wallSeconds) * 100),
      otherLoadCores: { idle: round3(otherLoad(idle)), loaded: round3(otherLoad(loaded)) },
      lostTarget: TARGETS.lostSnapshots,
    },
    statsIdleRssMb: { value: statsIdleRssMb === null ? null : round3(statsIdleRssMb), target: TARGETS.statsIdleRssMb },
  };

  const verdict = (value: number | null, target: number, digits = 3) =>
    value === null || Number.isNaN(value) ? 'not measured' : `${value.toFixed(digits)} (target ≤ ${target}: ${value <= target ? 'met' : 'MISSED'}; ratio ${(value / target).toFixed(2)})`;
  console.log(`\nStreamCaster live channel benchmark`);
  console.log(`  state change → client, p50 (s):        ${verdict(results.stateFreshnessSeconds.p50, TARGETS.stateFreshnessSeconds)}`);
  console.log(`  state change → client, p99 (s):        ${verdict(results.stateFreshnessSeconds.p99, TARGETS.stateFreshnessSeconds)}  [${STATE_RUNS} runs; sink back → live p50 ${results.sinkBackToLiveSeconds.p50} s]`);
  console.log(`  snapshot age at 1 client, p50/p99 (s): ${verdict(results.statsAgeSeconds.oneClient.p99, TARGETS.statsAgeSeconds)}  [p50 ${results.statsAgeSeconds.oneClient.p50}; ${idleAges.length} snapshots]`);
  console.log(`  snapshot age at ${CLIENTS} clients, p99 (s): ${verdict(results.statsAgeSeconds.allClients.p99, TARGETS.statsAgeSeconds)}  [p50 ${results.statsAgeSeconds.allClients.p50}]`);
  console.log(`  snapshots lost over ${CLIENTS} clients:      ${lost} of ${reference.size * CLIENTS} (target 0: ${lost === 0 ? 'met' : 'MISSED'}; ${clientsMissing} clients missed some, ${duplicates} duplicates, ${closed.length} closed)`);
  console.log(`  gateway added CPU (% of one core):     ${verdict(results.scale.gatewayCpuPercentOfOneCore.added, TARGETS.gatewayAddedCpuPercent, 2)}  [idle ${results.scale.gatewayCpuPercentOfOneCore.idle} %, loaded ${results.scale.gatewayCpuPercentOfOneCore.loaded} %; the bench's own clients ${results.scale.benchProcessCpuPercent} %]`);
  console.log(`  gateway RSS with ${CLIENTS} clients (MB):   ${verdict(gatewayRssMaxMb, TARGETS.gatewayRssMb, 1)}  [idle ${gatewayIdleRssMb.toFixed(1)} MB]`);
  console.log(`  stats service idle RSS (MB):           ${verdict(statsIdleRssMb, TARGETS.statsIdleRssMb, 1)}`);
  console.log(`  other load on the machine: idle window ${results.scale.otherLoadCores.idle}, loaded window ${results.scale.otherLoadCores.loaded} cores; whole bench ${results.benchSeconds} s`);
  const file = resolve('bench/results/live-channel.json');
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nresults kept in ${file}`);
} finally {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  dj?.process.kill('SIGKILL');
  await stack?.stop();
  await victim.stop();
  await steady.stop();
  await environment.dispose();
}
