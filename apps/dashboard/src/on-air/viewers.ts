import { isApiPlatform, type BroadcastStats, type BroadcastView } from '@streamcaster/contracts';

/**
 * The broadcast's viewers on every platform together: the stats service's total when it has one,
 * else the sum of what its destinations last reported; null when no platform has said anything (an
 * RTMP(S) server has nobody to ask), so that "—" is shown and never a made-up 0.
 */
export function totalViewers(broadcast: Pick<BroadcastView, 'destinations'>, stats: Pick<BroadcastStats, 'viewers'> | null): number | null {
  const fromStats = stats?.viewers?.total;
  if (fromStats !== undefined && fromStats !== null) return fromStats;
  const reported = broadcast.destinations.map((destination) => destination.viewers).filter((viewers): viewers is number => viewers !== null);
  return reported.length > 0 ? reported.reduce((sum, viewers) => sum + viewers, 0) : null;
}

/** Whether anyone can be asked for viewers: only platforms driven through their API report them. */
export function countsViewers(broadcast: Pick<BroadcastView, 'destinations'>): boolean {
  return broadcast.destinations.some((destination) => isApiPlatform(destination.platform));
}

/** A destination's latest count in the 1 Hz stats, when the stats carry one. */
export function statsViewersOf(stats: Pick<BroadcastStats, 'viewers'> | null, destinationId: string): number | null | undefined {
  return stats?.viewers?.destinations.find((destination) => destination.destinationId === destinationId)?.viewers;
}
