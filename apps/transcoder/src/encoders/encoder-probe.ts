import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runOnce } from '@streamcaster/supervisor';
import type { EncoderKind } from '@streamcaster/contracts';
import { layoutProgram, type ProgramLayout, type Size } from '../composition/overlay-layout.js';
import type { EncoderChoice, ProgramProfile } from './encoder-profile.js';
import { buildTranscodeArgs } from './transcode-args.js';

/** Best first: dedicated GPU encoders free the CPU for more broadcasts. */
export const PROBE_ORDER: readonly EncoderKind[] = ['nvenc', 'vaapi', 'qsv', 'libx264'];

/**
 * What a probe encodes: half a second of H.264 + AAC in FLV, as a DJ sends it, and two small PNGs in
 * the places of the logo and the name card. Tiny, but the same kinds of input as a job's.
 */
export interface ProbeMedia {
  directory: string;
  inputPath: string;
  logoPath: string;
  nameCardPath: string;
  /** The layout a job with this logo would have: the name card PNG has its card's size. */
  layout: ProgramLayout;
}

const PROBE_INPUT = { width: 320, height: 180, fps: 30, seconds: 0.5 };
const PROBE_LOGO: Size = { width: 64, height: 32 };

/** The media of a probe in `directory`, laid out for the program profile (nothing written yet). */
export function probeMedia(directory: string, profile: ProgramProfile): ProbeMedia {
  return {
    directory,
    inputPath: join(directory, 'input.flv'),
    logoPath: join(directory, 'logo.png'),
    nameCardPath: join(directory, 'name-card.png'),
    layout: layoutProgram({ width: profile.width, height: profile.height }, PROBE_LOGO, 'top-right'),
  };
}

/**
 * The probe's two stills, the logo and the name card, for an ffmpeg run that writes them: their lavfi
 * inputs (taking input numbers `first` and `first + 1`) and their one-frame PNG outputs.
 */
export function probeStills(media: ProbeMedia, first: number): { inputs: string[]; outputs: string[] } {
  const still = (colour: string, size: Size) => `color=c=${colour}:s=${size.width}x${size.height}:d=0.04,format=rgba`;
  return {
    inputs: ['-f', 'lavfi', '-i', still('white@0.8', PROBE_LOGO), '-f', 'lavfi', '-i', still('black@0.5', media.layout.nameCard)],
    outputs: [
      '-map', `${first}:v`, '-frames:v', '1', '-update', '1', '-y', media.logoPath,
      '-map', `${first + 1}:v`, '-frames:v', '1', '-update', '1', '-y', media.nameCardPath,
    ],
  };
}

/** One CPU-only ffmpeg run that writes the probe's input and both stills. */
export function probeMediaArgs(media: ProbeMedia): string[] {
  const { width, height, fps, seconds } = PROBE_INPUT;
  const stills = probeStills(media, 2);
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    ...stills.inputs,
    // What OBS sends: H.264 High 4:2:0 with a keyframe at the start, AAC 48 kHz.
    '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-g', String(fps),
    '-c:a', 'aac', '-ar', '48000',
    '-f', 'flv', '-y', media.inputPath,
    ...stills.outputs,
  ];
}

/**
 * A probe is a job's own ffmpeg command (buildTranscodeArgs: hardware init, decode, filter graph,
 * encoder settings), run on the probe's media into a file. Being compiled into ffmpeg is not enough,
 * and neither is encoding a colour source: NVENC can work on a machine whose ffmpeg or driver lacks
 * scale_cuda or overlay_cuda, and only a probe with the job's graph sees that before the first job.
 */
export function probeArgs(encoder: EncoderChoice, profile: ProgramProfile, media: ProbeMedia): string[] {
  return buildTranscodeArgs({
    encoder,
    profile,
    inputUrl: media.inputPath,
    outputUrl: join(media.directory, `program-${encoder.kind}.flv`),
    layout: media.layout,
    logoPath: media.logoPath,
    nameCardPath: media.nameCardPath,
  });
}

export type ProbeRunner = (ffmpegPath: string, args: string[]) => Promise<{ ok: boolean; detail: string }>;

/** The frame count of ffmpeg's last `-progress` block. */
export function framesEncoded(progressOutput: string): number {
  const counts = [...progressOutput.matchAll(/^frame=(\d+)$/gm)];
  return Number(counts.at(-1)?.[1] ?? 0);
}

/** ffmpeg's reason is often the line before its last ("No such filter: …", then "Error initializing …"). */
function failureDetail(stderr: string, code: number | null): string {
  const lines = stderr.trim().split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.slice(-3).join(' | ').slice(0, 400) || `exit ${code}`;
}

export const runProbe: ProbeRunner = async (ffmpegPath, args) => {
  // CUDA and the Intel media stack can take a few seconds to initialise on a cold machine.
  const result = await runOnce(ffmpegPath, args, 30_000);
  if (result.code !== 0) return { ok: false, detail: failureDetail(result.stderr, result.code) };
  const frames = framesEncoded(result.stdout);
  return frames > 0 ? { ok: true, detail: `${frames} frames` } : { ok: false, detail: 'ffmpeg exited 0 without encoding a frame' };
};

export interface ProbeReport {
  choice: EncoderChoice;
  /** Why each better encoder was passed over. */
  skipped: Array<{ kind: EncoderKind; reason: string }>;
}

export interface ProbeOptions {
  ffmpegPath: string;
  vaapiDevice: string;
  profile: ProgramProfile;
}

/**
 * Picks the first encoder whose job command works on the prepared media, or checks the forced one
 * (and fails loudly if it does not work).
 */
export async function chooseEncoder(
  wanted: EncoderKind | 'auto',
  options: ProbeOptions & { media: ProbeMedia },
  run: ProbeRunner = runProbe,
): Promise<ProbeReport> {
  const candidates = wanted === 'auto' ? PROBE_ORDER : [wanted];
  const skipped: ProbeReport['skipped'] = [];
  for (const kind of candidates) {
    const choice: EncoderChoice = { kind, ...(kind === 'vaapi' ? { device: options.vaapiDevice } : {}) };
    const result = await run(options.ffmpegPath, probeArgs(choice, options.profile, options.media));
    if (result.ok) return { choice, skipped };
    skipped.push({ kind, reason: result.detail });
  }
  const reasons = skipped.map((entry) => `${entry.kind}: ${entry.reason}`).join('; ');
  throw new Error(wanted === 'auto' ? `no working H.264 encoder (${reasons})` : `TRANSCODER_ENCODER=${wanted} does not work here (${reasons})`);
}

/** Prepares the probe's media in a folder of its own under `scratchDir`, probes, and removes the folder. */
export async function probeEncoders(wanted: EncoderKind | 'auto', options: ProbeOptions & { scratchDir: string }): Promise<ProbeReport> {
  await mkdir(options.scratchDir, { recursive: true });
  const directory = await mkdtemp(join(options.scratchDir, 'encoder-probe-'));
  try {
    const media = probeMedia(directory, options.profile);
    const prepared = await runOnce(options.ffmpegPath, probeMediaArgs(media), 30_000);
    if (prepared.code !== 0) throw new Error(`cannot prepare the encoder probe's input: ${failureDetail(prepared.stderr, prepared.code)}`);
    return await chooseEncoder(wanted, { ...options, media });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
