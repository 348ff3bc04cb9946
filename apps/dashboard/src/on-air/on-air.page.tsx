import { Alert, Loader, Stack } from '@mantine/core';
import { broadcastRuns, broadcastViewSchema, type BroadcastView } from '@streamcaster/contracts';
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { queryKeys } from '../api/resources';
import { useResources } from '../app-services';
import { useLiveTopic } from '../live/use-live-topic';
import { useEnvironment } from '../shell/environment';
import { BroadcastPanel } from './broadcast-panel';
import { IngestHelp } from './ingest-help';

const broadcastListSchema = z.array(broadcastViewSchema);

/** The start page: what runs now in the chosen environment, live; or how to start when nothing does. */
export function OnAirPage() {
  const { environment } = useEnvironment();
  const resources = useResources();
  const live = useLiveTopic(`broadcasts:${environment}`, broadcastListSchema);
  // The REST list shows the page before the live channel answers, and stands in while it cannot.
  const filters = { environment, running: true };
  const listed = useQuery({
    queryKey: queryKeys.broadcasts(filters),
    queryFn: () => resources.broadcasts.list(filters),
    refetchInterval: live.data ? false : 3_000,
  });
  const djs = useQuery({ queryKey: queryKeys.djs, queryFn: () => resources.djs.list() });

  const all: BroadcastView[] = live.data ?? listed.data ?? [];
  // Never one of the other environment, whatever a source sends.
  const running = all.filter((broadcast) => broadcast.environment === environment && broadcastRuns(broadcast.state));

  if (!live.data && listed.isPending) return <Loader aria-label="Loading the broadcasts" />;
  return (
    <Stack>
      {listed.error && !live.data && (
        <Alert color="red" role="alert">
          {listed.error.message}
        </Alert>
      )}
      {running.length === 0 ? <IngestHelp environment={environment} djs={djs.data} /> : running.map((broadcast) => <BroadcastPanel key={broadcast.id} initial={broadcast} />)}
    </Stack>
  );
}
