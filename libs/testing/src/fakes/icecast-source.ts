import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { lastLine, runOnce } from '@streamcaster/supervisor';

export type IcecastSourceFormat = 'ogg-vorbis' | 'mp3' | 'aac' | 'opus';

export interface IcecastTrack {
  artist: string;
  title: string;
  seconds: number;
}

export interface IcecastSourceOptions {
  /** Icecast's base URL, http://host:port. */
  url: string;
  /** `/live/<dj-slug>`. */
  mount: string;
  /** The DJ's stream key. */
  password: string;
  /** Icecast sources log in as `source` (what Traktor sends). */
  user?: string;
  format: IcecastSourceFormat;
  tracks: readonly IcecastTrack[];
  /** Send each track over its own duration, as a live source does (true); false sends at once. */
  realtime?: boolean;
  /**
   * Announce each track through `/admin/metadata?mode=updinfo` with the source's credentials, as
   * MP3 and AAC sources do (their streams carry no titles Icecast reads). Defaults to true for mp3
   * and aac, false for the Ogg formats, whose titles travel in the stream's comment headers.
   */
  adminMetadata?: boolean;
  /** Where the encoded tracks go; a temporary folder (removed at the end) otherwise. */
  directory?: string;
  /** How long to wait for Icecast's answer: a hook that does not answer costs Icecast 15 s. */
  answerTimeoutMs?: number;
}

/** Icecast's answer to one `/admin/metadata` update. */
export interface IcecastMetadataUpdate {
  track: number;
  status: number;
  body: string;
}

export interface IcecastSourceResult {
  /** Who ended the connection: all tracks sent, `stop()`, or Icecast (refusal, timeout, kill). */
  endedBy: 'finished' | 'stopped' | 'server';
  bytesSent: number;
  error?: string;
}

export interface IcecastSource {
  /** The status of Icecast's final answer: 200 (on air), 401 (refused by the hook), 403 (mount in use). */
  status: number;
  /** Icecast's status line and body, which say why (`You need to authenticate`, `Mountpoint in use`). */
  answer: string;
  /** Whether Icecast sent `100 Continue` before its final answer (the source asked with `Expect`). */
  continued: boolean;
  /** Milliseconds from connecting to Icecast's final answer (the hook's time included). */
  answeredAfterMs: number;
  /** `Date.now()` at which each track's first byte went out (its comment header, for Ogg). */
  readonly trackStartedAt: number[];
  readonly metadataUpdates: IcecastMetadataUpdate[];
  /** Settles when the connection is over; never rejects. */
  done: Promise<IcecastSourceResult>;
  /** Closes the connection, as Traktor does when the DJ stops broadcasting. */
  stop(): Promise<IcecastSourceResult>;
  /** Stops sending and keeps the connection open: a Traktor that froze or lost its network. */
  stall(): void;
}

interface FormatSpec {
  contentType: string;
  extension: string;
  sampleRate: number;
  codec: readonly string[];
  muxer: readonly string[];
  /** Whether the encoded file carries the track's artist and title. */
  tagged: boolean;
  /** Ogg: paced page by page on the granule clock (samples at `sampleRate`). */
  ogg: boolean;
}

const FORMATS: Record<IcecastSourceFormat, FormatSpec> = {
  // Traktor's format: one Ogg logical stream per track, each with its own Vorbis comment header.
  'ogg-vorbis': { contentType: 'audio/ogg', extension: 'ogg', sampleRate: 44_100, codec: ['-c:a', 'libvorbis', '-q:a', '3'], muxer: ['-f', 'ogg'], tagged: true, ogg: true },
  // Ogg Opus, with the titles in each track's OpusTags header.
  opus: { contentType: 'audio/ogg', extension: 'opus', sampleRate: 48_000, codec: ['-c:a', 'libopus', '-b:a', '96k'], muxer: ['-f', 'ogg'], tagged: true, ogg: true },
  // An ID3v2 tag at the head of each track, as an MP3 file has; Icecast 2.4 passes it on as audio bytes
  // and reads no title from it (its MP3 titles come from /admin/metadata). No Xing header: a live
  // stream has no length.
  mp3: { contentType: 'audio/mpeg', extension: 'mp3', sampleRate: 44_100, codec: ['-c:a', 'libmp3lame', '-b:a', '128k'], muxer: ['-write_xing', '0', '-id3v2_version', '3', '-f', 'mp3'], tagged: true, ogg: false },
  // ADTS frames carry no tags.
  aac: { contentType: 'audio/aac', extension: 'aac', sampleRate: 44_100, codec: ['-c:a', 'aac', '-b:a', '128k'], muxer: ['-f', 'adts'], tagged: false, ogg: false },
};

/** A sound per track, so that a listener could tell them apart: tones at even places, noise at odd. */
function trackSound(index: number, track: IcecastTrack, sampleRate: number): string {
  return index % 2 === 0
    ? `sine=frequency=${330 + 110 * (index / 2)}:sample_rate=${sampleRate}:duration=${track.seconds}`
    : `anoisesrc=colour=pink:amplitude=0.3:sample_rate=${sampleRate}:duration=${track.seconds}`;
}

async function encodeTrack(format: FormatSpec, track: IcecastTrack, index: number, file: string): Promise<void> {
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', trackSound(index, track, format.sampleRate),
    '-ac', '2', ...format.codec,
    ...(format.tagged ? ['-metadata', `artist=${track.artist}`, '-metadata', `title=${track.title}`] : []),
    // A different serial number per track: each file is a logical stream of its own in the chain.
    // Pages of 250 ms, near what libogg makes of a live encoder's output (about 4 kB), rather than
    // ffmpeg's default of 1 s, which would hold each track's first audio back by a second.
    ...(format.ogg ? ['-serial_offset', String((index + 1) * 1000), '-page_duration', '250000'] : []),
    ...format.muxer, file,
  ];
  const result = await runOnce('ffmpeg', args);
  if (result.code !== 0) throw new Error(`encoding track ${index + 1} as ${format.extension} failed: ${lastLine(result.stderr)}`);
}

/** A point of a track's timeline: the bytes up to `end` may go out `dueMs` after the track started. */
interface Due {
  end: number;
  dueMs: number;
}

/**
 * When each byte of a track is due, as a live encoder produces it. Ogg: page by page, each when the
 * audio it ends with has been "played" (its granule position), so the header pages (granule 0) go at
 * once, as Traktor sends them when a track starts. Other formats: evenly over the track, 20 steps a
 * second (CBR MP3 and AAC are even).
 */
function schedule(bytes: Buffer, format: FormatSpec, seconds: number): Due[] {
  if (format.ogg) {
    const dues: Due[] = [];
    let offset = 0;
    while (offset + 27 <= bytes.length && bytes.toString('latin1', offset, offset + 4) === 'OggS') {
      const segments = bytes[offset + 26] ?? 0;
      let length = 27 + segments;
      for (let index = 0; index < segments; index += 1) length += bytes[offset + 27 + index] ?? 0;
      const granule = bytes.readBigInt64LE(offset + 6);
      offset += length;
      dues.push({ end: Math.min(offset, bytes.length), dueMs: granule > 0n ? (Number(granule) / format.sampleRate) * 1000 : 0 });
    }
    if (offset === bytes.length && dues.length > 0) return dues;
  }
  const steps = Math.max(1, Math.round(seconds * 20));
  return Array.from({ length: steps }, (_, index) => ({ end: Math.ceil((bytes.length * (index + 1)) / steps), dueMs: (seconds * 1000 * index) / steps }));
}

interface Answer {
  status: number;
  text: string;
  continued: boolean;
}

/**
 * Reads Icecast's answer to the PUT: an optional `100 Continue`, then the final status. On 200 the
 * connection stays open for the audio; otherwise Icecast sends a short body and closes.
 */
function readAnswer(socket: Socket, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let continued = false;
    let final: { status: number; head: string } | undefined;
    const finish = (answer: Answer | Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (answer instanceof Error) reject(answer);
      else resolve(answer);
    };
    const timer = setTimeout(() => finish(new Error(`no answer from Icecast within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (final) return;
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? NaN);
        if (status === 100) {
          continued = true;
          continue;
        }
        final = { status, head };
        // On air: what follows is nothing (Icecast only reads from here on).
        if (status >= 200 && status < 300) finish({ status, text: head.split('\r\n')[0] ?? '', continued });
        return;
      }
    };
    const onClose = () => {
      if (final) finish({ status: final.status, text: `${final.head.split('\r\n')[0] ?? ''}: ${buffer.trim()}`, continued });
      else finish(new Error(`Icecast closed the connection without an answer${buffer ? `: ${buffer}` : ''}`));
    };
    const onError = (error: Error) => finish(error);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onError);
  });
}

/**
 * A Traktor stand-in: encodes each track with ffmpeg (a tone or noise of its own, its own Vorbis
 * comments / OpusTags / ID3 where the format has them) into separate files, then sends them one after
 * the other over ONE HTTP PUT source connection (Icecast 2.4+; Basic auth, the format's
 * Content-Type, `Ice-Public: 0`), paced at real time. For Ogg the files are whole logical streams, so
 * Icecast sees a chained stream with a new comment header at each track, as Traktor sends. For MP3
 * and AAC each track is announced through `/admin/metadata?mode=updinfo&song=` with the source's
 * credentials when it starts.
 *
 * Resolves once Icecast answered; a refused source (401, 403) resolves too, with `done` settled.
 * The request is written by hand: Icecast 2.4 reads the body as raw stream bytes and does not
 * understand the chunked encoding that an HTTP client library would use for a body of unknown length.
 */
export async function publishToIcecast(options: IcecastSourceOptions): Promise<IcecastSource> {
  const format = FORMATS[options.format];
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'icecast-source-')));
  const files: Buffer[] = [];
  try {
    for (const [index, track] of options.tracks.entries()) {
      const file = join(directory, `track-${index + 1}.${format.extension}`);
      await encodeTrack(format, track, index, file);
      files.push(await readFile(file));
    }
  } finally {
    if (!options.directory) await rm(directory, { recursive: true, force: true });
  }

  const base = new URL(options.url);
  const user = options.user ?? 'source';
  const authorization = `Basic ${Buffer.from(`${user}:${options.password}`).toString('base64')}`;
  const socket = connect(Number(base.port || 80), base.hostname);
  socket.setNoDelay(true);
  let wake: (() => void) | undefined;
  // Settles once the connection is gone, with the socket's error if there was one.
  const closed = new Promise<string | undefined>((resolve) => {
    let error: string | undefined;
    socket.on('error', (cause) => (error = cause.message));
    socket.once('close', () => {
      wake?.();
      resolve(error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    void closed.then((error) => reject(new Error(`cannot connect to Icecast at ${base.host}: ${error ?? 'closed'}`)));
  });
  const connectedAt = performance.now();
  socket.write(
    [
      `PUT ${options.mount} HTTP/1.1`,
      `Host: ${base.host}`,
      `Authorization: ${authorization}`,
      'User-Agent: StreamCaster Traktor stand-in',
      `Content-Type: ${format.contentType}`,
      'Ice-Public: 0',
      'Ice-Name: StreamCaster test source',
      // Icecast answers 100 once the source is accepted, before its final 200.
      'Expect: 100-continue',
      '',
      '',
    ].join('\r\n'),
  );

  let answer: Answer;
  try {
    answer = await readAnswer(socket, options.answerTimeoutMs ?? 30_000);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  const answeredAfterMs = Math.round(performance.now() - connectedAt);

  const trackStartedAt: number[] = [];
  const metadataUpdates: IcecastMetadataUpdate[] = [];
  let bytesSent = 0;
  let stopping = false;
  let stalled = false;
  const isClosed = () => socket.destroyed || socket.closed;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
  const write = async (bytes: Buffer) => {
    bytesSent += bytes.length;
    if (socket.write(bytes)) return;
    await new Promise<void>((resolve) => {
      const resume = () => {
        socket.off('drain', resume);
        socket.off('close', resume);
        resolve();
      };
      socket.on('drain', resume);
      socket.on('close', resume);
    });
  };
  const announce = (index: number, track: IcecastTrack) => {
    const query = new URLSearchParams({ mount: options.mount, mode: 'updinfo', song: `${track.artist} - ${track.title}`, charset: 'UTF-8' });
    void fetch(`${base.origin}/admin/metadata?${query.toString()}`, { headers: { authorization } }).then(
      async (response) => void metadataUpdates.push({ track: index, status: response.status, body: await response.text() }),
      (error: Error) => void metadataUpdates.push({ track: index, status: 0, body: error.message }),
    );
  };

  const send = async (): Promise<IcecastSourceResult> => {
    const adminMetadata = options.adminMetadata ?? (options.format === 'mp3' || options.format === 'aac');
    for (const [index, track] of options.tracks.entries()) {
      const bytes = files[index] ?? Buffer.alloc(0);
      const dues = schedule(bytes, format, track.seconds);
      const started = performance.now();
      trackStartedAt.push(Date.now());
      if (adminMetadata) announce(index, track);
      let sent = 0;
      let next = 0;
      while (sent < bytes.length) {
        if (stopping || stalled || isClosed()) break;
        const elapsed = performance.now() - started;
        while (next < dues.length && (options.realtime === false || (dues[next]?.dueMs ?? 0) <= elapsed)) next += 1;
        const due = next > 0 ? (dues[next - 1]?.end ?? 0) : 0;
        if (due > sent) {
          await write(bytes.subarray(sent, due));
          sent = due;
        }
        const upcoming = dues[next];
        if (sent < bytes.length && upcoming) await pause(Math.max(5, upcoming.dueMs - (performance.now() - started)));
      }
      // The next track starts when this one has played out.
      const left = track.seconds * 1000 - (performance.now() - started);
      if (options.realtime !== false && left > 0 && !stopping && !stalled && !isClosed()) await pause(left);
      if (stopping || stalled || isClosed()) break;
    }
    // A stalled source sends nothing more and does not close: Icecast's source-timeout ends it.
    if (stalled && !stopping) await closed;
    const ended: IcecastSourceResult['endedBy'] = stopping ? 'stopped' : isClosed() ? 'server' : 'finished';
    if (!isClosed()) socket.end();
    const error = await closed;
    return { endedBy: ended, bytesSent, ...(error ? { error } : {}) };
  };

  const onAir = answer.status >= 200 && answer.status < 300;
  const done = onAir ? send() : closed.then((error) => ({ endedBy: 'server' as const, bytesSent: 0, ...(error ? { error } : {}) }));
  if (!onAir) socket.end();
  return {
    status: answer.status,
    answer: answer.text,
    continued: answer.continued,
    answeredAfterMs,
    trackStartedAt,
    metadataUpdates,
    done,
    stop: () => {
      stopping = true;
      wake?.();
      // A stalled source waits for Icecast to drop it; stopping it closes the connection now.
      if (stalled && !isClosed()) socket.end();
      return done;
    },
    stall: () => {
      stalled = true;
      wake?.();
    },
  };
}
