import assert from 'node:assert/strict';
import { cp, mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Stack } from '@streamcaster/stack';
import { runOnce } from '@streamcaster/supervisor';
import {
  createTestEnvironment,
  grabFramePng,
  PictureReader,
  ProgramWatcher,
  publishAsDj,
  RtmpSink,
  testStackOptions,
  textInPicture,
  waitFor,
  type DjStream,
  type TestEnvironment,
} from '@streamcaster/testing';
import { ApiClient } from './api-client.js';

/**
 * The program that never stops, on the whole system: the DJ drops for 5 s and for 20 s and stalls
 * (SIGSTOP of their ffmpeg), and comes back each time. Two platforms (one RTMP, one RTMPS behind
 * stunnel) are real nginx-rtmp servers whose publish hooks are counted: the push to each is one
 * publish from the first second to the end. A viewer at a platform decodes what arrives.
 */

const ADMIN = { email: 'continuity@streamcaster.test', password: 'continuity-password-1' };
const PROGRAM = { width: 640, height: 360 };
/** Longer than the longest outage: the broadcast must survive it. */
const GRACE_MS = 30_000;
const DJ_NAME = 'DJ Comeback';
const SLATE_TEMPLATE = '{dj} is coming back';

interface BroadcastView {
  id: string;
  state: string;
  destinations: Array<{ id: string; name: string; state: string; reconnects: number }>;
}

const isSlate = (frame: { brightShare: number }) => frame.brightShare > 0.03;
const isDj = (frame: { brightShare: number; mean: [number, number, number] }) => frame.brightShare < 0.01 && frame.mean[2] > frame.mean[0];

describe('the program never stops, end to end', { timeout: 400_000 }, () => {
  let environment: TestEnvironment;
  let stack: Stack;
  let api: ApiClient;
  let work: string;
  let hooks: Server;
  const sinks: RtmpSink[] = [];
  /** "publish <sink>" and "done <sink>" in the order the platforms' ingests told them. */
  const publishes: string[] = [];
  let dj: { id: string; streamKey: string };
  let djStream: DjStream;
  let broadcast: BroadcastView;

  const ingest = () => `rtmp://127.0.0.1:${stack.options.rtmpPort}/live/${dj.streamKey}`;
  const djPublishes = () => {
    // Keyframes every half second, as OBS can be set: the DJ's return is cut in on one.
    djStream = publishAsDj(ingest(), 600, { gopFrames: 15, colour: '0x203040', size: '640x360' });
    return djStream;
  };
  const broadcastState = async () => (await api.call<BroadcastView>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body.state;
  const waitForState = (state: string, timeoutMs: number) =>
    waitFor(`the broadcast to be ${state}`, async () => ((await broadcastState()) === state ? true : undefined), timeoutMs, 100);
  const publishesOf = (sink: RtmpSink) => publishes.filter((entry) => entry.endsWith(` ${sink.name}`));

  before(async () => {
    environment = await createTestEnvironment('continuity');
    work = join(environment.dataDir, 'continuity-e2e');
    hooks = createServer((request, response) => {
      const [path, query] = (request.url ?? '').split('?');
      const sink = new URLSearchParams(query).get('sink') ?? '?';
      publishes.push(`${path === '/publish' ? 'publish' : 'done'} ${sink}`);
      request.resume();
      response.writeHead(200).end();
    });
    await new Promise<void>((done) => hooks.listen(0, '127.0.0.1', done));
    const hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    for (const [name, tls] of [['plain', false], ['tls', true]] as const) {
      await mkdir(join(work, `sink-${name}`), { recursive: true });
      const sink = new RtmpSink(name, join(work, `sink-${name}`), tls, { onPublish: `${hookBase}/publish?sink=${name}`, onPublishDone: `${hookBase}/done?sink=${name}` });
      sinks.push(sink);
      await sink.start();
    }

    stack = new Stack(
      await testStackOptions(environment, join(work, 'run'), {
        STREAMCASTER_ADMIN_EMAIL: ADMIN.email,
        STREAMCASTER_ADMIN_PASSWORD: ADMIN.password,
        BROADCAST_GRACE_PERIOD_MS: String(GRACE_MS),
        TRANSCODER_ENCODER: 'libx264',
        TRANSCODER_WIDTH: String(PROGRAM.width),
        TRANSCODER_HEIGHT: String(PROGRAM.height),
        TRANSCODER_VIDEO_BITRATE_KBPS: '1200',
      }),
    );
    await stack.start();
    api = new ApiClient(stack.gatewayUrl);
    await api.login(ADMIN.email, ADMIN.password);
    dj = (await api.call<{ id: string; streamKey: string }>('POST', '/api/djs', { name: DJ_NAME }, 201)).body;
    for (const sink of sinks) {
      await api.call('POST', '/api/destinations', { environment: 'live', platform: 'rtmp', name: `platform ${sink.name}`, url: sink.url, streamKey: sink.streamKey }, 201);
    }
    // A pure magenta logo, top-left: found again in the slate's decoded picture.
    const logo = join(work, 'logo.png');
    const made = await runOnce('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0xFF00FF:s=320x160', '-frames:v', '1', '-y', logo]);
    assert.equal(made.code, 0, made.stderr);
    const form = new FormData();
    form.append('file', new Blob([await readFile(logo)], { type: 'image/png' }), 'logo.png');
    await api.call('PUT', '/api/branding/logo', form, 200);
    await api.call('PUT', '/api/branding', { logoPosition: 'top-left', organizationName: 'Continuity Club', slateTemplate: SLATE_TEMPLATE }, 200);
  });

  after(async () => {
    djStream?.process.kill('SIGCONT');
    djStream?.process.kill('SIGKILL');
    await stack?.stop();
    if (stack) await cp(stack.logDir, resolve('var/e2e-logs/continuity'), { recursive: true, force: true });
    for (const sink of sinks) await sink.stop();
    await new Promise((done) => hooks?.close(done));
    await environment?.dispose();
  });

  it('goes live on both platforms', async () => {
    djPublishes();
    broadcast = await waitFor(
      'a live broadcast with both destinations live',
      async () => {
        const [found] = (await api.call<BroadcastView[]>('GET', '/api/broadcasts?environment=live', undefined, 200)).body;
        return found?.state === 'live' && found.destinations.every((destination) => destination.state === 'live') ? found : undefined;
      },
      30_000,
    );
    for (const sink of sinks) assert.deepEqual(publishesOf(sink), [`publish ${sink.name}`]);
  });

  it('draws a new track at the top of the picture within 3 s, keeps it in the tracklist, and shows it as now playing', async () => {
    // Four pictures a second from the platform, as they arrive: the first with the track is when a viewer sees it.
    const pictures = new PictureReader(`${sinks[0]!.rtmpUrl}/${sinks[0]!.streamKey}`, join(work, 'frames'));
    try {
      await waitFor('pictures from the platform', () => (pictures.newest() ? true : undefined), 20_000);
      const sentAt = Date.now();
      await api.call('POST', `/api/broadcasts/${broadcast.id}/now-playing`, { artist: 'Nova Unit', title: 'Midnight Signal' }, 201);
      const { at: shownAt, read } = await pictures.firstShowing('Midnight Signal', sentAt, 15_000);
      if (shownAt === null) assert.fail(`the track was not read off the platform's picture within 15 s; OCR last read "${read}"`);
      console.log(`e2e continuity: track on the picture ${Math.round(shownAt - sentAt)} ms after it was told (OCR: "${read}")`);
      assert.ok(shownAt - sentAt <= 3_000, `the track showed ${Math.round(shownAt - sentAt)} ms after it was told`);
    } finally {
      pictures.stop();
    }
    const tracks = (await api.call<Array<{ artist: string | null; title: string }>>('GET', `/api/broadcasts/${broadcast.id}/tracks`, undefined, 200)).body;
    assert.deepEqual(tracks.map((track) => [track.artist, track.title]), [['Nova Unit', 'Midnight Signal']]);
    const view = (await api.call<{ nowPlaying: { title: string } | null }>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body;
    assert.equal(view.nowPlaying?.title, 'Midnight Signal');
  });

  it('covers a 5 s drop, a 20 s drop and a stall with the slate at the platforms, interrupted meanwhile, and cuts back to the DJ, live again', async () => {
    const viewer = new ProgramWatcher(`${sinks[0]!.rtmpUrl}/${sinks[0]!.streamKey}`);
    try {
      await waitFor("the DJ's picture at the platform", () => viewer.firstFrame(0, isDj), 20_000);
      // The slate is encoded once the program runs, in the background: a few seconds.
      await new Promise((done) => setTimeout(done, 8_000));
      const outage = async (what: string, awayMs: number, away: () => void, back: () => void, atSlate?: () => Promise<void>) => {
        const awayAt = Date.now();
        away();
        const slate = await waitFor(`the slate at the platform after the DJ ${what}`, () => viewer.firstFrame(awayAt, isSlate), 10_000);
        await waitForState('interrupted', 10_000);
        await atSlate?.();
        await new Promise((done) => setTimeout(done, Math.max(0, awayAt + awayMs - Date.now())));
        const backAt = Date.now();
        back();
        const djFrame = await waitFor(`the DJ back at the platform after ${what}`, () => viewer.firstFrame(backAt, isDj), 15_000);
        await waitForState('live', 10_000);
        console.log(`e2e continuity: the DJ ${what}: slate at the platform after ${slate.at - awayAt} ms, DJ back after ${djFrame.at - backAt} ms`);
        await new Promise((done) => setTimeout(done, 3_000));
      };
      const readSlate = async () => {
        const picture = await grabFramePng(`${sinks[1]!.rtmpUrl}/${sinks[1]!.streamKey}`, join(work, 'slate.png'));
        const text = await textInPicture(picture);
        assert.match(text, /coming back/i, `the slate's message is not in the picture; OCR read "${text}"`);
        assert.match(text, /Continuity Club/i, `the organisation is not on the slate; OCR read "${text}"`);
        assert.match(text, /Midnight Signal/i, `the last track is not on the slate; OCR read "${text}"`);
        // The inside of the logo's box (top-left, 3 % margin, at most 25 % × 15 % of the picture).
        const corner = join(work, 'slate-corner.rgb');
        const cropped = await runOnce('ffmpeg', ['-v', 'error', '-i', picture, '-vf', 'crop=40:20:30:20', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-y', corner]);
        assert.equal(cropped.code, 0, cropped.stderr);
        const pixels = await readFile(corner);
        const mean = [0, 1, 2].map((channel) => pixels.filter((_, index) => index % 3 === channel).reduce((sum, value) => sum + value, 0) / (pixels.length / 3));
        assert.ok(mean[0]! > 180 && mean[1]! < 90 && mean[2]! > 180, `the logo's corner of the slate is rgb(${mean.map(Math.round).join(', ')}), not magenta`);
      };

      await outage('dropped for 5 s', 5_000, () => djStream.process.kill('SIGKILL'), () => djPublishes());
      await outage('dropped for 20 s', 20_000, () => djStream.process.kill('SIGKILL'), () => djPublishes(), readSlate);
      await outage('stalled for 5 s', 5_000, () => djStream.process.kill('SIGSTOP'), () => djStream.process.kill('SIGCONT'));

      const afterJoining = viewer.decodeErrors.filter((error) => error.afterFrames > 0);
      assert.deepEqual(afterJoining.map((error) => error.line), [], "the platform's viewer could not decode what it got");
      for (const sink of sinks) assert.deepEqual(publishesOf(sink), [`publish ${sink.name}`], `the push to ${sink.name} reconnected or ended`);
      const view = (await api.call<BroadcastView>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body;
      for (const destination of view.destinations) assert.equal(destination.reconnects, 0, `${destination.name} reconnected`);
    } finally {
      await viewer.stop();
    }
  });

  it('ends properly after the grace period: one publish and one end at each platform, timestamps that only grow, a stream that decodes', async () => {
    djStream.process.kill('SIGKILL');
    await waitForState('ended', GRACE_MS + 30_000);
    for (const sink of sinks) {
      await waitFor(`the end at ${sink.name}`, () => (publishesOf(sink).length === 2 ? true : undefined), 15_000);
      assert.deepEqual(publishesOf(sink), [`publish ${sink.name}`, `done ${sink.name}`]);
      const [file, ...more] = sink.recordings();
      assert.ok(file && more.length === 0, `${sink.name} recorded ${sink.recordings().length} streams`);
      const probe = await runOnce('ffprobe', ['-v', 'error', '-show_entries', 'packet=codec_type,dts_time', '-of', 'csv=p=0', file], 60_000);
      assert.equal(probe.code, 0, probe.stderr);
      const last = { video: -Infinity, audio: -Infinity };
      for (const line of probe.stdout.split('\n')) {
        const [type, dts] = line.split(',');
        if ((type !== 'video' && type !== 'audio') || !dts || dts === 'N/A') continue;
        const time = Number(dts);
        assert.ok(type === 'video' ? time > last[type] : time >= last[type], `${sink.name}: ${type} DTS goes back from ${last[type]} to ${time}`);
        last[type] = time;
      }
      const decoded = await runOnce('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], 120_000);
      assert.equal(decoded.stderr.trim(), '', `${sink.name}: what the platform received does not decode cleanly`);
    }
  });
});
