import { Badge, Button, Group, NativeSelect, Paper, PasswordInput, Stack, Switch, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { destinationCreateSchema, type DestinationView, type Environment } from '@streamcaster/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { queryKeys } from '../api/resources';
import { useResources, useSession } from '../app-services';
import { errorMessage, useFormErrors } from '../forms/use-form-errors';
import { useEnvironment } from '../shell/environment';
import { can } from '../shell/navigation';
import { ConfirmButton, DataTable, ErrorAlert, FormFooter } from '../shell/widgets';
import { DESTINATION_PRESETS, presetById } from './destination-presets';

const FIELDS = ['name', 'url', 'streamKey', 'environment', 'platform'] as const;

function AddDestinationForm({ environment, onDone }: { environment: Environment; onDone: () => void }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const [presetId, setPresetId] = useState('youtube');
  const preset = presetById(presetId);
  const [name, setName] = useState(preset.label);
  const [url, setUrl] = useState(preset.url ?? '');
  const [streamKey, setStreamKey] = useState('');
  const [enabled, setEnabled] = useState(true);
  const form = useFormErrors(FIELDS);

  function choosePreset(id: string) {
    const next = presetById(id);
    setPresetId(id);
    setName(next.id === 'custom' ? '' : next.label);
    setUrl(next.url ?? '');
    form.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void form.submit(destinationCreateSchema, { environment, platform: 'rtmp', name, url, streamKey, enabled }, async (body) => {
      await resources.destinations.create(body);
      await queryClient.invalidateQueries({ queryKey: queryKeys.destinations(environment) });
      onDone();
    });
  }

  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} noValidate aria-label="Add destination">
      <Stack>
        <NativeSelect
          label="Platform"
          data={DESTINATION_PRESETS.map((candidate) => ({ value: candidate.id, label: candidate.label }))}
          value={presetId}
          onChange={(event) => choosePreset(event.currentTarget.value)}
        />
        <Text size="sm" c="dimmed">
          {preset.hint}
        </Text>
        <TextInput label="Name" value={name} onChange={(event) => setName(event.currentTarget.value)} error={form.field('name')} />
        <TextInput label="Server URL" placeholder={preset.placeholder} value={url} onChange={(event) => setUrl(event.currentTarget.value)} error={form.field('url')} />
        <PasswordInput
          label="Stream key"
          value={streamKey}
          onChange={(event) => setStreamKey(event.currentTarget.value)}
          error={form.field('streamKey')}
          description="Stored encrypted; never shown again after saving."
          autoComplete="off"
          visibilityToggleButtonProps={{ 'aria-label': 'Show the typed characters' }}
        />
        <Switch label="Enabled" checked={enabled} onChange={(event) => setEnabled(event.currentTarget.checked)} />
        <FormFooter formError={form.errors.form} busy={form.busy} submitLabel="Save destination" onCancel={onDone} />
      </Stack>
    </Paper>
  );
}

function DestinationRow({ destination, editable }: { destination: DestinationView; editable: boolean }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.destinations(destination.environment) });
  return (
    <Table.Tr>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>{destination.name}</Table.Td>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>
        <code>{destination.url}</code>
        <Text size="xs" c="dimmed">
          key ••••••••
        </Text>
      </Table.Td>
      <Table.Td>
        <Switch
          aria-label={`Enabled: ${destination.name}`}
          checked={destination.enabled}
          disabled={!editable}
          onChange={(event) => {
            const enabled = event.currentTarget.checked;
            resources.destinations
              .update(destination.id, { enabled })
              .then(refresh, (error: unknown) => setProblem(errorMessage(error)));
          }}
        />
        {problem && (
          <Text size="xs" c="red" role="alert">
            {problem}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        {editable && (
          <ConfirmButton
            title="Delete the destination?"
            message={`${destination.name} will no longer receive broadcasts; its key is deleted.`}
            confirmLabel="Delete destination"
            ariaLabel={`Delete ${destination.name}`}
            buttonProps={{ size: 'xs' }}
            onConfirm={async () => {
              await resources.destinations.remove(destination.id);
              await refresh();
            }}
          >
            Delete
          </ConfirmButton>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** The destinations of the chosen environment: add with a preset, enable or disable, delete. */
export default function DestinationsPage() {
  const { environment } = useEnvironment();
  const resources = useResources();
  const session = useSession();
  const editable = can.manageDestinations(session?.user.role ?? 'dj');
  const destinations = useQuery({ queryKey: queryKeys.destinations(environment), queryFn: () => resources.destinations.list(environment) });
  const [adding, setAdding] = useState(false);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>
          Destinations <Badge color={environment === 'test' ? 'yellow' : 'red'}>{environment === 'live' ? 'Live' : 'Test'}</Badge>
        </Title>
        {editable && !adding && <Button onClick={() => setAdding(true)}>Add destination</Button>}
      </Group>
      {adding && <AddDestinationForm key={environment} environment={environment} onDone={() => setAdding(false)} />}
      <ErrorAlert error={destinations.error} />
      {destinations.data?.length === 0 && <Text c="dimmed">No destination in this environment yet.</Text>}
      {destinations.data && destinations.data.length > 0 && (
        <DataTable minWidth={520} headers={['Name', 'Server URL', 'Enabled', <VisuallyHidden>Actions</VisuallyHidden>]}>
          {destinations.data.map((destination) => (
            <DestinationRow key={destination.id} destination={destination} editable={editable} />
          ))}
        </DataTable>
      )}
    </Stack>
  );
}
