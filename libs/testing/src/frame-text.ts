import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOnce } from '@streamcaster/supervisor';

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
