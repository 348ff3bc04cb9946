import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOnce } from '@streamcaster/supervisor';
import { waitFor } from './wait-for.js';

/**
 * One decoded frame of a live stream, saved as a PNG: the next frame a player gets after joining
 * (which starts on a keyframe). Rejects when none comes within `timeoutMs`.
 */
export async function grabFramePng(url: string, file: string, timeoutMs = 20_000): Promise<string> {
  const grabbed = await runOnce('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', url, '-frames:v', '1', '-y', file], timeoutMs);
  if (grabbed.code !== 0) throw new Error(`no frame from ${url}: ${grabbed.stderr.trim() || `exit ${grabbed.code}`}`);
  return file;
}

/**
 * The text drawn on a picture, read back by Debian's tesseract-ocr: what a viewer reads, not what
 * the code meant to draw. The picture is scaled up three times and turned grey first, which makes small
 * program text readable to it. Lines are joined with single spaces.
 */
export async function textInPicture(image: string, region?: { x: number; y: number; width: number; height: number }): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'streamcaster-ocr-'));
  try {
    const prepared = join(directory, 'ocr.png');
    // A region (fractions of the picture) keeps the rest of the picture from confusing the reader.
    const crop = region ? `crop=iw*${region.width}:ih*${region.height}:iw*${region.x}:ih*${region.y},` : '';
    const scaled = await runOnce('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', image, '-vf', `${crop}scale=iw*3:ih*3,format=gray`, '-y', prepared]);
    if (scaled.code !== 0) throw new Error(`could not prepare ${image} for OCR: ${scaled.stderr}`);
    const read = await runOnce('tesseract', [prepared, 'stdout', '--psm', '11'], 60_000);
    if (read.code !== 0) throw new Error(`tesseract failed on ${image}: ${read.stderr}`);
    return read.stdout.replace(/\s+/g, ' ').trim();
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The top band of the picture, where the program draws the track playing now. */
export const TRACK_LINE_REGION = { x: 0.1, y: 0, width: 0.8, height: 0.2 };

/**
 * A viewer of a live stream that keeps four pictures a second as PNG files, as they arrive, to read
 * text off them: when a title first shows at a platform is the time of the first such picture (its
 * file's time) whose OCR reads it.
 */
export class PictureReader {
  private readonly child: ChildProcess;

  /** `halfSize`: scaled to half, so that the viewer takes less of the machine from what it measures. */
  constructor(
    url: string,
    private readonly directory: string,
    options: { halfSize?: boolean } = {},
  ) {
    mkdirSync(directory, { recursive: true });
    const filter = options.halfSize ? 'fps=4,scale=iw/2:-2' : 'fps=4';
    this.child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', url, '-vf', filter, '-y', join(directory, '%05d.png')], { stdio: 'ignore' });
  }

  /** The newest complete picture (the last one may still be being written). */
  newest(): string | undefined {
    const name = readdirSync(this.directory).sort().at(-2);
    return name ? join(this.directory, name) : undefined;
  }

  /**
   * The time (ms since the epoch) of the first picture taken after `since` whose `region` reads as
   * `text` (case aside), and what OCR last read; `at` is null when none did within `timeoutMs`.
   */
  async firstShowing(text: string, since: number, timeoutMs: number, region = TRACK_LINE_REGION, pollMs = 250): Promise<{ at: number | null; read: string }> {
    let read = '';
    const at = await waitFor(
      `"${text}" in a picture`,
      async () => {
        const file = this.newest();
        if (!file) return undefined;
        const writtenAt = statSync(file).mtimeMs;
        if (writtenAt < since) return undefined;
        read = await textInPicture(file, region);
        return read.toLowerCase().includes(text.toLowerCase()) ? writtenAt : undefined;
      },
      timeoutMs,
      pollMs,
    ).catch(() => null);
    return { at, read };
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
