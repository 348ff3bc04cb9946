import { Alert, Skeleton, Table, Text, Title } from '@mantine/core';
import type { BroadcastView } from '@streamcaster/contracts';
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../api/resources';
import { useResources } from '../app-services';
import { formatClockTime, formatOffset } from '../format/format';
import { DataTable } from '../shell/widgets';

/** While a broadcast runs its tracklist grows; the History page has no live topic of its own for it. */
const RUNNING_REFRESH_MS = 15_000;

/**
 * The broadcast's tracks, oldest first: when each started, counted from the broadcast's start (a
 * cue in its recording; the local clock time on hover), its artist and title, as text.
 */
export function Tracklist({ broadcast, running }: { broadcast: Pick<BroadcastView, 'id' | 'startedAt'>; running: boolean }) {
  const resources = useResources();
  const tracks = useQuery({
    queryKey: queryKeys.tracks(broadcast.id),
    queryFn: () => resources.broadcasts.tracks(broadcast.id),
    refetchInterval: running ? RUNNING_REFRESH_MS : false,
  });
  return (
    <section>
      <Title order={3} size="h4" mb="xs">
        Tracklist
      </Title>
      {tracks.isPending ? (
        <Skeleton h={80} />
      ) : tracks.error ? (
        <Alert color="red" role="alert">
          {tracks.error.message}
        </Alert>
      ) : tracks.data.length === 0 ? (
        <Text c="dimmed">No track was reported for this broadcast.</Text>
      ) : (
        <DataTable label="Tracklist" minWidth={420} striped headers={['Time', 'Artist', 'Title']}>
          {tracks.data.map((track, index) => (
            <Table.Tr key={`${track.startedAt}-${index}`}>
              <Table.Td style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
                <time dateTime={track.startedAt} title={formatClockTime(track.startedAt)}>
                  {formatOffset(broadcast.startedAt, track.startedAt)}
                </time>
              </Table.Td>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{track.artist ?? '—'}</Table.Td>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{track.title}</Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
