import { broadcastStatsSchema, hostStatsSchema, type BroadcastStats, type HostStats } from '@streamcaster/contracts';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useRef, useState } from 'react';
import { useResources } from '../app-services';
import { queryKeys } from '../api/resources';
import { useLiveTopic } from '../live/use-live-topic';
import { appendPoint, mergeSeries, pointFromHistory, pointFromSnapshot, type SeriesPoint } from './stats-series';

/**
 * A broadcast's chart data: its stored history (GET …/stats), then, while it runs, every live
 * snapshot of `stats:<id>` (with the host's CPU of `host`) appended as it comes.
 */
export function useBroadcastSeries(broadcastId: string, running: boolean, withHost: boolean) {
  const resources = useResources();
  const history = useQuery({ queryKey: queryKeys.stats(broadcastId), queryFn: () => resources.broadcasts.stats(broadcastId), staleTime: Infinity });
  const [live, setLive] = useState<SeriesPoint[]>([]);
  const hostCpu = useRef<number | null>(null);

  const onHost = useCallback((host: HostStats) => {
    hostCpu.current = host.cpuPercent;
  }, []);
  const onStats = useCallback((stats: BroadcastStats) => {
    setLive((points) => appendPoint(points, pointFromSnapshot(stats, hostCpu.current)));
  }, []);
  const host = useLiveTopic(running && withHost ? 'host' : null, hostStatsSchema, onHost);
  const stats = useLiveTopic(running ? `stats:${broadcastId}` : null, broadcastStatsSchema, onStats);

  const series = useMemo(() => mergeSeries((history.data?.points ?? []).map(pointFromHistory), live), [history.data, live]);
  return { series, stats: stats.data, host: host.data, historyError: history.error };
}
