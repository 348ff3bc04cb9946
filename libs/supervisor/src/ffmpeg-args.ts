/**
 * How every long-running ffmpeg of ours starts: no banner, never reading stdin (it is ours, not a
 * terminal), warnings only on stderr, and machine-readable progress on stdout every
 * `progressSeconds`, for FfmpegProgressParser.
 */
export function supervisedFfmpegPrelude(progressSeconds: number): string[] {
  return ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1', '-stats_period', String(progressSeconds)];
}
