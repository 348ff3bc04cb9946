import { lastLine, runOnce } from '@streamcaster/supervisor';
import type { EncoderKind } from '@streamcaster/contracts';
import type { EncoderChoice } from './encoder-profile.js';

/** Best first: dedicated GPU encoders free the CPU for more broadcasts. */
export const PROBE_ORDER: readonly EncoderKind[] = ['nvenc', 'vaapi', 'qsv', 'libx264'];

/**
 * A tiny real encode proves an encoder works on this machine: being compiled into ffmpeg is not
 * enough (NVENC needs the driver and a GPU, VAAPI a render node, QSV the Intel media stack).
 */
export function probeArgs(kind: EncoderKind, vaapiDevice: string): string[] {
  const source = ['-f', 'lavfi', '-i', 'color=c=black:s=256x144:r=30:d=0.2'];
  const tail = ['-frames:v', '3', '-f', 'null', '-'];
  const quiet = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  switch (kind) {
    case 'nvenc':
      return [...quiet, '-init_hw_device', 'cuda=gpu:0', '-filter_hw_device', 'gpu', ...source, '-vf', 'format=nv12,hwupload_cuda', '-c:v', 'h264_nvenc', ...tail];
    case 'vaapi':
      return [...quiet, '-init_hw_device', `vaapi=gpu:${vaapiDevice}`, '-filter_hw_device', 'gpu', ...source, '-vf', 'format=nv12,hwupload', '-c:v', 'h264_vaapi', ...tail];
    case 'qsv':
      return [...quiet, '-init_hw_device', 'qsv=gpu:hw', '-filter_hw_device', 'gpu', ...source, '-vf', 'format=nv12,hwupload=extra_hw_frames=16', '-c:v', 'h264_qsv', ...tail];
    case 'libx264':
      return [...quiet, ...source, '-c:v', 'libx264', '-preset', 'ultrafast', ...tail];
  }
}

export type ProbeRunner = (ffmpegPath: string, args: string[]) => Promise<{ ok: boolean; detail: string }>;

export const runProbe: ProbeRunner = async (ffmpegPath, args) => {
  const result = await runOnce(ffmpegPath, args, 10_000);
  return { ok: result.code === 0, detail: lastLine(result.stderr) || `exit ${result.code}` };
};

export interface ProbeReport {
  choice: EncoderChoice;
  /** Why each better encoder was passed over. */
  skipped: Array<{ kind: EncoderKind; reason: string }>;
}

/** Picks the first working encoder, or checks the forced one (and fails loudly if it does not work). */
export async function chooseEncoder(
  wanted: EncoderKind | 'auto',
  options: { ffmpegPath: string; vaapiDevice: string },
  run: ProbeRunner = runProbe,
): Promise<ProbeReport> {
  const candidates = wanted === 'auto' ? PROBE_ORDER : [wanted];
  const skipped: ProbeReport['skipped'] = [];
  for (const kind of candidates) {
    const result = await run(options.ffmpegPath, probeArgs(kind, options.vaapiDevice));
    if (result.ok) return { choice: { kind, ...(kind === 'vaapi' ? { device: options.vaapiDevice } : {}) }, skipped };
    skipped.push({ kind, reason: result.detail });
  }
  const reasons = skipped.map((entry) => `${entry.kind}: ${entry.reason}`).join('; ');
  throw new Error(wanted === 'auto' ? `no working H.264 encoder (${reasons})` : `TRANSCODER_ENCODER=${wanted} does not work here (${reasons})`);
}
