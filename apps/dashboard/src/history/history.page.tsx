import { Anchor, Badge, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { queryKeys, type BroadcastFilters } from '../api/resources';
import { useResources } from '../app-services';
import { formatDateTime, formatDuration } from '../format/format';
import { useEnvironment } from '../shell/environment';
import { DataTable, ErrorAlert } from '../shell/widgets';

/** `YYYY-MM-DD` of a date field, as the start of that day (from) or of the next (to), in local time. */
export function dayBound(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00`);
  if (Number.isNaN(date.getTime())) return undefined;
  if (end) date.setDate(date.getDate() + 1);
  return date.toISOString();
}

/**
 * Past broadcasts of the chosen environment, filtered by DJ and dates (kept in the URL, so a filtered
 * list can be bookmarked); each links to its charts and its destinations' outcome.
 */
export default function HistoryPage() {
  const resources = useResources();
  const { environment } = useEnvironment();
  const [params, setParams] = useSearchParams();
  const djId = params.get('dj') ?? '';
  const fromDay = params.get('from') ?? '';
  const toDay = params.get('to') ?? '';
  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };

  const filters: BroadcastFilters = { environment, djId: djId || undefined, from: dayBound(fromDay, false), to: dayBound(toDay, true) };
  const broadcasts = useQuery({ queryKey: queryKeys.broadcasts(filters), queryFn: () => resources.broadcasts.list(filters) });
  const djs = useQuery({ queryKey: queryKeys.djs, queryFn: () => resources.djs.list() });
  const rows = [...(broadcasts.data ?? [])].sort((a, b) => b.startedAt.localeCompare(a.startedAt));

  return (
    <Stack>
      <Title order={2}>
        History <Badge color={environment === 'test' ? 'yellow' : 'red'}>{environment === 'live' ? 'Live' : 'Test'}</Badge>
      </Title>
      <Group align="flex-end">
        <NativeSelect
          label="DJ"
          value={djId}
          onChange={(event) => setParam('dj', event.currentTarget.value)}
          data={[{ value: '', label: 'All DJs' }, ...(djs.data ?? []).map((dj) => ({ value: dj.id, label: dj.name }))]}
        />
        <TextInput label="From" type="date" value={fromDay} onChange={(event) => setParam('from', event.currentTarget.value)} />
        <TextInput label="To" type="date" value={toDay} onChange={(event) => setParam('to', event.currentTarget.value)} />
      </Group>
      <Text size="xs" c="dimmed">
        The environment is the switch at the top.
      </Text>
      <ErrorAlert error={broadcasts.error} />
      {broadcasts.data?.length === 0 && <Text c="dimmed">No broadcast matches.</Text>}
      {rows.length > 0 && (
        <DataTable minWidth={640} striped headers={['Started', 'DJ', 'Title', 'Duration', 'State', 'Destinations']}>
          {rows.map((broadcast) => {
            const ended = broadcast.endedAt ? Date.parse(broadcast.endedAt) : Date.now();
            return (
              <Table.Tr key={broadcast.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/history/${broadcast.id}`}>
                    {formatDateTime(broadcast.startedAt)}
                  </Anchor>
                </Table.Td>
                <Table.Td>{broadcast.djName}</Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{broadcast.title}</Table.Td>
                <Table.Td>{formatDuration((ended - Date.parse(broadcast.startedAt)) / 1000)}</Table.Td>
                <Table.Td>{broadcast.state}</Table.Td>
                <Table.Td>{broadcast.destinations.length}</Table.Td>
              </Table.Tr>
            );
          })}
        </DataTable>
      )}
    </Stack>
  );
}
