import { Injectable } from '@nestjs/common';
import type { ApiPlatform, EncoderKind, FfmpegProgress } from '@streamcaster/contracts';

/** The latest progress of something, with when it was heard (progress older than a few seconds is stale). */
export interface Heard<T> {
  value: T;
  receivedAt: number;
}

export interface EncoderReport {
  encoder: EncoderKind;
  progress: FfmpegProgress;
}

export interface RelayReport {
  progress: FfmpegProgress;
  /** Bitrate between this report and the previous one of the same ffmpeg; null on its first. */
  currentBitrateKbps: number | null;
}

export interface RecordingReport {
  recordingId: string;
  sizeBytes: number;
  durationSeconds: number;
}

export interface ViewersReport {
  platform: ApiPlatform;
  viewers: number | null;
  at: string;
}

/** A broadcast's progress is forgotten this long after its last report (it ended, or moved away). */
const FORGET_AFTER_MS = 60_000;
/** Viewer counts come every 30 s by default (PLATFORM_VIEWERS_POLL_MS): kept until several polls were missed. */
export const VIEWERS_FORGET_AFTER_MS = 5 * 60_000;

/**
 * The latest progress of every encoder, relay and recording, kept by every replica (the progress
 * events reach them all), so that a replica that becomes the leader has the figures at once.
 */
@Injectable()
export class ProgressStore {
  private readonly encoders = new Map<string, Heard<EncoderReport>>();
  private readonly relays = new Map<string, Heard<RelayReport>>();
  private readonly recordings = new Map<string, Heard<RecordingReport>>();
  private readonly viewers = new Map<string, Heard<ViewersReport>>();

  encoderProgress(broadcastId: string, report: EncoderReport, now = Date.now()): void {
    this.encoders.set(broadcastId, { value: report, receivedAt: now });
  }

  relayProgress(broadcastId: string, destinationId: string, progress: FfmpegProgress, now = Date.now()): void {
    const key = `${broadcastId}/${destinationId}`;
    const previous = this.relays.get(key);
    this.relays.set(key, { value: { progress, currentBitrateKbps: currentBitrate(previous, progress, now) }, receivedAt: now });
  }

  recordingProgress(broadcastId: string, report: RecordingReport, now = Date.now()): void {
    this.recordings.set(broadcastId, { value: report, receivedAt: now });
  }

  viewersReport(broadcastId: string, destinationId: string, report: ViewersReport, now = Date.now()): void {
    this.viewers.set(`${broadcastId}/${destinationId}`, { value: report, receivedAt: now });
  }

  /** The latest viewer count of each destination of a broadcast, by destination id. */
  viewersOf(broadcastId: string): Map<string, Heard<ViewersReport>> {
    return byDestination(this.viewers, broadcastId);
  }

  encoder(broadcastId: string): Heard<EncoderReport> | undefined {
    return this.encoders.get(broadcastId);
  }


  /** Every relay of a broadcast that reported, by destination id. */
  relaysOf(broadcastId: string): Map<string, Heard<RelayReport>> {
    return byDestination(this.relays, broadcastId);
  }

  recording(broadcastId: string): Heard<RecordingReport> | undefined {
    return this.recordings.get(broadcastId);
  }

  forgetStale(now = Date.now()): void {
    for (const map of [this.encoders, this.relays, this.recordings] as Array<Map<string, Heard<unknown>>>) {
      for (const [key, heard] of map) if (now - heard.receivedAt > FORGET_AFTER_MS) map.delete(key);
    }
    for (const [key, heard] of this.viewers) if (now - heard.receivedAt > VIEWERS_FORGET_AFTER_MS) this.viewers.delete(key);
  }
}

function byDestination<T>(reports: Map<string, Heard<T>>, broadcastId: string): Map<string, Heard<T>> {
  const found = new Map<string, Heard<T>>();
  for (const [key, heard] of reports) if (key.startsWith(`${broadcastId}/`)) found.set(key.slice(broadcastId.length + 1), heard);
  return found;
}

/**
 * ffmpeg's own bitrate is the average since it started; the dashboard wants the current one: the
 * bytes of the output between two reports. A restarted ffmpeg (its size went back) has none yet.
 */
export function currentBitrate(previous: Heard<RelayReport> | undefined, progress: FfmpegProgress, now: number): number | null {
  if (!previous) return null;
  const bytes = progress.totalSizeBytes - previous.value.progress.totalSizeBytes;
  const seconds = (now - previous.receivedAt) / 1000;
  if (bytes < 0 || seconds <= 0) return null;
  return Math.round((bytes * 8) / 1000 / seconds);
}
