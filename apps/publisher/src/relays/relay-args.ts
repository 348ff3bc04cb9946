import { supervisedFfmpegPrelude } from '@streamcaster/supervisor';

/**
 * ffmpeg arguments of one relay: read the program once, copy every packet (no re-encode, the
 * program is already encoded for the platforms), push to one destination.
 */
export interface RelayArgsInput {
  programUrl: string;
  pushUrl: string;
  /** A stalled input or output for this long ends the process, so the supervisor reconnects it. */
  ioTimeoutSeconds: number;
}

export function buildRelayArgs({ programUrl, pushUrl, ioTimeoutSeconds }: RelayArgsInput): string[] {
  const timeoutUs = String(Math.round(ioTimeoutSeconds * 1_000_000));
  return [
    ...supervisedFfmpegPrelude(1),
    '-rw_timeout', timeoutUs,
    // Stream copy needs the codecs, not the frame rate: probing it would delay the first packet.
    '-fpsprobesize', '0',
    '-i', programUrl,
    '-map', '0:v?',
    '-map', '0:a?',
    '-c', 'copy',
    '-f', 'flv',
    // A live FLV has no duration or size to patch in at the end; skip the seek back.
    '-flvflags', 'no_duration_filesize',
    '-rw_timeout', timeoutUs,
    pushUrl,
  ];
}

/** ffmpeg repeats URLs in its errors; a stream key must never reach a log or an API response. */
export function redactSecret(text: string, secret: string): string {
  return secret ? text.split(secret).join('•••') : text;
}
