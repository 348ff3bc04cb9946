import { Anchor, Badge, Button, Group, Stack, Switch, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { PLATFORM_RULES, type DestinationView, type PlatformAccountView } from '@streamcaster/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { queryKeys } from '../api/resources';
import { useResources, useSession } from '../app-services';
import { errorMessage } from '../forms/use-form-errors';
import { useEnvironment } from '../shell/environment';
import { can } from '../shell/navigation';
import { ConfirmButton, DataTable, ErrorAlert } from '../shell/widgets';
import { AddDestinationForm } from './add-destination-form';
import { ConnectOutcomeAlert, useConnectOutcome } from './connect-outcome';
import { PlatformsPanel } from './platforms-panel';

/** Where a destination streams: an RTMP(S) server (its key never shown), or the account it streams as. */
function StreamsTo({ destination, accounts }: { destination: DestinationView; accounts: PlatformAccountView[] | undefined }) {
  if (destination.platform === 'rtmp') {
    return (
      <>
        <code>{destination.url}</code>
        <Text size="xs" c="dimmed">
          key ••••••••
        </Text>
      </>
    );
  }
  const label = PLATFORM_RULES[destination.platform].label;
  const account = accounts?.find((candidate) => candidate.id === destination.accountId);
  if (!accounts) return <Text c="dimmed">…</Text>;
  if (!account) {
    return (
      <Text size="sm" c="red.4">
        Its {label} account is no longer connected.
      </Text>
    );
  }
  return (
    <>
      {account.channelUrl ? (
        <Anchor href={account.channelUrl} target="_blank" rel="noopener noreferrer">
          {account.displayName}
        </Anchor>
      ) : (
        <Text span>{account.displayName}</Text>
      )}
      {account.status === 'needs-reconnect' && (
        <Text size="xs" c="red.4">
          Needs reconnect: {account.statusReason ?? `${label} no longer accepts its sign-in`}
        </Text>
      )}
      {destination.privacy && destination.environment === 'live' && (
        <Text size="xs" c="dimmed">
          {destination.privacy}
        </Text>
      )}
    </>
  );
}

function DestinationRow({ destination, accounts, editable }: { destination: DestinationView; accounts: PlatformAccountView[] | undefined; editable: boolean }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.destinations(destination.environment) });
  return (
    <Table.Tr>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>{destination.name}</Table.Td>
      <Table.Td>{PLATFORM_RULES[destination.platform].label}</Table.Td>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>
        <StreamsTo destination={destination} accounts={accounts} />
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
            message={
              destination.platform === 'rtmp'
                ? `${destination.name} will no longer receive broadcasts; its key is deleted.`
                : `${destination.name} will no longer receive broadcasts; its ${PLATFORM_RULES[destination.platform].label} account stays connected.`
            }
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

/**
 * The destinations of the chosen environment (add one for a connected account or an RTMP(S) server,
 * enable or disable, delete), the platform accounts they stream as, and the outcome of connecting one.
 */
export default function DestinationsPage() {
  const { environment } = useEnvironment();
  const resources = useResources();
  const session = useSession();
  const editable = can.manageDestinations(session?.user.role ?? 'dj');
  const connectOutcome = useConnectOutcome();
  const destinations = useQuery({ queryKey: queryKeys.destinations(environment), queryFn: () => resources.destinations.list(environment) });
  const accounts = useQuery({ queryKey: queryKeys.platformAccounts(environment), queryFn: () => resources.platformAccounts.list(environment) });
  const [adding, setAdding] = useState(false);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>
          Destinations <Badge color={environment === 'test' ? 'yellow' : 'red'}>{environment === 'live' ? 'Live' : 'Test'}</Badge>
        </Title>
        {editable && !adding && <Button onClick={() => setAdding(true)}>Add destination</Button>}
      </Group>
      {connectOutcome.notice && <ConnectOutcomeAlert notice={connectOutcome.notice} onClose={connectOutcome.dismiss} />}
      {adding && <AddDestinationForm key={environment} environment={environment} onDone={() => setAdding(false)} />}
      <ErrorAlert error={destinations.error} />
      {destinations.data?.length === 0 && <Text c="dimmed">No destination in this environment yet.</Text>}
      {destinations.data && destinations.data.length > 0 && (
        <DataTable minWidth={640} headers={['Name', 'Platform', 'Streams to', 'Enabled', <VisuallyHidden>Actions</VisuallyHidden>]}>
          {destinations.data.map((destination) => (
            <DestinationRow key={destination.id} destination={destination} accounts={accounts.data} editable={editable} />
          ))}
        </DataTable>
      )}
      <PlatformsPanel environment={environment} />
    </Stack>
  );
}
