import type { IngestStats } from '@streamcaster/contracts';
import type { RtmpStreamStat } from '@streamcaster/service-kit';

/** The byte count and clock of a stream at one reading: enough to tell its bitrate at the next. */
export interface IngestSample {
  timeMs: number;
  bytesIn: number;
}

/**
 * The ingest figures of one DJ stream. The bitrate comes from the bytes received since the previous
 * reading, measured on the stream's own clock; nginx-rtmp's bw_in is used only when there is no
 * previous reading of this stream (it is a 10 s average and reads 0 for the first 10 s).
 */
export function ingestStats(stream: RtmpStreamStat, previous: IngestSample | undefined): IngestStats {
  return {
    videoCodec: stream.video?.codec || null,
    width: stream.video?.width || null,
    height: stream.video?.height || null,
    fps: stream.video?.fps || null,
    bitrateKbps: ingestBitrateKbps(stream, previous),
    audioCodec: stream.audio?.codec || null,
    audioChannels: stream.audio?.channels || null,
    audioSampleRate: stream.audio?.sampleRate || null,
    bytesReceived: stream.bytesIn,
    uptimeSeconds: stream.timeMs / 1000,
  };
}

export function ingestBitrateKbps(current: RtmpStreamStat, previous: IngestSample | undefined): number | null {
  // A stream whose clock went back is a new publish under the same name: its earlier bytes are not comparable.
  if (previous && current.timeMs > previous.timeMs && current.bytesIn >= previous.bytesIn) {
    // bits per millisecond are kilobits per second
    return round1(((current.bytesIn - previous.bytesIn) * 8) / (current.timeMs - previous.timeMs));
  }
  return current.bwInBitsPerSecond > 0 ? round1(current.bwInBitsPerSecond / 1000) : null;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
