import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastLine, resolveCommand, runOnce } from '@streamcaster/supervisor';
import type { ProgramLayout } from '../composition/overlay-layout.js';
import type { EncoderChoice, ProgramProfile } from '../encoders/encoder-profile.js';
import { audioEncoderArgs, hardwareDeviceArgs, uploadFilter, videoEncoderArgs } from '../encoders/transcode-args.js';
import { readFlvTags } from './flv.js';
import type { SlateLoop } from './program-splicer.js';

/** About this long; rounded up to whole GOPs so that the loop starts again on a keyframe. */
const SLATE_TARGET_SECONDS = 8;

/** What the slate says. */
export interface SlateText {
  organizationName: string;
  /** The rendered "{dj} will be right back" of the branding. */
  message: string;
  /** "Artist – Title" of the last track, when one is known. */
  lastTrack: string | null;
}

export interface SlateInput {
  encoder: EncoderChoice;
  profile: ProgramProfile;
  layout: ProgramLayout;
  logoPath: string | null;
  fontFile: string;
  /** A file of the three texts each (drawtext reads them with expansion off). */
  textFiles: { organization: string; message: string; lastTrack: string | null };
  /** Played in a loop under the slate; silence without one. */
  audioLoopPath: string | null;
  outputPath: string;
}

export function slateLoopSeconds(profile: ProgramProfile): number {
  return profile.keyframeSeconds * Math.ceil(SLATE_TARGET_SECONDS / profile.keyframeSeconds);
}

/**
 * Sanitises a text for the picture: no control characters (a line break or an escape sequence would
 * not draw as the sender meant), single spaces, at most `max` characters.
 */
export function pictureText(text: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/**
 * One ffmpeg run that encodes the slate loop into an FLV file, with the program's encoder and exactly
 * its settings: a still gradient whose hue turns once per loop (so the loop has no seam), film grain
 * so that the encoder spends the program's bitrate (a static picture encodes to a quarter of a
 * megabit, which platforms flag as a broken stream), the logo where the program has it, and the
 * texts, the message pulsing gently.
 */
export function slateArgs(input: SlateInput): string[] {
  const { profile, layout } = input;
  const { width: w, height: h, fps } = profile;
  const seconds = slateLoopSeconds(profile);
  const big = Math.round(h / 14);
  const small = Math.round(h / 24);
  const text = (file: string, size: number, y: string, extra = '') =>
    `drawtext=fontfile=${input.fontFile}:textfile=${file}:expansion=none:fontcolor=white:fontsize=${size}:x=(w-text_w)/2:y=${y}${extra}`;
  const chains = [
    `gradients=s=${Math.round(w / 4)}x${Math.round(h / 4)}:rate=${fps}:c0=0x141a3c:c1=0x3c1450:c2=0x0c3c50:nb_colors=3:speed=0.00001:duration=${seconds},` +
      `scale=${w}:${h},hue=h=360*t/${seconds},noise=alls=12:allf=t,format=yuv420p[bg]`,
  ];
  let base = 'bg';
  // The background is generated inside the graph: the inputs are the logo (if any), then the audio.
  let next = 0;
  if (input.logoPath && layout.logo) {
    const logo = layout.logo;
    chains.push(`[${next}:v]scale=${logo.width}:${logo.height},format=yuva420p[logo]`);
    chains.push(`[bg][logo]overlay=x=${logo.x}:y=${logo.y}:format=yuv420[branded]`);
    base = 'branded';
    next += 1;
  }
  const pulse = `:alpha='0.8+0.2*sin(2*PI*t/${profile.keyframeSeconds})'`;
  const texts = [
    text(input.textFiles.organization, small, `h*0.30`),
    text(input.textFiles.message, big, `(h-text_h)/2`, pulse),
    ...(input.textFiles.lastTrack ? [text(input.textFiles.lastTrack, small, `h*0.64`, ':fontcolor=white@0.85')] : []),
  ];
  chains.push(`[${base}]${texts.join(',')},${uploadFilter(input.encoder)}[slate]`);
  const audioInput = input.audioLoopPath
    ? ['-stream_loop', '-1', '-i', input.audioLoopPath]
    : ['-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo'];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    ...hardwareDeviceArgs(input.encoder),
    ...(input.logoPath && layout.logo ? ['-i', input.logoPath] : []),
    ...audioInput,
    '-filter_complex', chains.join(';'),
    '-map', '[slate]',
    '-map', `${next}:a`,
    '-t', String(seconds),
    ...videoEncoderArgs(input.encoder, profile),
    ...audioEncoderArgs(profile),
    '-f', 'flv', '-flvflags', 'no_duration_filesize', '-y', input.outputPath,
  ];
}

/** Turns the encoded file into the loop the splicer plays: headers apart, media from a keyframe. */
export function slateLoopFromFlv(file: Buffer, profile: ProgramProfile): SlateLoop {
  const tags = readFlvTags(file);
  const videoHeader = tags.find((tag) => tag.kind === 'video-header');
  const audioHeader = tags.find((tag) => tag.kind === 'audio-header') ?? null;
  const firstKey = tags.findIndex((tag) => tag.kind === 'keyframe');
  if (!videoHeader || firstKey < 0) throw new Error('the slate has no H.264 sequence header or keyframe');
  const start = tags[firstKey]!.timestamp;
  const frames = tags.filter((tag) => tag.kind === 'keyframe' || tag.kind === 'video').length;
  const durationMs = (frames * 1000) / profile.fps;
  const media = tags
    .slice(firstKey)
    .filter((tag) => tag.kind === 'keyframe' || tag.kind === 'video' || tag.kind === 'audio')
    .map((tag) => ({ ...tag, timestamp: tag.timestamp - start }))
    .filter((tag) => tag.timestamp >= 0 && tag.timestamp < durationMs);
  return { videoHeader, audioHeader, tags: media, durationMs };
}

/** Bumped when slateArgs changes what it draws, so that no slate of the old drawing is reused. */
const SLATE_DRAWING_VERSION = 1;

export type SlateOptions = Omit<SlateInput, 'textFiles' | 'outputPath'> & {
  ffmpegPath: string;
  /** This run's scratch folder (the texts, the encode in progress). */
  directory: string;
  /**
   * The broadcast's slates on the shared data volume: one file per drawing (what it says, the
   * profile, the encoder, the logo), so that a replica that takes the program over plays the slate
   * at once instead of encoding it again while the DJ may be away.
   */
  cacheDirectory: string | null;
  text: SlateText;
};

/** Encodes the slate of a broadcast (a few seconds of work, once per drawing) and reads it back as a loop. */
export async function renderSlate(options: SlateOptions): Promise<SlateLoop> {
  const { ffmpegPath: _ffmpeg, directory: _directory, cacheDirectory, ...drawing } = options;
  const key = createHash('sha256').update(JSON.stringify({ version: SLATE_DRAWING_VERSION, ...drawing })).digest('hex').slice(0, 32);
  const cached = cacheDirectory ? join(cacheDirectory, `${key}.flv`) : null;
  if (cached) {
    const file = await readFile(cached).catch(() => null);
    if (file) return slateLoopFromFlv(file, options.profile);
  }
  const loop = await encodeSlate(options);
  if (cached && cacheDirectory) {
    await mkdir(cacheDirectory, { recursive: true });
    // Whole or not at all: a replica reading it meanwhile never sees half a file.
    await rename(join(options.directory, 'slate.flv'), cached).catch(() => undefined);
  }
  return loop;
}

async function encodeSlate(options: SlateOptions): Promise<SlateLoop> {
  const file = (name: string) => join(options.directory, name);
  const textFiles = { organization: file('slate-organization.txt'), message: file('slate-message.txt'), lastTrack: options.text.lastTrack ? file('slate-track.txt') : null };
  await writeFile(textFiles.organization, pictureText(options.text.organizationName), 'utf8');
  await writeFile(textFiles.message, pictureText(options.text.message), 'utf8');
  if (textFiles.lastTrack) await writeFile(textFiles.lastTrack, pictureText(options.text.lastTrack!), 'utf8');
  const outputPath = file('slate.flv');
  const args = slateArgs({ ...options, textFiles, outputPath });
  // At a lower priority: it is encoded while the DJ's encoder runs, which must keep up in real time.
  const [command, argv] = resolveCommand('nice') ? ['nice', ['-n', '10', options.ffmpegPath, ...args]] : [options.ffmpegPath, args];
  const result = await runOnce(command, argv, 120_000);
  if (result.code !== 0) throw new Error(`slate encoding failed: ${lastLine(result.stderr)}`);
  return slateLoopFromFlv(await readFile(outputPath), options.profile);
}
