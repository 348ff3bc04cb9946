import type { FfmpegProgress } from '@streamcaster/contracts';

/**
 * Reads ffmpeg's `-progress pipe:1` output: blocks of `key=value` lines, each closed by
 * `progress=continue` (or `progress=end`). Calls back once per complete block.
 */
export class FfmpegProgressParser {
  private block = new Map<string, string>();

  constructor(private readonly onProgress: (progress: FfmpegProgress, ended: boolean) => void) {}

  /** Feed one line; returns true when the line belonged to the progress protocol. */
  pushLine(line: string): boolean {
    const separator = line.indexOf('=');
    if (separator <= 0) return false;
    const key = line.slice(0, separator).trim();
    const value = line.slice(separator + 1).trim();
    if (!/^[a-z_0-9]+$/.test(key)) return false;
    if (key === 'progress') {
      this.onProgress(toProgress(this.block), value === 'end');
      this.block = new Map();
    } else {
      this.block.set(key, value);
    }
    return true;
  }
}

function toProgress(block: Map<string, string>): FfmpegProgress {
  return {
    frame: integer(block.get('frame')),
    fps: decimal(block.get('fps')),
    // ffmpeg prints e.g. "6012.3kbits/s", or "N/A" before the first packet.
    bitrateKbps: decimal(block.get('bitrate')?.replace(/kbits\/s$/, '')),
    totalSizeBytes: integer(block.get('total_size')),
    // out_time_us is microseconds (out_time_ms is too, for historical reasons).
    outTimeSeconds: integer(block.get('out_time_us') ?? block.get('out_time_ms')) / 1e6,
    droppedFrames: integer(block.get('drop_frames')),
    duplicatedFrames: integer(block.get('dup_frames')),
    speed: decimal(block.get('speed')?.replace(/x$/, '')),
  };
}

function decimal(value: string | undefined): number {
  const parsed = value === undefined ? Number.NaN : Number.parseFloat(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : 0;
}

function integer(value: string | undefined): number {
  return Math.trunc(decimal(value));
}
