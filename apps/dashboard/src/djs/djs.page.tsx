import { Alert, Anchor, Button, Card, Group, List, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { djCreateSchema, type BroadcastView, type DjView } from '@streamcaster/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { queryKeys } from '../api/resources';
import { useResources, useSession } from '../app-services';
import { formatDateTime } from '../format/format';
import { useFormErrors } from '../forms/use-form-errors';
import { ObsSettings, TraktorSettings } from '../on-air/ingest-help';
import { can } from '../shell/navigation';
import { ConfirmButton, CopyField, ErrorAlert, FormFooter } from '../shell/widgets';

interface RevealedKey {
  djName: string;
  streamKey: string;
  ingest: DjView['ingest'];
  icecast: DjView['icecast'];
  why: 'created' | 'rotated';
}

/** A key is shown once: right after the DJ was added or its key rotated, with what OBS needs. */
function KeyReveal({ revealed, onDone }: { revealed: RevealedKey; onDone: () => void }) {
  return (
    <Paper withBorder p="md" bg="var(--mantine-color-dark-6)" component="section" aria-label={`Stream key of ${revealed.djName}`}>
      <Stack gap="sm">
        <Title order={3} size="h4">
          {revealed.why === 'created' ? 'DJ added: ' : 'New key for '}
          <Text span inherit>
            {revealed.djName}
          </Text>
        </Title>
        <Alert color="yellow">Copy the key now: it is shown only this once (StreamCaster keeps only its hash).</Alert>
        <CopyField label="Stream key" value={revealed.streamKey} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <CopyField label="Server URL (Live)" value={revealed.ingest.live} />
          <CopyField label="Server URL (Test)" value={revealed.ingest.test} />
        </SimpleGrid>
        <ObsSettings />
        <TraktorSettings icecast={revealed.icecast} streamKey={revealed.streamKey} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Done
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function AddDjForm({ onCreated, onCancel }: { onCreated: (revealed: RevealedKey) => void; onCancel: () => void }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const form = useFormErrors(['name']);

  function submit(event: FormEvent) {
    event.preventDefault();
    void form.submit(djCreateSchema, { name }, async (body) => {
      const created = await resources.djs.create(body);
      await queryClient.invalidateQueries({ queryKey: queryKeys.djs });
      onCreated({ djName: created.name, streamKey: created.streamKey, ingest: created.ingest, icecast: created.icecast, why: 'created' });
    });
  }

  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} noValidate aria-label="Add DJ">
      <Stack>
        <TextInput label="Name" value={name} onChange={(event) => setName(event.currentTarget.value)} error={form.field('name')} autoFocus />
        <FormFooter formError={form.errors.form} busy={form.busy} submitLabel="Create" onCancel={onCancel} />
      </Stack>
    </Paper>
  );
}

function DjCard({ dj, broadcasts, role, onRotated }: { dj: DjView; broadcasts: BroadcastView[]; role: string; onRotated: (revealed: RevealedKey) => void }) {
  const resources = useResources();
  const mayRotate = role === 'admin' || role === 'dj';
  return (
    <Card withBorder component="section" aria-label={dj.name}>
      <Group justify="space-between" align="flex-start">
        <div style={{ minWidth: 0 }}>
          <Title order={3} size="h4" style={{ overflowWrap: 'anywhere' }}>
            {dj.name}
          </Title>
          <Text size="xs" c="dimmed">
            Added {formatDateTime(dj.createdAt)} · key set {formatDateTime(dj.keyRotatedAt)}
          </Text>
        </div>
        {mayRotate && (
          <ConfirmButton
            title="Rotate the stream key?"
            message={`${dj.name}'s current key stops working at once: OBS must get the new key before the next stream.`}
            confirmLabel="Rotate key"
            ariaLabel={`Rotate key of ${dj.name}`}
            buttonProps={{ size: 'xs', color: 'orange' }}
            onConfirm={async () => {
              const rotated = await resources.djs.rotateKey(dj.id);
              onRotated({ djName: dj.name, streamKey: rotated.streamKey, ingest: dj.ingest, icecast: dj.icecast, why: 'rotated' });
            }}
          >
            Rotate key
          </ConfirmButton>
        )}
      </Group>
      <Text size="sm" mt="sm">
        Server (Live): <code>{dj.ingest.live}</code>
        <br />
        Server (Test): <code>{dj.ingest.test}</code>
        <br />
        Traktor: <code>{dj.icecast.host}</code> port <code>{dj.icecast.port}</code>, mount <code>{dj.icecast.mounts.live}</code> (Live) or{' '}
        <code>{dj.icecast.mounts.test}</code> (Test), password: the stream key
      </Text>
      <Text size="sm" fw={600} mt="sm">
        Last broadcasts
      </Text>
      {broadcasts.length === 0 ? (
        <Text size="sm" c="dimmed">
          None yet.
        </Text>
      ) : (
        <List size="sm">
          {broadcasts.slice(0, 5).map((broadcast) => (
            <List.Item key={broadcast.id}>
              <Anchor component={Link} to={`/history/${broadcast.id}`}>
                {formatDateTime(broadcast.startedAt)}
              </Anchor>{' '}
              {broadcast.environment === 'test' ? '(Test) ' : ''}
              <Text span>{broadcast.title}</Text> — {broadcast.state}
            </List.Item>
          ))}
        </List>
      )}
    </Card>
  );
}

/** DJs: add one (its key shown once, with OBS's settings), rotate a key, each DJ's last broadcasts. */
export default function DjsPage() {
  const resources = useResources();
  const session = useSession();
  const role = session?.user.role ?? 'dj';
  const djs = useQuery({ queryKey: queryKeys.djs, queryFn: () => resources.djs.list() });
  const broadcasts = useQuery({ queryKey: queryKeys.broadcasts({}), queryFn: () => resources.broadcasts.list({}) });
  const [adding, setAdding] = useState(false);
  const [revealed, setRevealed] = useState<RevealedKey | null>(null);

  const byDj = new Map<string, BroadcastView[]>();
  for (const broadcast of [...(broadcasts.data ?? [])].sort((a, b) => b.startedAt.localeCompare(a.startedAt))) {
    byDj.set(broadcast.djId, [...(byDj.get(broadcast.djId) ?? []), broadcast]);
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>DJs</Title>
        {can.manageDjs(role) && !adding && (
          <Button
            onClick={() => {
              setAdding(true);
              setRevealed(null);
            }}
          >
            Add DJ
          </Button>
        )}
      </Group>
      {adding && (
        <AddDjForm
          onCancel={() => setAdding(false)}
          onCreated={(created) => {
            setAdding(false);
            setRevealed(created);
          }}
        />
      )}
      {revealed && <KeyReveal revealed={revealed} onDone={() => setRevealed(null)} />}
      <ErrorAlert error={djs.error} />
      {djs.data?.length === 0 && <Text c="dimmed">No DJ yet.</Text>}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {djs.data?.map((dj) => <DjCard key={dj.id} dj={dj} role={role} broadcasts={byDj.get(dj.id) ?? []} onRotated={setRevealed} />)}
      </SimpleGrid>
    </Stack>
  );
}
