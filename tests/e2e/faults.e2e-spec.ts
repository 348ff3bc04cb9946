import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Stack } from '@streamcaster/stack';
import {
  bytesIn,
  createTestEnvironment,
  FencingWatch,
  PrivateNats,
  publishesAt,
  receivesAgain,
  replicaRunning,
  signalTree,
  probeDuration,
  probeStreams,
  publishAsDj,
  RtmpSink,
  testStackOptions,
  waitFor,
  type DjStream,
  type TestEnvironment,
} from '@streamcaster/testing';
import { ApiClient } from './api-client.js';

/**
 * What a failure may cost, measured on the whole system with two replicas of every bus service:
 * SIGKILLed owners, a frozen owner, a DJ who drops and returns, a lost ingest.stopped, NATS and
 * nginx-rtmp restarted mid-broadcast. Throughout, a sampler checks that no piece of per-broadcast
 * work (encoder, relay, recording) ever ran twice at once.
 */

const ADMIN = { email: 'faults@streamcaster.test', password: 'faults-password-123' };
const GRACE_MS = 8_000;
/** The bounds. */
const TAKE_OVER_WITHIN_MS = 10_000;
const BACK_AFTER_RETURN_WITHIN_MS = 3_000;
/** The recorder's default: a recorder that dies may lose at most this much of the program. */
const SEGMENT_SECONDS = 6;

interface BroadcastView {
  id: string;
  state: string;
  destinations: Array<{ id: string; name: string; state: string }>;
}
interface RecordingView {
  id: string;
  broadcastId: string;
  state: string;
  durationSeconds: number | null;
  segments: number;
  error: string | null;
}

const BROADCAST_IN = /program\/([0-9a-f-]{36})/;

/**
 * Which per-broadcast work an ffmpeg command line is: its program (the transcoder's publisher of the
 * spliced program, reading its switcher's loopback socket), a relay to one sink, its recording. The
 * DJ's encoder writes to the switcher, not to program/<id>: it is part of the program's work, and
 * not told apart here.
 */
function workOf(command: string): string | null {
  const broadcast = BROADCAST_IN.exec(command)?.[1];
  if (!broadcast) return null;
  if (command.includes(' -f segment ')) return `recording:${broadcast}`;
  if (command.includes(' -i tcp://127.0.0.1:')) return `program:${broadcast}`;
  return `relay:${broadcast}:${command.split(' ').at(-1) ?? ''}`;
}

describe('faults: what a failure may cost', { timeout: 900_000 }, () => {
  let environment: TestEnvironment;
  let nats: PrivateNats;
  let stack: Stack;
  let api: ApiClient;
  let dj: { id: string; streamKey: string };
  let djStream: DjStream | null = null;
  let djSeconds = 0;
  let djSince = 0;
  /** When the destinations first received the program. */
  let programSeenAt = 0;
  let broadcastId = '';
  const sinks: RtmpSink[] = [];
  const fencing = new FencingWatch(workOf);
  const figures: Record<string, number> = {};

  /** The relay of the current broadcast to one sink. */
  const relayTo = (sink: RtmpSink) => (command: string) => (workOf(command)?.startsWith(`relay:${broadcastId}`) ?? false) && command.includes(sink.url);
  const broadcast = async (id = broadcastId) => (await api.call<BroadcastView>('GET', `/api/broadcasts/${id}`, undefined, 200)).body;
  const pidsOf = (service: 'publisher' | 'transcoder' | 'recorder') =>
    stack.replicasOf(service).flatMap((process) => (process.pid === undefined ? [] : [process.pid]));

  function startDj(): void {
    djStream = publishAsDj(`rtmp://127.0.0.1:${stack.options.rtmpPort}/live/${dj.streamKey}`, 600);
    djSince = Date.now();
  }

  /** The DJ's connection drops as a lost network would drop it. */
  async function dropDj(): Promise<void> {
    if (!djStream) return;
    djStream.process.kill('SIGKILL');
    await djStream.exited;
    djSeconds += (Date.now() - djSince) / 1000;
    djStream = null;
  }

  async function everySinkReceives(what: string): Promise<void> {
    for (const sink of sinks) assert.ok((await bytesIn(sink)) > 0, `${what}: sink ${sink.name} receives nothing`);
  }

  async function waitForState(state: string, timeoutMs: number, id = broadcastId): Promise<number> {
    // waitFor goes on while the probe answers undefined (false would end it).
    await waitFor(`broadcast ${id} to be ${state}`, async () => ((await broadcast(id)).state === state ? true : undefined), timeoutMs, 200);
    return Date.now();
  }

  async function recordingOf(id: string): Promise<RecordingView> {
    return waitFor(
      `the recording of ${id} to be finalised`,
      async () => {
        const [recording] = (await api.call<RecordingView[]>('GET', '/api/recordings', undefined, 200)).body.filter((entry) => entry.broadcastId === id);
        return recording && (recording.state === 'ready' || recording.state === 'failed') ? recording : undefined;
      },
      90_000,
      500,
    );
  }

  /** Kills the replica of `service` that runs the matching ffmpeg; the stack restarts it as a new owner. */
  async function killOwner(service: 'publisher' | 'transcoder' | 'recorder', matches: (command: string) => boolean): Promise<number> {
    const owner = await waitFor(`a ${service} replica running the work`, () => replicaRunning(pidsOf(service), matches), 10_000, 100);
    signalTree(owner, 'SIGKILL');
    return Date.now();
  }

  before(async () => {
    environment = await createTestEnvironment('faults');
    nats = new PrivateNats();
    await nats.start();
    const work = join(environment.dataDir, 'faults');
    for (const name of ['a', 'b']) {
      const sink = new RtmpSink(name, join(work, `sink-${name}`));
      await mkdir(join(work, `sink-${name}`), { recursive: true });
      await sink.start();
      sinks.push(sink);
    }
    stack = new Stack({
      ...(await testStackOptions(environment, join(work, 'run'), {
        STREAMCASTER_ADMIN_EMAIL: ADMIN.email,
        STREAMCASTER_ADMIN_PASSWORD: ADMIN.password,
        BROADCAST_GRACE_PERIOD_MS: String(GRACE_MS),
        TRANSCODER_ENCODER: 'libx264',
        TRANSCODER_WIDTH: '640',
        TRANSCODER_HEIGHT: '360',
        TRANSCODER_VIDEO_BITRATE_KBPS: '1000',
        TRANSCODER_X264_PRESET: 'ultrafast',
        RECORDER_SEGMENT_SECONDS: String(SEGMENT_SECONDS),
      })),
      natsUrl: nats.url,
      replicas: { publisher: 2, transcoder: 2, recorder: 2 },
    });
    await stack.start();
    api = new ApiClient(stack.gatewayUrl);
    await api.login(ADMIN.email, ADMIN.password);
    dj = (await api.call<{ id: string; streamKey: string }>('POST', '/api/djs', { name: 'DJ Resilient' }, 201)).body;
    for (const sink of sinks) {
      await api.call('POST', '/api/destinations', { environment: 'live', platform: 'rtmp', name: `sink ${sink.name}`, url: sink.url, streamKey: sink.streamKey }, 201);
    }
    fencing.start();
  });

  after(async () => {
    fencing.stop();
    djStream?.process.kill('SIGKILL');
    await stack?.stop();
    if (stack) await cp(stack.logDir, resolve('var/e2e-logs/faults'), { recursive: true, force: true });
    for (const sink of sinks) await sink.stop();
    await nats?.stop();
    nats?.dispose();
    await environment?.dispose();
    console.log(`fault figures (ms): ${JSON.stringify(figures)}`);
  });

  it('goes live on both destinations with two replicas of every service', async () => {
    startDj();
    const live = await waitFor(
      'a live broadcast',
      async () => (await api.call<BroadcastView[]>('GET', '/api/broadcasts?environment=live', undefined, 200)).body.find((entry) => entry.state === 'live'),
      30_000,
      200,
    );
    broadcastId = live.id;
    const received = await Promise.all(sinks.map((sink) => receivesAgain(sink, new Set(), 30_000)));
    figures.firstReceived = Math.max(...received) - djSince;
    programSeenAt = Math.min(...received);
  });

  it('a SIGKILLed publisher: another replica runs its relays and those destinations receive within 10 s; the others never notice', async () => {
    // The replicas share the relays: the victim is the one that runs sink a's.
    const owners = await waitFor('every relay running', () => {
      const found = sinks.map((sink) => replicaRunning(pidsOf('publisher'), relayTo(sink)));
      return found.every((pid) => pid !== undefined) ? found : undefined;
    }, 10_000, 100);
    const victim = owners[0]!;
    const before = sinks.map(publishesAt);
    signalTree(victim, 'SIGKILL');
    const killedAt = Date.now();
    const moved = sinks.filter((_, index) => owners[index] === victim);
    const back = await Promise.all(moved.map((sink) => receivesAgain(sink, before[sinks.indexOf(sink)]!, 30_000)));
    figures.publisherKilled = Math.max(...back) - killedAt;
    assert.ok(figures.publisherKilled <= TAKE_OVER_WITHIN_MS, `destinations received again ${figures.publisherKilled} ms after the kill`);
    for (const [index, sink] of sinks.entries()) {
      if (owners[index] === victim) continue;
      assert.deepEqual(publishesAt(sink), before[index], `sink ${sink.name}, relayed by the other replica, was never cut`);
      assert.ok((await bytesIn(sink)) > 0);
    }
    assert.equal((await broadcast()).state, 'live', 'no broadcast ends because a publisher died');
  });

  it('a SIGKILLed transcoder: another replica encodes the program and the destinations receive within 10 s', async () => {
    const before = sinks.map(publishesAt);
    const killedAt = await killOwner('transcoder', (command) => workOf(command) === `program:${broadcastId}`);
    const back = await Promise.all(sinks.map((sink, index) => receivesAgain(sink, before[index]!, 30_000)));
    figures.transcoderKilled = Math.max(...back) - killedAt;
    assert.ok(figures.transcoderKilled <= TAKE_OVER_WITHIN_MS, `destinations received again ${figures.transcoderKilled} ms after the kill`);
    assert.equal((await broadcast()).state, 'live');
  });

  it('a SIGKILLed recorder: another replica goes on recording within 10 s', async () => {
    const isRecording = (command: string) => workOf(command) === `recording:${broadcastId}`;
    const victim = await waitFor('the recorder recording', () => replicaRunning(pidsOf('recorder'), isRecording), 10_000, 100);
    signalTree(victim, 'SIGKILL');
    const killedAt = Date.now();
    // Another replica's writer: the killed one's may still be on its way out for a moment.
    await waitFor('another recorder to record', () => replicaRunning(pidsOf('recorder').filter((pid) => pid !== victim), isRecording), 30_000, 100);
    figures.recorderKilled = Date.now() - killedAt;
    assert.ok(figures.recorderKilled <= TAKE_OVER_WITHIN_MS, `recording went on ${figures.recorderKilled} ms after the kill`);
    await everySinkReceives('the destinations never notice a recorder dying');
  });

  it('a DJ who drops three times in one set: the same broadcast goes on, the slate keeps every destination connected, live again within 3 s of each return', async () => {
    for (let drop = 1; drop <= 3; drop += 1) {
      const before = sinks.map(publishesAt);
      await dropDj();
      await waitForState('interrupted', 10_000);
      await new Promise((settle) => setTimeout(settle, 1_500));
      startDj();
      const returnedAt = Date.now();
      const took = (await waitForState('live', 20_000)) - returnedAt;
      figures[`djReturn${drop}`] = took;
      assert.ok(took <= BACK_AFTER_RETURN_WITHIN_MS, `drop ${drop}: live again ${took} ms after the DJ returned`);
      assert.deepEqual(sinks.map(publishesAt), before, `drop ${drop}: a destination reconnected (the slate should have covered the drop)`);
      // The broadcast is live as soon as the DJ publishes; their picture is on the program about a
      // second later (and the slate before it, once the replica that took the program over has
      // encoded it again).
      await new Promise((settle) => setTimeout(settle, 2_000));
      await everySinkReceives(`drop ${drop}: the destinations go on receiving`);
    }
    const all = (await api.call<BroadcastView[]>('GET', '/api/broadcasts?environment=live', undefined, 200)).body;
    assert.equal(all.length, 1, 'one broadcast for the whole set');
  });

  it('NATS restarted mid-broadcast: nothing is lost, the broadcast goes on', async () => {
    await nats.kill();
    await new Promise((settle) => setTimeout(settle, 2_000));
    await nats.start();
    await new Promise((settle) => setTimeout(settle, 4_000));
    assert.equal((await broadcast()).state, 'live');
    await everySinkReceives('after NATS came back');
  });

  it('ends after the grace period once the DJ leaves, with one playable recording of every part of the set', async () => {
    await dropDj();
    const stoppedAt = Date.now();
    const endedAt = await waitForState('ended', GRACE_MS + 20_000);
    figures.endedAfterDjLeft = endedAt - stoppedAt;
    assert.ok(figures.endedAfterDjLeft >= GRACE_MS, 'not before the grace period');
    const recording = await recordingOf(broadcastId);
    assert.equal(recording.state, 'ready', recording.error ?? '');
    const file = join(environment.dataDir, 'recordings', broadcastId, 'recording.mp4');
    assert.ok(existsSync(file));
    const codecs = (await probeStreams(file)).map((stream) => stream.codec_name).sort();
    assert.deepEqual(codecs, ['aac', 'h264']);
    const duration = await probeDuration(file);
    // The recording is the program, which never stops while the broadcast runs: the DJ's set, the
    // slate while they were away and through the grace period at the end. There was no program only
    // while it moved to another transcoder replica; the recorder that died may cost one segment.
    const programSeconds = (endedAt - programSeenAt) / 1000;
    const floor = programSeconds - figures.transcoderKilled! / 1000 - SEGMENT_SECONDS - 2;
    const what = `recorded ${duration.toFixed(1)} s of a program of ${programSeconds.toFixed(1)} s (the DJ streamed ${djSeconds.toFixed(1)} s)`;
    assert.ok(duration >= floor, what);
    assert.ok(duration <= programSeconds + 3, what);
  });

  it('a frozen publisher loses its relays to the other replica, and kills them the moment it thaws', async () => {
    startDj();
    const second = await waitFor(
      'a second live broadcast',
      async () => (await api.call<BroadcastView[]>('GET', '/api/broadcasts?environment=live', undefined, 200)).body.find((entry) => entry.state === 'live' && entry.id !== broadcastId),
      30_000,
      200,
    );
    broadcastId = second.id;
    await Promise.all(sinks.map((sink) => waitFor(`sink ${sink.name} to receive`, async () => ((await bytesIn(sink, 500)) > 0 ? true : undefined), 20_000, 0)));
    const isRelay = (command: string) => workOf(command)?.startsWith(`relay:${broadcastId}`) ?? false;
    const frozen = await waitFor('the relays owner', () => replicaRunning(pidsOf('publisher'), relayTo(sinks[0]!)), 10_000, 100);
    const moved = sinks.filter((sink) => replicaRunning([frozen], relayTo(sink)) !== undefined);
    const before = sinks.map(publishesAt);
    signalTree(frozen, 'SIGSTOP');
    const frozenAt = Date.now();
    try {
      // The other replica takes the leases once they are 6 s old and starts its own relays. The
      // platform still sees the frozen relay's connection, so it may refuse the newcomer until then.
      const others = () => pidsOf('publisher').filter((pid) => pid !== frozen);
      await Promise.all(moved.map((sink) => waitFor(`another replica relaying to ${sink.name}`, () => replicaRunning(others(), relayTo(sink)), TAKE_OVER_WITHIN_MS, 100)));
      figures.publisherFrozenTakenOver = Date.now() - frozenAt;
    } finally {
      signalTree(frozen, 'SIGCONT');
    }
    const thawedAt = Date.now();
    // Its next renewal finds the leases gone: its relays are killed at once, not stopped gracefully.
    await waitFor('the thawed replica to kill its old relays', () => (replicaRunning([frozen], isRelay) === undefined ? true : undefined), 3_000, 50);
    figures.thawedKilledOwnRelays = Date.now() - thawedAt;
    const back = await Promise.all(moved.map((sink) => receivesAgain(sink, before[sinks.indexOf(sink)]!, 30_000)));
    figures.afterThawReceiving = Math.max(...back) - thawedAt;
    assert.ok(figures.afterThawReceiving <= TAKE_OVER_WITHIN_MS, `destinations received again ${figures.afterThawReceiving} ms after the thaw`);
  });

  it('a lost ingest.stopped (the publishers frozen, then killed, as the DJ stops): the broadcast still ends within grace + 10 s, its recording finalised', async () => {
    const publishers = pidsOf('publisher');
    for (const pid of publishers) signalTree(pid, 'SIGSTOP');
    await dropDj();
    const stoppedAt = Date.now();
    await new Promise((settle) => setTimeout(settle, 1_000));
    for (const pid of publishers) signalTree(pid, 'SIGKILL');
    const endedAt = await waitForState('ended', GRACE_MS + 30_000);
    figures.lostIngestStopped = endedAt - stoppedAt;
    assert.ok(figures.lostIngestStopped <= GRACE_MS + 10_000, `ended ${figures.lostIngestStopped} ms after the DJ stopped`);
    assert.equal((await recordingOf(broadcastId)).state, 'ready');
  });

  it("nginx-rtmp killed: its DJ's broadcast ends after the grace period", async () => {
    startDj();
    const third = await waitFor(
      'a third live broadcast',
      async () => (await api.call<BroadcastView[]>('GET', '/api/broadcasts?environment=live', undefined, 200)).body.find((entry) => entry.state === 'live' && entry.id !== broadcastId),
      30_000,
      200,
    );
    broadcastId = third.id;
    await new Promise((settle) => setTimeout(settle, 3_000));
    const nginx = stack.process('nginx-rtmp')?.pid;
    assert.ok(nginx);
    signalTree(nginx, 'SIGKILL');
    const killedAt = Date.now();
    await djStream?.exited;
    djStream = null;
    // The gateway's reconciler needs nginx back and a session older than 15 s to call it stale.
    const endedAt = await waitForState('ended', GRACE_MS + 45_000);
    figures.nginxKilledToEnded = endedAt - killedAt;
    assert.ok(figures.nginxKilledToEnded >= GRACE_MS, 'not before the grace period');
  });

  it('never ran one encoder, relay or recording twice at once', () => {
    assert.ok(fencing.samples > 100, `only ${fencing.samples} samples`);
    assert.deepEqual(fencing.overlaps, []);
  });
});
