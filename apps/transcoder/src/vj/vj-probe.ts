import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastLine, resolveCommand, runOnce } from '@streamcaster/supervisor';
import { probeMedia, probeStills } from '../encoders/encoder-probe.js';
import type { EncoderChoice, ProgramProfile } from '../encoders/encoder-profile.js';
import { buildTranscodeArgs } from '../encoders/transcode-args.js';
import { VJ_SCENES, type VjScene } from './vj-picture.js';

/** Best looking first: the first one the machine sustains is the VJ's scene. */
export const VJ_PREFERENCE: readonly VjScene[] = VJ_SCENES;

/** Seconds of sound each scene draws and encodes in a probe: enough to average out the encoder's start. */
const PROBE_SECONDS = 4;

export interface VjSceneFigures {
  scene: VjScene;
  /** CPU cores the scene takes at real time: CPU seconds per second of program. */
  cores: number;
  /** Seconds of program made per second of wall clock, at the lowest priority on the machine as it is then. */
  speed: number;
}

export type VjProbeResult = { ok: true; figures: VjSceneFigures } | { ok: false; scene: VjScene; reason: string };

export interface VjChoice {
  scene: VjScene;
  /** Why this one, for the log. */
  reason: string;
  results: VjProbeResult[];
}

/**
 * The first scene, in order of preference, whose drawing and encoding take at most `maxCores` per
 * second of program, and leave the machine a margin (at most `machineCores` ÷ 1.2: it runs 1.2× faster
 * than real time on the whole machine); when none does, the cheapest one that works, so the VJ never
 * falls behind more than it must; when none works, the first (the job will say why). The CPU a second
 * of program takes is what the scene costs whatever else runs; the probe's wall clock is not (it runs
 * at the lowest priority, beside whatever the worker does), so it is only reported.
 */
export function chooseVjScene(
  results: readonly VjProbeResult[],
  limits: { maxCores: number; machineCores: number },
  allowed: readonly VjScene[] = VJ_PREFERENCE,
): VjChoice {
  const preference = VJ_PREFERENCE.filter((scene) => allowed.includes(scene));
  const measured = results
    .filter((result): result is Extract<VjProbeResult, { ok: true }> => result.ok && preference.includes(result.figures.scene))
    .map((result) => result.figures);
  const budget = Math.min(limits.maxCores, limits.machineCores / MACHINE_MARGIN);
  const fits = preference.map((scene) => measured.find((figures) => figures.scene === scene)).find((figures) => figures !== undefined && figures.cores <= budget);
  if (fits) return { scene: fits.scene, reason: `${describeFigures(fits)}: within ${budget.toFixed(2)} cores`, results: [...results] };
  const cheapest = [...measured].sort((a, b) => a.cores - b.cores)[0];
  if (cheapest) return { scene: cheapest.scene, reason: `${describeFigures(cheapest)}: the cheapest, though none stays within ${budget.toFixed(2)} cores`, results: [...results] };
  return { scene: preference[0] ?? VJ_PREFERENCE[0]!, reason: 'no scene could be probed', results: [...results] };
}

/** A scene must run this much faster than real time on the whole machine. */
const MACHINE_MARGIN = 1.2;

export function describeFigures(figures: VjSceneFigures): string {
  return `${figures.scene} ${figures.cores.toFixed(2)} cores per second of program (probe ran ${figures.speed.toFixed(2)}× real time)`;
}

/** ffmpeg's `-benchmark` line: CPU seconds (user, system) and wall seconds of the whole run. */
export function parseBenchmark(stderr: string): { cpuSeconds: number; wallSeconds: number } | null {
  const match = /bench: utime=([\d.]+)s stime=([\d.]+)s rtime=([\d.]+)s/.exec(stderr);
  if (!match) return null;
  return { cpuSeconds: Number(match[1]) + Number(match[2]), wallSeconds: Number(match[3]) };
}

export interface VjProbeOptions {
  ffmpegPath: string;
  encoder: EncoderChoice;
  profile: ProgramProfile;
  fontFile: string;
  scratchDir: string;
}

/**
 * Each scene with the command an audio-only job runs (the scene, logo, name card, track line, the
 * program's encoder), on a few seconds of music-like sound read as fast as the machine goes: what it
 * costs per second of program, and how much faster than real time it is.
 */
export async function probeVjScenes(options: VjProbeOptions): Promise<VjProbeResult[]> {
  await mkdir(options.scratchDir, { recursive: true });
  const directory = await mkdtemp(join(options.scratchDir, 'vj-probe-'));
  try {
    // The encoder probe's stills and layout; sound instead of its picture.
    const media = probeMedia(directory, options.profile);
    const stills = probeStills(media, 2);
    const nowPlaying = join(directory, 'now-playing.txt');
    const made = await runOnce(options.ffmpegPath, [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      // A tone gliding through the spectrum over pink noise: every scene has something to draw.
      '-f', 'lavfi', '-i', `aevalsrc=exprs='0.5*sin(2*PI*(220*t+80*sin(2*PI*t/3)))|0.5*sin(2*PI*(330*t+60*sin(2*PI*t/2)))':s=48000:d=${PROBE_SECONDS}`,
      '-f', 'lavfi', '-i', `anoisesrc=colour=pink:amplitude=0.2:sample_rate=48000:duration=${PROBE_SECONDS}`,
      ...stills.inputs,
      '-filter_complex', '[0:a][1:a]amix=inputs=2:normalize=0[sound]',
      '-map', '[sound]', '-c:a', 'aac', '-ar', '48000', '-ac', '2', '-f', 'flv', '-y', media.inputPath,
      ...stills.outputs,
    ]);
    if (made.code !== 0) throw new Error(`the VJ probe's sound could not be made: ${lastLine(made.stderr)}`);
    await writeFile(nowPlaying, 'Probe Artist – Probe Title', 'utf8');

    const results: VjProbeResult[] = [];
    for (const scene of VJ_PREFERENCE) {
      const args = buildTranscodeArgs({
        encoder: options.encoder,
        inputKind: 'audio-only',
        vjScene: scene,
        profile: options.profile,
        inputUrl: media.inputPath,
        outputUrl: join(directory, `${scene}.flv`),
        // The job's command whole: its sound for the director too (into a file here; nothing directs it).
        vjDirectorUrl: join(directory, `${scene}.pcm`),
        layout: media.layout,
        logoPath: media.logoPath,
        nameCardPath: media.nameCardPath,
        nowPlaying: { file: nowPlaying, fontFile: options.fontFile },
      });
      // The job's own command, with ffmpeg's CPU and wall clock at the end (an info-level line).
      const level = args.indexOf('-loglevel');
      if (level >= 0) args[level + 1] = 'info';
      // The lowest priority: the worker may be encoding a program beside the probe.
      const [command, argv] = resolveCommand('nice') ? ['nice', ['-n', '19', options.ffmpegPath, '-benchmark', ...args]] : [options.ffmpegPath, ['-benchmark', ...args]];
      const run = await runOnce(command, argv, 300_000);
      const bench = parseBenchmark(run.stderr);
      if (run.code !== 0 || !bench || bench.wallSeconds <= 0) {
        results.push({ ok: false, scene, reason: run.code !== 0 ? lastLine(run.stderr) : 'ffmpeg printed no benchmark' });
        continue;
      }
      results.push({ ok: true, figures: { scene, cores: bench.cpuSeconds / PROBE_SECONDS, speed: PROBE_SECONDS / bench.wallSeconds } });
    }
    return results;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
