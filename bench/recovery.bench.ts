// Benchmark of the control plane's recovery, on the whole system with two replicas of every bus
// service (see bench/README.md):
//   take-over      SIGKILL of the replica that runs a broadcast's relays / encoder / recording → the
//                  destinations receive again (the recording goes on), min / median / max of RUNS
//                  (target ≤ 10 s)
//   lost stop      the publishers frozen then killed as the DJ stops → broadcast ended
//                  (target ≤ grace + 10 s)
//   idle memory    RSS of each service with its JetStream consumer, outbox and lease loops running,
//                  before any broadcast (target ≤ 150 MB)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Stack } from '@streamcaster/stack';
import {
  createTestEnvironment,
  publishAsDj,
  publishesAt,
  receivesAgain,
  replicaRunning,
  rssOf,
  RtmpSink,
  signalTree,
  testStackOptions,
  waitFor,
  type DjStream,
} from '@streamcaster/testing';
import { callApi } from './gateway-api.js';

const RUNS = Number(process.env.BENCH_RECOVERY_RUNS ?? 5);
const GRACE_MS = 8_000;
const TARGETS = { takeOverSeconds: 10, lostStopSeconds: GRACE_MS / 1000 + 10, idleRssMb: 150 };
const ADMIN = { email: 'bench@streamcaster.test', password: 'bench-password-123' };
type Service = 'publisher' | 'transcoder' | 'recorder';

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

const environment = await createTestEnvironment('recovery');
const work = join(environment.dataDir, 'recovery');
mkdirSync(work, { recursive: true });
const sinks = [new RtmpSink('r1', join(work, 'sink-1')), new RtmpSink('r2', join(work, 'sink-2'))];
let stack: Stack | null = null;
let dj: DjStream | null = null;

const api = <T>(method: string, path: string, token: string, body?: unknown) => callApi<T>(stack!.gatewayUrl, method, path, token, body);

const pidsOf = (service: Service) => stack!.replicasOf(service).flatMap((process) => (process.pid === undefined ? [] : [process.pid]));
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)!, runs: sorted };
};

try {
  for (const sink of sinks) await sink.start();
  stack = new Stack({
    ...(await testStackOptions(environment, join(work, 'run'), {
      STREAMCASTER_ADMIN_EMAIL: ADMIN.email,
      STREAMCASTER_ADMIN_PASSWORD: ADMIN.password,
      BROADCAST_GRACE_PERIOD_MS: String(GRACE_MS),
      TRANSCODER_ENCODER: 'libx264',
      TRANSCODER_WIDTH: '1280',
      TRANSCODER_HEIGHT: '720',
      TRANSCODER_VIDEO_BITRATE_KBPS: '2500',
      RECORDER_SEGMENT_SECONDS: '2',
    })),
    replicas: { publisher: 2, transcoder: 2, recorder: 2 },
  });
  await stack.start();

  // Idle memory: every service up, its consumer, outbox and lease loops running, no broadcast yet.
  await new Promise((settle) => setTimeout(settle, 5_000));
  const idleRssMb: Record<string, number> = {};
  for (const name of ['gateway', 'publisher', 'publisher-2', 'transcoder', 'transcoder-2', 'recorder', 'recorder-2']) {
    idleRssMb[name] = Math.round(rssOf(stack.process(name)!.pid!) / 1e6);
  }
  log(`idle RSS (MB): ${JSON.stringify(idleRssMb)}`);

  const { accessToken } = await api<{ accessToken: string }>('POST', '/api/auth/login', '', ADMIN);
  let token = accessToken;
  const { streamKey } = await api<{ streamKey: string }>('POST', '/api/djs', token, { name: 'DJ Bench' });
  for (const sink of sinks) {
    await api('POST', '/api/destinations', token, { environment: 'live', platform: 'rtmp', name: sink.name, url: sink.url, streamKey: sink.streamKey });
  }
  const ingest = `rtmp://127.0.0.1:${stack.options.rtmpPort}/live/${streamKey}`;
  const liveBroadcast = () =>
    waitFor('a live broadcast', async () => (await api<Array<{ id: string; state: string }>>('GET', '/api/broadcasts?environment=live', token)).find((b) => b.state === 'live'), 30_000, 200);

  dj = publishAsDj(ingest, 3_600);
  let broadcastId = (await liveBroadcast()).id;
  await Promise.all(sinks.map((sink) => receivesAgain(sink, new Set(), 30_000)));

  const matchers: Record<Service, (command: string) => boolean> = {
    publisher: (command) => command.includes(`program/${broadcastId}`) && !command.includes(' -f segment ') && !/\/(live|test)\//.test(command),
    transcoder: (command) => command.includes(`program/${broadcastId}`) && /\/(live|test)\//.test(command),
    recorder: (command) => command.includes(`program/${broadcastId}`) && command.includes(' -f segment '),
  };
  const takeOver: Record<Service, number[]> = { publisher: [], transcoder: [], recorder: [] };
  for (let run = 1; run <= RUNS; run += 1) {
    // A fresh login each round: access tokens live 15 minutes.
    token = (await api<{ accessToken: string }>('POST', '/api/auth/login', '', ADMIN)).accessToken;
    for (const service of ['publisher', 'transcoder', 'recorder'] as const) {
      const owner = await waitFor(`the ${service} running the broadcast`, () => replicaRunning(pidsOf(service), matchers[service]), 20_000, 100);
      // The publisher replicas share the relays: only those of the killed one move.
      const affected = service === 'transcoder' ? sinks : sinks.filter((sink) => replicaRunning([owner], (command) => matchers.publisher(command) && command.includes(sink.url)));
      const before = sinks.map(publishesAt);
      signalTree(owner, 'SIGKILL');
      const killedAt = Date.now();
      if (service === 'recorder') {
        // Another replica's writer: the killed one's may still be on its way out for a moment.
        await waitFor('another recorder', () => replicaRunning(pidsOf('recorder').filter((pid) => pid !== owner), matchers.recorder), 30_000, 100);
        takeOver.recorder.push(Date.now() - killedAt);
      } else {
        const back = await Promise.all(affected.map((sink) => receivesAgain(sink, before[sinks.indexOf(sink)]!, 30_000)));
        takeOver[service].push(Math.max(...back) - killedAt);
      }
      log(`run ${run}: ${service} SIGKILL → ${takeOver[service].at(-1)} ms`);
      // Let the killed replica come back (the stack restarts it) before the next kill.
      await waitFor(`both ${service} replicas up`, () => (stack!.replicasOf(service).every((process) => process.state === 'running') ? true : undefined), 30_000, 200);
      await new Promise((settle) => setTimeout(settle, 2_000));
    }
  }

  // A lost ingest.stopped: every publisher frozen, then killed, as the DJ stops.
  const publishers = pidsOf('publisher');
  for (const pid of publishers) signalTree(pid, 'SIGSTOP');
  dj.process.kill('SIGKILL');
  const stoppedAt = Date.now();
  await new Promise((settle) => setTimeout(settle, 1_000));
  for (const pid of publishers) signalTree(pid, 'SIGKILL');
  await waitFor('the broadcast to end', async () => {
    try {
      token = (await api<{ accessToken: string }>('POST', '/api/auth/login', '', ADMIN)).accessToken;
      return (await api<{ state: string }>('GET', `/api/broadcasts/${broadcastId}`, token)).state === 'ended' ? true : undefined;
    } catch {
      return undefined; // the publishers are restarting
    }
  }, 120_000, 250);
  const lostStopMs = Date.now() - stoppedAt;
  log(`lost ingest.stopped → ended in ${lostStopMs} ms (grace ${GRACE_MS} ms)`);
  broadcastId = '';

  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30) },
    profile: '1280x720@30 libx264 2500 kb/s, two destinations, two replicas of each bus service',
    runs: RUNS,
    takeOverMs: { publisher: summary(takeOver.publisher), transcoder: summary(takeOver.transcoder), recorder: summary(takeOver.recorder) },
    lostIngestStoppedMs: lostStopMs,
    gracePeriodMs: GRACE_MS,
    idleRssMb,
    targets: TARGETS,
    ratios: {
      worstTakeOverToTarget: Math.max(...Object.values(takeOver).flat()) / (TARGETS.takeOverSeconds * 1000),
      lostStopToTarget: lostStopMs / (TARGETS.lostStopSeconds * 1000),
      worstIdleRssToTarget: Math.max(...Object.values(idleRssMb)) / TARGETS.idleRssMb,
    },
  };
  const file = resolve('bench/results/recovery.json');
  mkdirSync(resolve('bench/results'), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  log(`take-over (ms): ${JSON.stringify(results.takeOverMs, (key, value) => (key === 'runs' ? undefined : value))}`);
  log(`ratios to target (≤ 1 is within): ${JSON.stringify(results.ratios)}`);
  log(`results written to ${file}`);
} finally {
  dj?.process.kill('SIGKILL');
  await stack?.stop();
  for (const sink of sinks) await sink.stop();
  await environment.dispose();
}
