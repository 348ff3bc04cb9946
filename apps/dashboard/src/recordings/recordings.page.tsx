import { Alert, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { RecordingView } from '@streamcaster/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { queryKeys } from '../api/resources';
import { useResources } from '../app-services';
import { formatBytes, formatDateTime, formatDuration } from '../format/format';
import { errorMessage } from '../forms/use-form-errors';
import { DataTable, ErrorAlert } from '../shell/widgets';

/**
 * A recording's MP4 through a short-lived signed URL (POST …/file-url): a <video> and a download link
 * cannot send the Bearer header, and a blob would hold a whole set in memory; with the URL the
 * browser streams it with range requests, as long as the recording is.
 */
function Player({ recording, label, onClose }: { recording: RecordingView; label: string; onClose: () => void }) {
  const resources = useResources();
  const url = useQuery({ queryKey: ['recording-url', recording.id], queryFn: () => resources.recordings.fileUrl(recording.id), staleTime: 5 * 60_000, gcTime: 0 });
  return (
    <Paper withBorder p="md" component="section" aria-label={`Playing ${label}`}>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>{label}</Text>
        <Button size="xs" variant="default" onClick={onClose}>
          Close player
        </Button>
      </Group>
      {url.error && (
        <Alert color="red" role="alert">
          {url.error.message}
        </Alert>
      )}
      {url.data && <video aria-label="Recording" src={url.data.url} controls autoPlay style={{ width: '100%', maxHeight: '70vh', background: 'black' }} />}
    </Paper>
  );
}

function DownloadButton({ recording, label }: { recording: RecordingView; label: string }) {
  const resources = useResources();
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <>
      <Button
        size="xs"
        variant="light"
        aria-label={`Download ${label}`}
        onClick={() => {
          setProblem(null);
          resources.recordings.fileUrl(recording.id).then(
            ({ url }) => {
              const link = document.createElement('a');
              link.href = url;
              link.download = `recording-${recording.id}.mp4`;
              link.click();
            },
            (error: unknown) => setProblem(errorMessage(error)),
          );
        }}
      >
        Download
      </Button>
      {problem && (
        <Text size="xs" c="red" role="alert">
          {problem}
        </Text>
      )}
    </>
  );
}

/** Recordings: DJ, date, duration, size, state; play in the page; download. */
export default function RecordingsPage() {
  const resources = useResources();
  const recordings = useQuery({ queryKey: queryKeys.recordings, queryFn: () => resources.recordings.list() });
  // The DJ of each recording comes from its broadcast.
  const broadcasts = useQuery({ queryKey: queryKeys.broadcasts({}), queryFn: () => resources.broadcasts.list({}) });
  const [playing, setPlaying] = useState<string | null>(null);
  const djOf = new Map((broadcasts.data ?? []).map((broadcast) => [broadcast.id, broadcast.djName]));
  const rows = [...(recordings.data ?? [])].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const labelOf = (recording: RecordingView) => `${djOf.get(recording.broadcastId) ?? 'Recording'} ${formatDateTime(recording.startedAt)}`;
  const current = rows.find((recording) => recording.id === playing);

  return (
    <Stack>
      <Title order={2}>Recordings</Title>
      <ErrorAlert error={recordings.error} />
      {current && <Player key={current.id} recording={current} label={labelOf(current)} onClose={() => setPlaying(null)} />}
      {recordings.data?.length === 0 && <Text c="dimmed">No recording yet.</Text>}
      {rows.length > 0 && (
        <DataTable minWidth={640} striped headers={['DJ', 'Date', 'Duration', 'Size', 'State', 'File']}>
          {rows.map((recording) => (
            <Table.Tr key={recording.id}>
              <Table.Td>{djOf.get(recording.broadcastId) ?? '—'}</Table.Td>
              <Table.Td>{formatDateTime(recording.startedAt)}</Table.Td>
              <Table.Td>{formatDuration(recording.durationSeconds)}</Table.Td>
              <Table.Td>{formatBytes(recording.sizeBytes)}</Table.Td>
              <Table.Td>
                {recording.state}
                {recording.error && (
                  <Text size="xs" c="red">
                    {recording.error}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {recording.state === 'ready' && (
                  <Group gap="xs" wrap="nowrap">
                    <Button size="xs" aria-label={`Play ${labelOf(recording)}`} onClick={() => setPlaying(recording.id)}>
                      Play
                    </Button>
                    <DownloadButton recording={recording} label={labelOf(recording)} />
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
    </Stack>
  );
}
