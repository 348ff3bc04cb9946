import type { BroadcastStats, StatsHistoryPoint } from '@streamcaster/contracts';

/** One moment of a broadcast's charts, whether from the stored history or a live snapshot. */
export interface SeriesPoint {
  /** Unix seconds (uPlot's x unit). */
  t: number;
  ingestKbps: number | null;
  fps: number | null;
  speed: number | null;
  cpu: number | null;
  /** Bitrate per destination id; a destination with no figure at that moment is absent. */
  relayKbps: Record<string, number>;
  /** Viewers of every platform together; null where no platform reported any. */
  viewers: number | null;
  /** Viewers per platform (`youtube`, `twitch`…); a platform without a count is absent. */
  viewersByPlatform: Record<string, number>;
}

export function pointFromHistory(point: StatsHistoryPoint): SeriesPoint {
  return {
    t: Date.parse(point.at) / 1000,
    ingestKbps: point.ingestBitrateKbps,
    fps: point.encoderFps,
    speed: point.encoderSpeed,
    cpu: point.cpuPercent,
    relayKbps: { ...point.relayBitrateKbps },
    viewers: point.viewersTotal ?? null,
    viewersByPlatform: { ...point.viewersByPlatform },
  };
}

export function pointFromSnapshot(stats: BroadcastStats, cpuPercent: number | null): SeriesPoint {
  const relayKbps: Record<string, number> = {};
  for (const relay of stats.relays) if (relay.bitrateKbps !== null) relayKbps[relay.destinationId] = relay.bitrateKbps;
  return {
    t: Date.parse(stats.at) / 1000,
    ingestKbps: stats.ingest?.bitrateKbps ?? null,
    fps: stats.composer?.fps ?? null,
    speed: stats.composer?.speed ?? null,
    cpu: cpuPercent,
    relayKbps,
    viewers: stats.viewers?.total ?? null,
    viewersByPlatform: { ...stats.viewers?.byPlatform },
  };
}

/** The platforms that reported viewers somewhere in the series, in the order they first did. */
export function viewerPlatforms(series: readonly SeriesPoint[]): string[] {
  const seen = new Set<string>();
  for (const point of series) for (const platform of Object.keys(point.viewersByPlatform)) seen.add(platform);
  return [...seen];
}

/**
 * The stored history followed by the live points newer than its last one, in time order, at most
 * `maxPoints` (the newest kept): the history's 10 s buckets and the live seconds join without overlap.
 */
export function mergeSeries(history: readonly SeriesPoint[], live: readonly SeriesPoint[], maxPoints = 7200): SeriesPoint[] {
  const last = history.length > 0 ? history[history.length - 1]!.t : -Infinity;
  const merged = [...history, ...live.filter((point) => point.t > last)].sort((a, b) => a.t - b.t);
  return merged.length > maxPoints ? merged.slice(merged.length - maxPoints) : merged;
}

/** A destination's bitrate over the `seconds` before `nowSeconds`, oldest first, for its sparkline. */
export function recentBitrates(series: readonly SeriesPoint[], destinationId: string, nowSeconds: number, seconds = 60): number[] {
  return series.filter((point) => point.t > nowSeconds - seconds).map((point) => point.relayKbps[destinationId] ?? 0);
}

/** Keeps live points in arrival order, dropping a repeat of the same moment and the oldest beyond `limit`. */
export function appendPoint(points: SeriesPoint[], point: SeriesPoint, limit = 3600): SeriesPoint[] {
  const last = points[points.length - 1];
  if (last && point.t <= last.t) return points;
  const next = [...points, point];
  return next.length > limit ? next.slice(next.length - limit) : next;
}
