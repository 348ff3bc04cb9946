import assert from 'node:assert/strict';
import { cp, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Stack } from '@streamcaster/stack';
import { runOnce } from '@streamcaster/supervisor';
import {
  createTestEnvironment,
  pictureChange,
  PictureReader,
  ProgramWatcher,
  publishAsDj,
  publishToIcecast,
  RtmpSink,
  testStackOptions,
  waitFor,
  type IcecastSource,
  type IcecastTrack,
  type TestEnvironment,
} from '@streamcaster/testing';
import { ApiClient } from './api-client.js';

/**
 * A DJ who plays from Traktor, on the whole system: Icecast (started by the stack from the production
 * template) asks the gateway about every source and listener; the DJ's mount and stream key let the
 * set in, and everything else is refused with its reason. The transcoder reads the mount as
 * StreamCaster's one listener and the automated VJ makes the picture; the titles Traktor sends become
 * the tracklist and the line at the top of the picture. The platform is a real nginx-rtmp.
 */

const ADMIN = { email: 'icecast@streamcaster.test', password: 'icecast-password-12' };
const PROGRAM = { width: 640, height: 360 };
const GRACE_MS = 8_000;
const DJ_NAME = 'DJ Traktör';
const SLUG = 'dj-traktor';
/** Each long enough for its title to be read off the picture. */
const TRACKS: IcecastTrack[] = [
  { artist: 'Kite Runner', title: 'Aurora Drift', seconds: 14 },
  { artist: 'Nova Unit', title: 'Basalt Echo', seconds: 14 },
  { artist: 'Mira Lake', title: 'Copper Tide', seconds: 14 },
];

interface BroadcastView {
  id: string;
  state: string;
  destinations: Array<{ id: string; name: string; state: string; reconnects: number }>;
  nowPlaying: { artist: string | null; title: string } | null;
}
interface TrackView {
  artist: string | null;
  title: string;
  source: string;
  startedAt: string;
}
interface DjView {
  id: string;
  slug: string;
  icecast: { host: string; port: number; user: string; mounts: { live: string; test: string } };
}

describe('audio-only sets from Traktor through Icecast, end to end', { timeout: 400_000 }, () => {
  let environment: TestEnvironment;
  let stack: Stack;
  let api: ApiClient;
  let work: string;
  let sink: RtmpSink;
  let dj: DjView & { streamKey: string };
  let traktor: IcecastSource | undefined;
  let broadcast: BroadcastView;

  const icecastUrl = () => `http://127.0.0.1:${stack.options.icecast.port}`;
  const source = (mount: string, password: string, tracks: IcecastTrack[] = [{ artist: 'A', title: 'B', seconds: 5 }], format: 'ogg-vorbis' | 'mp3' = 'ogg-vorbis') =>
    publishToIcecast({ url: icecastUrl(), mount, password, format, tracks, directory: join(work, 'tracks') });
  const broadcasts = async () => (await api.call<BroadcastView[]>('GET', '/api/broadcasts?environment=live', undefined, 200)).body;
  const broadcastView = async (id: string) => (await api.call<BroadcastView>('GET', `/api/broadcasts/${id}`, undefined, 200)).body;
  const tracklist = async (id: string) => (await api.call<TrackView[]>('GET', `/api/broadcasts/${id}/tracks`, undefined, 200)).body;

  before(async () => {
    environment = await createTestEnvironment('icecast');
    work = join(environment.dataDir, 'icecast-e2e');
    await mkdir(join(work, 'sink'), { recursive: true });
    await mkdir(join(work, 'tracks'), { recursive: true });
    sink = new RtmpSink('platform', join(work, 'sink'), false);
    await sink.start();
    const options = await testStackOptions(environment, join(work, 'run'), {
      STREAMCASTER_ADMIN_EMAIL: ADMIN.email,
      STREAMCASTER_ADMIN_PASSWORD: ADMIN.password,
      BROADCAST_GRACE_PERIOD_MS: String(GRACE_MS),
      TRANSCODER_ENCODER: 'libx264',
      TRANSCODER_WIDTH: String(PROGRAM.width),
      TRANSCODER_HEIGHT: String(PROGRAM.height),
      TRANSCODER_VIDEO_BITRATE_KBPS: '1200',
    });
    options.env = { ...options.env, PUBLIC_ICECAST_URL: `http://dj.example.org:${options.icecast.port}` };
    stack = new Stack(options);
    await stack.start();
    api = new ApiClient(stack.gatewayUrl);
    await api.login(ADMIN.email, ADMIN.password);
    dj = (await api.call<DjView & { streamKey: string }>('POST', '/api/djs', { name: DJ_NAME }, 201)).body;
    await api.call('POST', '/api/destinations', { environment: 'live', platform: 'rtmp', name: 'platform', url: sink.url, streamKey: sink.streamKey }, 201);
  });

  after(async () => {
    await traktor?.stop();
    await stack?.stop();
    if (stack) await cp(stack.logDir, resolve('var/e2e-logs/icecast'), { recursive: true, force: true });
    await sink?.stop();
    await environment?.dispose();
  });

  it("gives each DJ Traktor's settings: address, port, a mount per environment, the user; a second DJ of the same name gets a mount of its own", async () => {
    assert.equal(dj.slug, SLUG);
    assert.deepEqual(dj.icecast, {
      host: 'dj.example.org',
      port: stack.options.icecast.port,
      user: 'source',
      mounts: { live: `/live/${SLUG}`, test: `/test/${SLUG}` },
    });
    const twin = (await api.call<DjView>('POST', '/api/djs', { name: 'DJ Traktor' }, 201)).body;
    assert.equal(twin.icecast.mounts.live, `/live/${SLUG}-2`);
  });

  it('refuses a wrong key, an unknown mount and a mount outside /live and /test, each before any sound is taken', async () => {
    const wrongKey = await source(`/live/${SLUG}`, 'not-the-key-of-this-dj-at-all');
    assert.equal(wrongKey.status, 401, wrongKey.answer);
    const otherKey = (await api.call<{ streamKey: string }>('POST', '/api/djs', { name: 'Somebody Else' }, 201)).body.streamKey;
    const keyOfAnother = await source(`/live/${SLUG}`, otherKey);
    assert.equal(keyOfAnother.status, 401, 'the key of another DJ opened this mount');
    const unknown = await source('/live/nobody-here', dj.streamKey);
    assert.equal(unknown.status, 401, unknown.answer);
    const elsewhere = await source('/elsewhere', dj.streamKey);
    assert.equal(elsewhere.status, 401, elsewhere.answer);
    assert.deepEqual(await broadcasts(), [], 'a refused source started a broadcast');
    const gateway = await runOnce('grep', ['-h', 'refused Icecast source', join(stack.logDir, 'gateway.log')]);
    assert.match(gateway.stdout, /wrong stream key for the mount of "dj-traktor"/);
    assert.match(gateway.stdout, /no DJ has the mount of "nobody-here"/);
    assert.ok(!gateway.stdout.includes(dj.streamKey), 'the gateway logged a stream key');
  });

  it('puts a Traktor set on the platform: H.264 + AAC with generated pictures that move, the broadcast live', async () => {
    traktor = await source(`/live/${SLUG}`, dj.streamKey, TRACKS);
    assert.equal(traktor.status, 200, traktor.answer);
    broadcast = await waitFor(
      'a live broadcast with its destination live',
      async () => {
        const [found] = await broadcasts();
        return found?.state === 'live' && found.destinations.every((destination) => destination.state === 'live') ? found : undefined;
      },
      30_000,
    );
    const probe = await runOnce('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', `${sink.rtmpUrl}/${sink.streamKey}`], 30_000);
    assert.equal(probe.code, 0, probe.stderr);
    assert.match(probe.stdout, /h264,640,360/);
    assert.match(probe.stdout, /aac/);
    // The first track is a steady tone, the second pink noise: the VJ's picture follows the sound.
    const viewer = new ProgramWatcher(`${sink.rtmpUrl}/${sink.streamKey}`);
    try {
      const noiseFrom = await waitFor('the second track', () => traktor!.trackStartedAt[1], 30_000, 100);
      await waitFor('3 s of the second track at the platform', () => (viewer.frames.some((frame) => frame.at > noiseFrom + 3_000) ? true : undefined), 20_000, 100);
      const tone = viewer.frames.filter((frame) => frame.at < noiseFrom);
      const noise = viewer.frames.filter((frame) => frame.at > noiseFrom + 1_500);
      assert.ok(tone.length > 30 && noise.length > 30, `too few pictures (${tone.length} of the tone, ${noise.length} of the noise)`);
      const between = pictureChange(tone.at(-1)!, noise.at(-1)!);
      assert.ok(between > 5, `the picture of the noise is the picture of the tone (largest change of a grid cell: ${between.toFixed(1)})`);
      const moved = noise.slice(1).filter((frame, index) => pictureChange(noise[index]!, frame) > 1).length;
      assert.ok(moved > noise.length / 2, `only ${moved} of ${noise.length} pictures of the noise differ from the one before`);
      console.log(`e2e icecast: tone → noise changes a grid cell by ${between.toFixed(1)}; ${moved} of ${noise.length - 1} noise pictures move`);
    } finally {
      await viewer.stop();
    }
  });

  it('refuses a second source on the mount, and the same DJ on RTMP meanwhile, without disturbing the set', async () => {
    const second = await source(`/live/${SLUG}`, dj.streamKey);
    assert.equal(second.status, 403, second.answer);
    assert.match(second.answer, /Mountpoint in use/);
    const obs = publishAsDj(`rtmp://127.0.0.1:${stack.options.rtmpPort}/live/${dj.streamKey}`, 10, { size: '320x180' });
    assert.notEqual(await obs.exited, 0, 'OBS was let in beside Traktor');
    assert.equal((await broadcasts()).length, 1);
    assert.equal((await broadcastView(broadcast.id)).state, 'live');
  });

  it('keeps the titles Traktor sends as the tracklist, shows them as now playing and draws each on the picture promptly', async () => {
    const pictures = new PictureReader(`${sink.rtmpUrl}/${sink.streamKey}`, join(work, 'frames'));
    let statusWatch: NodeJS.Timeout | undefined;
    try {
      // The last track: its start is still ahead when the grabber runs.
      const index = TRACKS.length - 1;
      const track = TRACKS[index]!;
      // When Icecast's status shows the title: the first step of the way, which the gateway reads.
      let inStatusAt = 0;
      statusWatch = setInterval(() => {
        void fetch(`${icecastUrl()}/status-json.xsl`)
          .then((response) => response.text())
          .then((text) => {
            if (!inStatusAt && text.includes(track.title)) inStatusAt = Date.now();
          })
          .catch(() => undefined);
      }, 50);
      const startedAt = await waitFor(`track ${index + 1} to start`, () => traktor!.trackStartedAt[index], 60_000, 100);
      const { at: shownAt, read } = await pictures.firstShowing(track.title, startedAt, 15_000);
      if (shownAt === null) assert.fail(`"${track.title}" was not read off the platform's picture within 15 s; OCR last read "${read}"`);
      const saved = (await tracklist(broadcast.id)).find((entry) => entry.title === track.title);
      const after = (at: number) => `${Math.round(at - startedAt)} ms`;
      console.log(
        `e2e icecast: "${track.title}" after Traktor started it: in Icecast's status ${inStatusAt ? after(inStatusAt) : '(not seen)'}, ` +
          `in the tracklist ${saved ? after(Date.parse(saved.startedAt)) : '(not yet)'}, on the picture at the platform ${after(shownAt)} (OCR: "${read}")`,
      );
      // The 3 s target is measured by bench/icecast-title.bench.ts on a quiet machine; here, on a
      // machine running the whole suite, a title that takes twice that long means something is wrong.
      assert.ok(shownAt - startedAt <= 6_000, `the title showed ${Math.round(shownAt - startedAt)} ms after the track started`);
    } finally {
      pictures.stop();
      clearInterval(statusWatch);
    }
    const tracks = await tracklist(broadcast.id);
    assert.deepEqual(
      tracks.map((track) => [track.artist, track.title, track.source]),
      TRACKS.map((track) => [track.artist, track.title, 'stream-metadata']),
    );
    assert.equal((await broadcastView(broadcast.id)).nowPlaying?.title, TRACKS.at(-1)!.title);
  });

  it('covers the end of the set with the slate (interrupted), then ends the broadcast after the grace period', async () => {
    await traktor!.done;
    traktor = undefined;
    await waitFor('the broadcast interrupted', async () => ((await broadcastView(broadcast.id)).state === 'interrupted' ? true : undefined), 15_000, 200);
    await waitFor('the broadcast ended', async () => ((await broadcastView(broadcast.id)).state === 'ended' ? true : undefined), GRACE_MS + 30_000, 250);
    const [file] = sink.recordings();
    assert.ok(file, 'the platform recorded nothing');
    const decoded = await runOnce('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], 120_000);
    assert.equal(decoded.stderr.trim(), '', 'what the platform received does not decode cleanly');
  });

  it('takes MP3 titles from /admin/metadata, split into artist and title, and refuses every listener but its own', async () => {
    const tracks: IcecastTrack[] = [
      { artist: 'Dune Theory', title: 'Salt Flats', seconds: 8 },
      { artist: 'Echo Park', title: 'Low Sun', seconds: 8 },
    ];
    traktor = await source(`/live/${SLUG}`, dj.streamKey, tracks, 'mp3');
    assert.equal(traktor.status, 200, traktor.answer);
    const next = await waitFor('a second broadcast', async () => (await broadcasts()).find((found) => found.id !== broadcast.id && found.state === 'live'), 30_000);
    // A listener from outside: with no credentials, and with made-up ones.
    const anonymous = await fetch(`${icecastUrl()}/live/${SLUG}`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    const guessed = await fetch(`${icecastUrl()}/live/${SLUG}`, {
      headers: { authorization: `Basic ${Buffer.from(`streamcaster:${dj.streamKey}`).toString('base64')}` },
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(guessed.status, 401);
    await guessed.body?.cancel();
    await traktor.done;
    for (const update of traktor.metadataUpdates) assert.equal(update.status, 200, update.body);
    const titles = await waitFor(
      'both MP3 titles in the tracklist',
      async () => {
        const found = await tracklist(next.id);
        return found.length >= 2 ? found : undefined;
      },
      15_000,
      250,
    );
    assert.deepEqual(
      titles.map((track) => [track.artist, track.title]),
      tracks.map((track) => [track.artist, track.title]),
    );
    traktor = undefined;
  });
});
