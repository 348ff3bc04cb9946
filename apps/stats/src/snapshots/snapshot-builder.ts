import type { BroadcastStats, ComposerStats, HostStats, IngestStats, IngestStream, RecorderStats, RelayStats, StatsHistoryPoint, ViewerStats } from '@streamcaster/contracts';
import { streamKey } from '@streamcaster/service-kit';
import type { TrackedBroadcast, TrackedRecording, TrackedRelay } from '../lifecycle/tracked-broadcasts.repository.js';
import type { EncoderReport, Heard, RecordingReport, RelayReport, ViewersReport } from '../progress/progress-store.js';

/** Progress older than this is not shown as current: its process stopped reporting. */
export const STALE_AFTER_MS = 5_000;

export interface BroadcastInputs {
  broadcast: TrackedBroadcast;
  relays: TrackedRelay[];
  recording: TrackedRecording | undefined;
  /** Ingest figures of every stream in nginx-rtmp now, by `app/stream`; empty when it could not be read. */
  ingestStreams: ReadonlyMap<string, IngestStats>;
  encoder: Heard<EncoderReport> | undefined;
  relayProgress: ReadonlyMap<string, Heard<RelayReport>>;
  recordingProgress: Heard<RecordingReport> | undefined;
  /** The platforms' latest viewer counts, by destination id (absent for a broadcast without API platforms). */
  viewers?: ReadonlyMap<string, Heard<ViewersReport>>;
  now: Date;
}

/**
 * Where a broadcast's DJ stream sits in nginx-rtmp: the input its program reads, or, before that is
 * known, the DJ's id in the application of its environment (the gateway renames every accepted
 * stream to the DJ's id).
 */
export function ingestStreamOf(broadcast: TrackedBroadcast): IngestStream | null {
  if (broadcast.ingest) return broadcast.ingest;
  return broadcast.djId ? { app: broadcast.environment, streamName: broadcast.djId } : null;
}

/** One broadcast's figures of a snapshot, from what the stats service knows at `now`. */
export function buildBroadcastStats(inputs: BroadcastInputs): BroadcastStats {
  const { broadcast, now } = inputs;
  const fresh = <T>(heard: Heard<T> | undefined): T | null => (heard && now.getTime() - heard.receivedAt <= STALE_AFTER_MS ? heard.value : null);
  const ingest = ingestStreamOf(broadcast);
  return {
    broadcastId: broadcast.id,
    environment: broadcast.environment,
    at: now.toISOString(),
    ingest: ingest ? (inputs.ingestStreams.get(streamKey(ingest.app, ingest.streamName)) ?? null) : null,
    composer: composerStats(fresh(inputs.encoder)),
    relays: inputs.relays.map((relay) => relayStats(relay, inputs.relayProgress.get(relay.destinationId), fresh(inputs.relayProgress.get(relay.destinationId)), now)),
    recorder: recorderStats(inputs.recording, inputs.recordingProgress?.value),
    ...(inputs.viewers && inputs.viewers.size > 0 ? { viewers: viewerStats(inputs.viewers) } : {}),
  };
}

/** Per destination as reported, per platform and in total over those that gave a count. */
export function viewerStats(reports: ReadonlyMap<string, Heard<ViewersReport>>): ViewerStats {
  const destinations = [...reports.entries()].map(([destinationId, heard]) => ({
    destinationId,
    platform: heard.value.platform,
    viewers: heard.value.viewers,
    at: heard.value.at,
  }));
  const byPlatform: Record<string, number> = {};
  let total: number | null = null;
  for (const destination of destinations) {
    if (destination.viewers === null) continue;
    byPlatform[destination.platform] = (byPlatform[destination.platform] ?? 0) + destination.viewers;
    total = (total ?? 0) + destination.viewers;
  }
  return { total, byPlatform, destinations };
}

function composerStats(report: EncoderReport | null): ComposerStats | null {
  if (!report) return null;
  const { progress } = report;
  return {
    encoder: report.encoder,
    fps: progress.fps,
    speed: progress.speed,
    bitrateKbps: progress.bitrateKbps,
    droppedFrames: progress.droppedFrames,
    duplicatedFrames: progress.duplicatedFrames,
    outTimeSeconds: progress.outTimeSeconds,
  };
}

function relayStats(relay: TrackedRelay, heard: Heard<RelayReport> | undefined, current: RelayReport | null, now: Date): RelayStats {
  const live = relay.state === 'live';
  return {
    destinationId: relay.destinationId,
    // Until the publisher named it (the next reconciliation, within seconds of the broadcast's start).
    name: relay.name ?? '',
    state: relay.state,
    // Only a live relay sends; before its second report there is only ffmpeg's average since start.
    bitrateKbps: live && current ? (current.currentBitrateKbps ?? current.progress.bitrateKbps) : null,
    bytesSent: heard ? heard.value.progress.totalSizeBytes : null,
    reconnects: relay.reconnects,
    uptimeSeconds: live && relay.liveSince ? Math.max(0, (now.getTime() - relay.liveSince.getTime()) / 1000) : null,
    lastError: relay.lastError,
  };
}

/**
 * A finished recording has its final figures; one being written, the writer's last report (the
 * `recording.started` event may not have been handled yet when the first report comes).
 */
function recorderStats(recording: TrackedRecording | undefined, report: RecordingReport | undefined): RecorderStats | null {
  if (recording && recording.state !== 'recording') {
    return { recordingId: recording.id, state: recording.state, sizeBytes: recording.sizeBytes, durationSeconds: recording.durationSeconds };
  }
  if (report) return { recordingId: report.recordingId, state: 'recording', sizeBytes: report.sizeBytes, durationSeconds: report.durationSeconds };
  return recording ? { recordingId: recording.id, state: 'recording', sizeBytes: 0, durationSeconds: 0 } : null;
}

/** The history row of one broadcast's snapshot: one per second, at the start of that second. */
export function historyPointOf(stats: BroadcastStats, host: HostStats): StatsHistoryPoint {
  const at = new Date(stats.at);
  at.setUTCMilliseconds(0);
  const relayBitrateKbps: Record<string, number> = {};
  for (const relay of stats.relays) if (relay.bitrateKbps !== null) relayBitrateKbps[relay.destinationId] = relay.bitrateKbps;
  return {
    at: at.toISOString(),
    bucketSeconds: 1,
    ingestBitrateKbps: stats.ingest?.bitrateKbps ?? null,
    encoderFps: stats.composer?.fps ?? null,
    encoderSpeed: stats.composer?.speed ?? null,
    cpuPercent: host.cpuPercent,
    relayBitrateKbps,
    viewersTotal: stats.viewers?.total ?? null,
    viewersByPlatform: stats.viewers?.byPlatform ?? {},
  };
}
