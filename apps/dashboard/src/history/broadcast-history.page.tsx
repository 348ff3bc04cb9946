import { Alert, Anchor, Badge, Group, Loader, Paper, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { broadcastRuns, PLATFORM_RULES } from '@streamcaster/contracts';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { Link, useParams } from 'react-router-dom';
import { queryKeys } from '../api/resources';
import { useResources } from '../app-services';
import { useBroadcastSeries } from '../charts/use-broadcast-series';
import { destinationLook } from '../destinations/destination-state';
import { formatDateTime, formatDuration } from '../format/format';
import { DataTable } from '../shell/widgets';
import { Tracklist } from './tracklist';

const BroadcastCharts = lazy(() => import('../charts/broadcast-charts'));

function Charts({ broadcastId, running, destinations }: { broadcastId: string; running: boolean; destinations: { id: string; name: string }[] }) {
  const { series, historyError } = useBroadcastSeries(broadcastId, running, false);
  if (historyError) return <Alert color="red">{historyError.message}</Alert>;
  return (
    <Suspense fallback={<Skeleton h={200} />}>
      <BroadcastCharts series={series} destinations={destinations} />
    </Suspense>
  );
}

/** One past (or running) broadcast: what it was, how each destination fared, its charts. */
export default function BroadcastHistoryPage() {
  const { broadcastId = '' } = useParams();
  const resources = useResources();
  const broadcast = useQuery({ queryKey: queryKeys.broadcast(broadcastId), queryFn: () => resources.broadcasts.get(broadcastId) });
  if (broadcast.isPending) return <Loader aria-label="Loading the broadcast" />;
  if (broadcast.error) {
    return (
      <Alert color="red" role="alert">
        {broadcast.error.message}
      </Alert>
    );
  }
  const view = broadcast.data;
  const ended = view.endedAt ? Date.parse(view.endedAt) : Date.now();
  return (
    <Stack>
      <Anchor component={Link} to="/history">
        ← History
      </Anchor>
      <Paper withBorder p="md">
        <Group gap="xs">
          <Badge tt="none">{view.state}</Badge>
          <Badge tt="none" color={view.environment === 'test' ? 'yellow' : 'red'}>
            {view.environment === 'live' ? 'Live' : 'Test'}
          </Badge>
        </Group>
        <Title order={2} mt="xs" style={{ overflowWrap: 'anywhere' }}>
          {view.title}
        </Title>
        <Text>{view.djName}</Text>
        <Text size="sm" c="dimmed">
          {formatDateTime(view.startedAt)} – {view.endedAt ? formatDateTime(view.endedAt) : 'now'} ({formatDuration((ended - Date.parse(view.startedAt)) / 1000)})
        </Text>
        {view.description && (
          <Text size="sm" mt="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {view.description}
          </Text>
        )}
      </Paper>
      <section aria-label="Destinations' outcome">
        <Title order={3} size="h4" mb="xs">
          Destinations
        </Title>
        {view.destinations.length === 0 ? (
          <Text c="dimmed">None.</Text>
        ) : (
          <DataTable minWidth={600} headers={['Name', 'Last state', 'Platform', 'Reconnects', 'Last error']}>
            {view.destinations.map((destination) => {
              const look = destinationLook(destination);
              const word = look.word;
              return (
                <Table.Tr key={destination.id}>
                  <Table.Td>{destination.name}</Table.Td>
                  <Table.Td>
                    <Badge color={look.color} tt="none">
                      {word}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {destination.watchUrl ? (
                      <Anchor href={destination.watchUrl} target="_blank" rel="noopener noreferrer">
                        {look.platformText ?? PLATFORM_RULES[destination.platform].label}
                      </Anchor>
                    ) : (
                      (look.platformText ?? PLATFORM_RULES[destination.platform].label)
                    )}
                  </Table.Td>
                  <Table.Td>{destination.reconnects}</Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{destination.lastError ?? (destination.platformState === 'error' ? destination.platformReason : null) ?? '—'}</Table.Td>
                </Table.Tr>
              );
            })}
          </DataTable>
        )}
      </section>
      <Tracklist broadcast={view} running={broadcastRuns(view.state)} />
      <section aria-label="Charts">
        <Charts broadcastId={view.id} running={broadcastRuns(view.state)} destinations={view.destinations} />
      </section>
    </Stack>
  );
}
