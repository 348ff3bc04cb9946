import { Alert, Button, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { nowPlayingSchema, trackLine, type BroadcastView } from '@streamcaster/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { queryKeys } from '../api/resources';
import { useResources } from '../app-services';
import { useFormErrors } from '../forms/use-form-errors';

/**
 * What plays now ("Now playing": the track line, as text), and for those who may, "Set track": a
 * small form kept closed until asked for, so that the card stays compact on a phone.
 */
export function NowPlaying({ broadcast, canSet }: { broadcast: Pick<BroadcastView, 'id' | 'nowPlaying'>; canSet: boolean }) {
  const [setting, setSetting] = useState(false);
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="nowrap" align="flex-start" justify="space-between">
        <div style={{ minWidth: 0 }}>
          <Text size="xs" c="dimmed">
            Now playing
          </Text>
          {broadcast.nowPlaying ? (
            <Text component="output" aria-label="Now playing" display="block" fw={500} style={{ overflowWrap: 'anywhere' }}>
              {trackLine(broadcast.nowPlaying)}
            </Text>
          ) : (
            <Text c="dimmed" size="sm">
              No track yet
            </Text>
          )}
        </div>
        {canSet && !setting && (
          <Button size="compact-sm" variant="light" onClick={() => setSetting(true)} style={{ flexShrink: 0 }}>
            Set track
          </Button>
        )}
      </Group>
      {canSet && setting && <SetTrackForm broadcastId={broadcast.id} onDone={() => setSetting(false)} />}
    </Stack>
  );
}

const FIELDS = ['artist', 'title'] as const;

function SetTrackForm({ broadcastId, onDone }: { broadcastId: string; onDone: () => void }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const { errors, field, submit, busy } = useFormErrors(FIELDS);
  const [artist, setArtist] = useState('');
  const [title, setTitle] = useState('');

  function send(event: FormEvent) {
    event.preventDefault();
    // An empty Artist is no artist, not an artist named "".
    const value = artist.trim() ? { artist, title } : { title };
    void submit(nowPlayingSchema, value, async (body) => {
      await resources.broadcasts.setNowPlaying(broadcastId, body);
      onDone();
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['broadcasts'] }),
        queryClient.invalidateQueries({ queryKey: queryKeys.broadcast(broadcastId) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.tracks(broadcastId) }),
      ]);
    });
  }

  return (
    <form onSubmit={send} noValidate>
      <Stack gap="xs">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <TextInput label="Artist" size="sm" value={artist} onChange={(event) => setArtist(event.currentTarget.value)} error={field('artist')} autoComplete="off" autoFocus />
          <TextInput label="Track title" size="sm" value={title} onChange={(event) => setTitle(event.currentTarget.value)} error={field('title')} autoComplete="off" />
        </SimpleGrid>
        {errors.form && (
          <Alert color="red" role="alert" p="xs">
            {errors.form}
          </Alert>
        )}
        <Group gap="xs" justify="flex-end">
          <Button size="compact-sm" variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" size="compact-sm" loading={busy}>
            Set track
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
