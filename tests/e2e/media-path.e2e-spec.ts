import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Stack } from '@streamcaster/stack';
import { runOnce } from '@streamcaster/supervisor';
import {
  createTestEnvironment,
  lastFrameRgb,
  meanColour,
  OutsideHost,
  probeDuration,
  probeStreams,
  publishAsDj,
  testStackOptions,
  waitFor,
  type DjStream,
  type TestEnvironment,
} from '@streamcaster/testing';
import { ApiClient } from './api-client.js';
import { startDestinationSinks, type DestinationSinks } from './destination-sinks.js';

/**
 * The whole media path on real components: nginx-rtmp, the four services, ffmpeg as the DJ, and
 * three platform ingests for Live (two RTMP, one RTMPS behind stunnel) plus one for Test.
 */

const ADMIN = { email: 'e2e@streamcaster.test', password: 'e2e-password-123' };
const PROGRAM = { width: 1280, height: 720 };
const STREAMED_SECONDS = 30;
const GRACE_MS = 4_000;

interface BroadcastView {
  id: string;
  environment: string;
  state: string;
  title: string;
  destinations: Array<{ id: string; name: string; state: string; reconnects: number; bitrateKbps: number | null; lastError: string | null }>;
}

/** Processes whose command line mentions a text (e.g. a relay's program URL). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (commandLine.includes(text)) found.push(`${pid}: ${commandLine}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

describe('the media path, end to end', { timeout: 300_000 }, () => {
  let environment: TestEnvironment;
  let stack: Stack;
  let api: ApiClient;
  let rtmpPort: number;
  let work: string;
  const sinks = {} as DestinationSinks;
  const destinationIds = {} as Record<'a' | 'b' | 'c' | 'test' | 'refusing', string>;
  let dj: { id: string; streamKey: string };
  let djStream: DjStream;
  let djStartedAt = 0;
  let broadcast: BroadcastView;

  const ingest = (app: 'live' | 'test', key: string) => `rtmp://127.0.0.1:${rtmpPort}/${app}/${key}`;
  const listBroadcasts = async (env: 'live' | 'test') =>
    (await api.call<BroadcastView[]>('GET', `/api/broadcasts?environment=${env}`, undefined, 200)).body;

  before(async () => {
    environment = await createTestEnvironment('e2e');
    work = join(environment.dataDir, 'e2e');
    // Sink b is down at the start: a test brings it up.
    await startDestinationSinks(sinks, work);

    stack = new Stack({
      ...(await testStackOptions(environment, join(work, 'run'), {
        STREAMCASTER_ADMIN_EMAIL: ADMIN.email,
        STREAMCASTER_ADMIN_PASSWORD: ADMIN.password,
        BROADCAST_GRACE_PERIOD_MS: String(GRACE_MS),
        TRANSCODER_ENCODER: 'libx264',
        TRANSCODER_WIDTH: String(PROGRAM.width),
        TRANSCODER_HEIGHT: String(PROGRAM.height),
        TRANSCODER_VIDEO_BITRATE_KBPS: '2500',
      })),
      // `info` shows nginx-rtmp's access decisions, which one test reads; it also logs the keys, so
      // only in a test's throw-away folder.
      nginxLogLevel: 'info',
    });
    rtmpPort = stack.options.rtmpPort;
    await stack.start();
    api = new ApiClient(stack.gatewayUrl);
    await api.login(ADMIN.email, ADMIN.password);

    dj = (await api.call<{ id: string; streamKey: string }>('POST', '/api/djs', { name: 'DJ Ünïcode "E2E"' }, 201)).body;
    for (const [name, environmentName] of [['a', 'live'], ['b', 'live'], ['c', 'live'], ['test', 'test']] as const) {
      const created = await api.call<{ id: string }>(
        'POST',
        '/api/destinations',
        { environment: environmentName, platform: 'rtmp', name: `sink ${name}`, url: sinks[name].url, streamKey: sinks[name].streamKey },
        201,
      );
      destinationIds[name] = created.body.id;
    }
    // A platform that refuses the publish: sink a's server, but an application it does not have.
    const refusing = await api.call<{ id: string }>(
      'POST',
      '/api/destinations',
      { environment: 'live', platform: 'rtmp', name: 'refusing', url: sinks.a.url.replace(/\/app$/, '/no-such-app'), streamKey: 'refused-key-123' },
      201,
    );
    destinationIds.refusing = refusing.body.id;

    // A pure magenta logo, top-left: easy to find again in the decoded picture.
    const logo = join(work, 'logo.png');
    const made = await runOnce('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0xFF00FF:s=320x160', '-frames:v', '1', '-y', logo]);
    assert.equal(made.code, 0, made.stderr);
    const form = new FormData();
    form.append('file', new Blob([await readFile(logo)], { type: 'image/png' }), 'logo.png');
    await api.call('PUT', '/api/branding/logo', form, 200);
    await api.call('PUT', '/api/branding', { logoPosition: 'top-left', organizationName: 'E2E Club', titleTemplate: '{dj} @ {org} {date}' }, 200);
  });

  after(async () => {
    djStream?.process.kill('SIGKILL');
    await stack?.stop();
    // Kept for whoever has to find out why a run failed (var/ is not tracked).
    if (stack) await cp(stack.logDir, resolve('var/e2e-logs'), { recursive: true, force: true });
    for (const sink of Object.values(sinks)) await sink.stop();
    await environment?.dispose();
  });

  it('refuses a malformed, an unknown and a rotated stream key, and starts nothing', async () => {
    const other = (await api.call<{ id: string; streamKey: string }>('POST', '/api/djs', { name: 'Rotated' }, 201)).body;
    await api.call('POST', `/api/djs/${other.id}/rotate-key`, undefined, 200);
    for (const key of ['not-a-key', `sk_${'A'.repeat(32)}`, other.streamKey]) {
      const attempt = publishAsDj(ingest('live', key), 5);
      const code = await attempt.exited;
      assert.notEqual(code, 0, `publishing with ${key} should have been refused`);
    }
    assert.deepEqual(await listBroadcasts('live'), []);
  });

  it('puts the DJ live on every live sink that is up, as H.264 + AAC at the configured size', async () => {
    // A session an ingest server left open when it crashed (no on_publish_done): it must not lock the DJ out.
    const database = new pg.Client({ connectionString: environment.databaseUrl });
    await database.connect();
    await database.query(
      `INSERT INTO gateway.ingest_sessions (dj_id, environment, client_id, remote_address, started_at) VALUES ($1, 'live', '999', '198.51.100.9', now() - interval '1 hour')`,
      [dj.id],
    );
    await database.end();
    djStartedAt = Date.now();
    djStream = publishAsDj(ingest('live', dj.streamKey), STREAMED_SECONDS);
    broadcast = await waitFor('a live broadcast', async () => (await listBroadcasts('live')).find((candidate) => candidate.state === 'live'), 20_000);
    assert.match(broadcast.title, /^DJ Ünïcode "E2E" @ E2E Club \d{4}-\d{2}-\d{2}$/);
    for (const name of ['a', 'c'] as const) {
      const file = await waitFor(`a recording at sink ${name}`, () => sinks[name].recordings()[0], 20_000);
      const streams = await waitFor(`video and audio at sink ${name}`, async () => {
        const found = await probeStreams(file);
        return found.some((stream) => stream.codec_type === 'video') && found.some((stream) => stream.codec_type === 'audio') ? found : undefined;
      });
      const video = streams.find((stream) => stream.codec_type === 'video')!;
      const audio = streams.find((stream) => stream.codec_type === 'audio')!;
      assert.equal(video.codec_name, 'h264', `sink ${name} video codec`);
      assert.equal(audio.codec_name, 'aac', `sink ${name} audio codec`);
      assert.equal(video.width, PROGRAM.width);
      assert.equal(video.height, PROGRAM.height);
    }
  });

  it('draws the logo where it was placed, over the DJ picture', async () => {
    await new Promise((resolveWait) => setTimeout(resolveWait, 3_000));
    const frame = await lastFrameRgb(sinks.a.recordings()[0]!, PROGRAM.width, PROGRAM.height);
    // Layout: logo box 25% x 15% of the frame, 3% margin; 320x160 scales to 216x108 at (22, 22).
    const [r, g, b] = meanColour(frame, PROGRAM.width, { x: 40, y: 40, width: 160, height: 70 });
    assert.ok(r > 200 && g < 70 && b > 200, `logo area is rgb(${r.toFixed(0)}, ${g.toFixed(0)}, ${b.toFixed(0)}), not magenta`);
    const [cr, cg, cb] = meanColour(frame, PROGRAM.width, { x: 600, y: 300, width: 80, height: 80 });
    assert.ok(Math.abs(cr - 0x20) < 25 && Math.abs(cg - 0x30) < 25 && Math.abs(cb - 0x40) < 25, `picture centre is rgb(${cr}, ${cg}, ${cb}), not the DJ's colour`);
    // Right of the logo (beyond its 216 px) the DJ's picture shows again.
    const [sr, , sb] = meanColour(frame, PROGRAM.width, { x: 300, y: 40, width: 60, height: 60 });
    assert.ok(sr < 80 && sb < 110, 'the logo spills beyond its box');
  });

  it('refuses a second publisher on a key that is live, and keeps the first', async () => {
    const intruder = publishAsDj(ingest('live', dj.streamKey), 5);
    assert.notEqual(await intruder.exited, 0, 'the second publisher should have been refused');
    const current = (await api.call<BroadcastView>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body;
    assert.equal(current.state, 'live');
    assert.equal((await listBroadcasts('live')).length, 1);
  });

  it('delivers to a sink that was down at the start once it comes up, while the others never stop', async () => {
    await sinks.b.start();
    const file = await waitFor('a recording at sink b', () => sinks.b.recordings()[0], 40_000);
    await waitFor('video at sink b', async () => ((await probeStreams(file)).some((stream) => stream.codec_type === 'video') ? true : undefined), 15_000);
    const view = (await api.call<BroadcastView>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body;
    const byId = new Map(view.destinations.map((destination) => [destination.id, destination]));
    assert.ok(byId.get(destinationIds.b)!.reconnects >= 1, 'sink b should have needed reconnects');
    for (const name of ['a', 'c'] as const) {
      const destination = byId.get(destinationIds[name])!;
      assert.equal(destination.state, 'live', `sink ${name} state`);
      assert.equal(destination.reconnects, 0, `sink ${name} was interrupted: ${destination.lastError}`);
      // A flat picture compresses far below the 2500 kb/s cap, but bytes must be flowing.
      assert.ok((destination.bitrateKbps ?? 0) > 20, `sink ${name} shows ${destination.bitrateKbps} kb/s`);
      assert.equal(sinks[name].recordings().length, 1, `sink ${name} received the stream in more than one piece`);
    }
  });

  it('keeps retrying a platform that refuses, says why without its key, and the others never notice', async () => {
    const refusing = await waitFor('the refusing destination to have failed twice', async () => {
      const view = (await api.call<BroadcastView>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body;
      const destination = view.destinations.find((candidate) => candidate.id === destinationIds.refusing);
      return destination && destination.reconnects >= 2 ? destination : undefined;
    }, 20_000);
    assert.notEqual(refusing.state, 'live');
    assert.ok(refusing.lastError && refusing.lastError.length > 0, 'no reason given for the failing relay');
    assert.ok(!refusing.lastError.includes('refused-key-123'), `the stream key leaked: ${refusing.lastError}`);
    const view = (await api.call<BroadcastView>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body;
    for (const name of ['a', 'c'] as const) {
      assert.equal(view.destinations.find((candidate) => candidate.id === destinationIds[name])!.reconnects, 0);
    }
  });

  it('refuses a publisher on the program application from outside the internal network', async () => {
    const outside = await OutsideHost.create();
    try {
      const url = `rtmp://${outside.serverAddress}:${rtmpPort}/program/${broadcast.id}`;
      const attempt = await outside.run('ffmpeg', ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'color=c=red:s=320x240:r=30', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'flv', url], 20_000);
      assert.notEqual(attempt.code, 0, 'the outside publisher was accepted');
      const nginxLog = readFileSync(join(stack.logDir, 'nginx-rtmp.log'), 'utf8');
      assert.match(nginxLog, new RegExp(`access forbidden by rule, client: ${outside.address.replace(/\./g, '\\.')}`));
      const view = (await api.call<BroadcastView>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body;
      assert.equal(view.state, 'live');
    } finally {
      await outside.dispose();
    }
  });

  it('sends nothing of a live broadcast to the test sink', () => {
    assert.equal(sinks.test.bytesReceived(), 0);
  });

  it('ends the broadcast after the grace period, stops every relay, and records one MP4 of the streamed length', async () => {
    const code = await djStream.exited;
    assert.equal(code, 0, `the DJ's ffmpeg failed: ${djStream.stderr()}`);
    const ended = await waitFor(
      'the broadcast to end',
      async () => {
        const view = (await api.call<BroadcastView>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body;
        return view.state === 'ended' ? view : undefined;
      },
      GRACE_MS + 20_000,
    );
    assert.ok(ended.destinations.every((destination) => destination.state === 'stopped'));
    // Relays are stopped before the broadcast is `ended`; encoder and recorder follow the same event.
    const endedAt = Date.now();
    await waitFor('no process to use the program stream', () => (processesMentioning(`program/${broadcast.id}`).length === 0 ? true : undefined), 10_000, 100).catch(() => {
      assert.deepEqual(processesMentioning(`program/${broadcast.id}`), [], 'processes still use the program stream');
    });
    console.log(`e2e: program stream released ${Date.now() - endedAt} ms after the broadcast ended`);

    interface RecordingView {
      id: string;
      broadcastId: string;
      state: string;
      durationSeconds: number | null;
      sizeBytes: number | null;
    }
    const recording = await waitFor(
      'the recording to be finalised',
      async () => {
        const all = (await api.call<RecordingView[]>('GET', '/api/recordings', undefined, 200)).body;
        return all.find((candidate) => candidate.broadcastId === broadcast.id && candidate.state === 'ready');
      },
      30_000,
    );
    const file = join(work, 'recording.mp4');
    await api.download(`/api/recordings/${recording.id}/file`, file);
    const duration = await probeDuration(file);
    // The recording is the program: the DJ's set, then the slate for the grace period (and the ~0.6 s
    // before it goes on and the end's own second or so).
    const expected = STREAMED_SECONDS + GRACE_MS / 1000;
    assert.ok(duration >= expected - 1 && duration <= expected + 2, `recording lasts ${duration} s for ${STREAMED_SECONDS} s streamed and ${GRACE_MS / 1000} s of grace`);
    assert.ok(Math.abs((recording.durationSeconds ?? 0) - duration) < 0.1);
    const streams = await probeStreams(file);
    assert.deepEqual(streams.map((stream) => stream.codec_name).sort(), ['aac', 'h264']);
    // faststart: the index (moov) comes before the media (mdat), so players start at once.
    const head = (await readFile(file)).subarray(0, 64 * 1024).toString('latin1');
    assert.ok(head.includes('moov') && head.indexOf('moov') < head.indexOf('mdat'), 'moov is not before mdat');
    console.log(`e2e: DJ streamed ${STREAMED_SECONDS} s from ${new Date(djStartedAt).toISOString()}; recording ${duration.toFixed(2)} s`);
  });

  it('sends a Test broadcast to the test sink only', async () => {
    const liveBytes = { a: sinks.a.bytesReceived(), b: sinks.b.bytesReceived(), c: sinks.c.bytesReceived() };
    const rehearsal = publishAsDj(ingest('test', dj.streamKey), 10);
    const file = await waitFor('a recording at the test sink', () => sinks.test.recordings()[0], 20_000);
    await waitFor('video at the test sink', async () => ((await probeStreams(file)).some((stream) => stream.codec_type === 'video') ? true : undefined), 15_000);
    assert.equal(await rehearsal.exited, 0);
    const testBroadcasts = await listBroadcasts('test');
    assert.equal(testBroadcasts.length, 1);
    assert.deepEqual({ a: sinks.a.bytesReceived(), b: sinks.b.bytesReceived(), c: sinks.c.bytesReceived() }, liveBytes, 'a live sink received the test broadcast');
    assert.equal((await listBroadcasts('live')).length, 1);
  });
});
