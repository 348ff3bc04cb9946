import type { StatsHistoryPoint } from '@streamcaster/contracts';

type Figure = 'ingestBitrateKbps' | 'encoderFps' | 'encoderSpeed' | 'cpuPercent' | 'viewersTotal';
const FIGURES: readonly Figure[] = ['ingestBitrateKbps', 'encoderFps', 'encoderSpeed', 'cpuPercent', 'viewersTotal'];

/** Where a time falls: the start of its bucket, buckets aligned on the epoch (so every run cuts alike). */
export function bucketStart(atMs: number, bucketSeconds: number): number {
  const size = bucketSeconds * 1000;
  return Math.floor(atMs / size) * size;
}

/**
 * Averages points into buckets of `bucketSeconds`, in time order. Each point weighs as many seconds
 * as it covers (a 10 s point ten times a 1 s one), and a figure counts only where it was measured:
 * a null, or a destination missing from a point's relay bitrates, is a gap, not a zero (a bucket in
 * which a figure was never measured has it null, or no entry for that destination).
 */
export function bucketPoints(points: readonly StatsHistoryPoint[], bucketSeconds: number): StatsHistoryPoint[] {
  const buckets = new Map<number, StatsHistoryPoint[]>();
  for (const point of points) {
    const start = bucketStart(Date.parse(point.at), bucketSeconds);
    const bucket = buckets.get(start);
    if (bucket) bucket.push(point);
    else buckets.set(start, [point]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, members]) => {
      const averaged = Object.fromEntries(FIGURES.map((figure) => [figure, weightedAverage(members.map((point) => [point[figure] ?? null, point.bucketSeconds]))])) as Record<Figure, number | null>;
      const relayBitrateKbps = averageByKey(members, (point) => point.relayBitrateKbps);
      const viewersByPlatform = averageByKey(members, (point) => point.viewersByPlatform ?? {}, Math.round);
      // Viewers are people: an average of 12.5 is shown as 13.
      const viewersTotal = averaged.viewersTotal === null ? null : Math.round(averaged.viewersTotal);
      return { at: new Date(start).toISOString(), bucketSeconds, ...averaged, viewersTotal, relayBitrateKbps, viewersByPlatform };
    });
}

/** Averages a per-key figure (a destination's bitrate, a platform's viewers); a missing key is a gap. */
function averageByKey(
  members: readonly StatsHistoryPoint[],
  figures: (point: StatsHistoryPoint) => Record<string, number>,
  round: (value: number) => number = (value) => value,
): Record<string, number> {
  const keys = new Set(members.flatMap((point) => Object.keys(figures(point))));
  const averaged: Record<string, number> = {};
  for (const key of [...keys].sort()) averaged[key] = round(weightedAverage(members.map((point) => [figures(point)[key] ?? null, point.bucketSeconds]))!);
  return averaged;
}

function weightedAverage(values: Array<[value: number | null, weight: number]>): number | null {
  let sum = 0;
  let weights = 0;
  for (const [value, weight] of values) {
    if (value === null) continue;
    sum += value * weight;
    weights += weight;
  }
  return weights === 0 ? null : Math.round((sum / weights) * 1000) / 1000;
}

export interface HistoryLimits {
  maxPoints: number;
  /** Of the points as JSON: the answer must fit in one NATS message (1 MiB by default). */
  maxBytes: number;
}

/**
 * Fits a range of history into one answer: as it is when small enough, else averaged into the
 * narrowest buckets (a multiple of 10 s, then doubled) that bring it under both limits.
 */
export function fitHistory(points: readonly StatsHistoryPoint[], spanSeconds: number, limits: HistoryLimits): StatsHistoryPoint[] {
  const fits = (candidate: readonly StatsHistoryPoint[]) => candidate.length <= limits.maxPoints && JSON.stringify(candidate).length <= limits.maxBytes;
  if (fits(points)) return [...points];
  let bucketSeconds = Math.max(10, Math.ceil(spanSeconds / limits.maxPoints / 10) * 10);
  let fitted = bucketPoints(points, bucketSeconds);
  while (!fits(fitted) && fitted.length > 1) {
    bucketSeconds *= 2;
    fitted = bucketPoints(points, bucketSeconds);
  }
  return fitted;
}
