// Benchmark of a Traktor set's track titles on the whole system (see bench/README.md): a Traktor
// stand-in sends chained Ogg Vorbis (a new comment header per track) to the stack's Icecast at real
// time, and for every track after the first:
//   in status     the track's first byte → its title in Icecast's /status-json.xsl (what the gateway reads)
//   in tracklist  → the track's startedAt in the broadcast's tracklist (the publisher's clock)
//   on picture    → the title read back (OCR) from a picture decoded at a platform behind a relay
//                                                                          (target p50 and max ≤ 3 s)
// The program runs at the transcoder's defaults (1920x1080@30, veryfast, 6000 kb/s), only
// TRANSCODER_ENCODER=libx264 forced: the automated VJ draws the picture, as for every Traktor set.
// TRANSCODER_WIDTH, TRANSCODER_HEIGHT and TRANSCODER_VIDEO_BITRATE_KBPS in the environment reach the
// services (e.g. 1280, 720, 3500); results are kept per program size.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Stack } from '@streamcaster/stack';
import { createTestEnvironment, PictureReader, publishToIcecast, RtmpSink, testStackOptions, waitFor, type IcecastTrack } from '@streamcaster/testing';
import { callApi, login } from './gateway-api.js';

const TRACK_SECONDS = Number(process.env.BENCH_TRACK_SECONDS ?? 12);
/** Real words: OCR reads them reliably. */
const TITLES = ['Midnight Signal', 'Copper Rain', 'Velvet Orbit', 'Static Bloom', 'Paper Comet', 'Amber Tide', 'Silver Dune', 'Hollow Sun', 'Iron Meadow'];
const TARGET_MS = 3_000;
const benchStartedAt = Date.now();
const ADMIN = { email: 'bench@streamcaster.test', password: 'bench-password-123' };

const log = (message: string) => console.log(`[bench +${Math.round((Date.now() - benchStartedAt) / 1000)}s] ${message}`);
const median = (values: number[]) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const figure = (values: Array<number | null>) => {
  const seen = values.filter((value): value is number => value !== null);
  return { p50Ms: Math.round(median(seen)), maxMs: seen.length ? Math.max(...seen) : Number.NaN, seen: seen.length, of: values.length };
};

async function main(): Promise<void> {
  const environment = await createTestEnvironment('bench-icecast-title');
  const work = join(environment.dataDir, 'bench');
  mkdirSync(join(work, 'sink'), { recursive: true });
  const sink = new RtmpSink('platform', join(work, 'sink'), false);
  await sink.start();
  const stack = new Stack(
    await testStackOptions(environment, join(work, 'run'), {
      STREAMCASTER_ADMIN_EMAIL: ADMIN.email,
      STREAMCASTER_ADMIN_PASSWORD: ADMIN.password,
      TRANSCODER_ENCODER: 'libx264',
    }),
  );
  const loadAtStart = loadavg()[0]!;
  const rows: Array<{ title: string; inStatusMs: number | null; inTracklistMs: number | null; onPictureMs: number | null; read: string }> = [];
  let pictures: PictureReader | undefined;
  try {
    await stack.start();
    const token = await login(stack.gatewayUrl, ADMIN.email, ADMIN.password);
    const api = <T>(method: string, path: string, body?: unknown) => callApi<T>(stack.gatewayUrl, method, path, token, body);
    const dj = await api<{ id: string; streamKey: string; icecast: { mounts: { live: string } } }>('POST', '/api/djs', { name: 'DJ Bench' });
    await api('POST', '/api/destinations', { environment: 'live', platform: 'rtmp', name: 'platform', url: sink.url, streamKey: sink.streamKey });

    const tracks: IcecastTrack[] = TITLES.map((title) => ({ artist: 'Bench Artist', title, seconds: TRACK_SECONDS }));
    const traktor = await publishToIcecast({ url: `http://127.0.0.1:${stack.options.icecast.port}`, mount: dj.icecast.mounts.live, password: dj.streamKey, format: 'ogg-vorbis', tracks, directory: work });
    if (traktor.status !== 200) throw new Error(`Icecast refused the source: ${traktor.answer}`);
    const broadcast = await waitFor(
      'a live broadcast',
      async () => (await api<Array<{ id: string; state: string }>>('GET', '/api/broadcasts?environment=live')).find((found) => found.state === 'live'),
      60_000,
    );
    log(`broadcast ${broadcast.id} live`);
    // Four pictures a second from the platform, as they arrive, at half size: the viewer and its OCR
    // must not take the machine from the program they measure.
    pictures = new PictureReader(`${sink.rtmpUrl}/${sink.streamKey}`, join(work, 'frames'), { halfSize: true });
    const statusSeen = new Map<string, number>();
    const statusWatch = setInterval(() => {
      void fetch(`http://127.0.0.1:${stack.options.icecast.port}/status-json.xsl`)
        .then((response) => response.text())
        .then((text) => {
          for (const title of TITLES) if (!statusSeen.has(title) && text.includes(title)) statusSeen.set(title, Date.now());
        })
        .catch(() => undefined);
    }, 50);
    try {
      for (let index = 1; index < TITLES.length; index += 1) {
        const title = TITLES[index]!;
        const startedAt = await waitFor(`track ${index + 1} to start`, () => traktor.trackStartedAt[index], (TRACK_SECONDS + 30) * 1000, 50);
        const { at: shownAt, read } = await pictures.firstShowing(title, startedAt, TRACK_SECONDS * 1000 - 1_000);
        const saved = (await api<Array<{ title: string; startedAt: string }>>('GET', `/api/broadcasts/${broadcast.id}/tracks`)).find((entry) => entry.title === title);
        const since = (at: number | undefined | null) => (at ? Math.round(at - startedAt) : null);
        const row = { title, inStatusMs: since(statusSeen.get(title)), inTracklistMs: since(saved ? Date.parse(saved.startedAt) : null), onPictureMs: since(shownAt), read };
        rows.push(row);
        log(`"${title}": in Icecast's status ${row.inStatusMs ?? '—'} ms, in the tracklist ${row.inTracklistMs ?? '—'} ms, on the picture ${row.onPictureMs ?? '— (not read)'} ms`);
      }
    } finally {
      clearInterval(statusWatch);
    }
    await traktor.stop();
  } finally {
    pictures?.stop();
    await stack.stop();
    cpSync(stack.logDir, resolve('var/bench-logs/icecast-title'), { recursive: true, force: true });
    await sink.stop();
    await environment.dispose();
  }

  const size = `${process.env.TRANSCODER_WIDTH ?? 1920}x${process.env.TRANSCODER_HEIGHT ?? 1080}`;
  const results = {
    at: new Date().toISOString(),
    machine: { cores: cpus().length, loadAverage: { atStart: Number(loadAtStart.toFixed(2)), atEnd: Number(loadavg()[0]!.toFixed(2)) } },
    profile: `${size}@30, libx264 veryfast, ${process.env.TRANSCODER_VIDEO_BITRATE_KBPS ?? 6000} kb/s, the automated VJ; chained Ogg Vorbis at real time`,
    trackSeconds: TRACK_SECONDS,
    inStatusMs: figure(rows.map((row) => row.inStatusMs)),
    inTracklistMs: figure(rows.map((row) => row.inTracklistMs)),
    onPictureMs: { ...figure(rows.map((row) => row.onPictureMs)), targetMs: TARGET_MS },
    tracks: rows,
  };
  const verdict = (ms: number) => `${(ms / 1000).toFixed(2)} s ${ms <= TARGET_MS ? '(≤ 3 s: met)' : '(> 3 s: MISSED)'}`;
  console.log(`\nStreamCaster Traktor titles benchmark (${rows.length} track changes, ${TRACK_SECONDS} s tracks; ${results.profile})`);
  console.log(`  track start → Icecast's status: p50 ${results.inStatusMs.p50Ms} ms, max ${results.inStatusMs.maxMs} ms`);
  console.log(`  track start → the tracklist:    p50 ${results.inTracklistMs.p50Ms} ms, max ${results.inTracklistMs.maxMs} ms`);
  console.log(`  track start → on the picture at the platform: p50 ${verdict(results.onPictureMs.p50Ms)}, max ${verdict(results.onPictureMs.maxMs)}${results.onPictureMs.seen < results.onPictureMs.of ? `; ${results.onPictureMs.of - results.onPictureMs.seen} NOT READ` : ''}`);
  console.log(`  load average ${results.machine.loadAverage.atStart} → ${results.machine.loadAverage.atEnd} on ${results.machine.cores} cores`);
  const file = resolve('bench/results/icecast-title.json');
  mkdirSync(resolve('bench/results'), { recursive: true });
  // One entry per program size: a run at 720p keeps the last 1080p figures.
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const bySize = 'at' in kept ? {} : kept;
  writeFileSync(file, JSON.stringify({ ...bySize, [size]: results }, null, 2) + '\n');
  console.log(`\nresults kept in ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
