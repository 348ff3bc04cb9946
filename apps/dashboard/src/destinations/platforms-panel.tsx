import { Alert, Anchor, Badge, Button, Code, Group, NativeSelect, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ApiPlatform, Environment, PlatformAccountStatus, PlatformAccountView, PlatformSetupView } from '@streamcaster/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { queryKeys } from '../api/resources';
import { useResources, useSession } from '../app-services';
import { formatCount } from '../format/format';
import { errorMessage } from '../forms/use-form-errors';
import { browserLocation } from '../shell/browser-location';
import { can } from '../shell/navigation';
import { ConfirmButton, CopyField, ErrorAlert } from '../shell/widgets';

/** Where each platform's developer console takes the redirect URI. */
const REDIRECT_URI_HOME: Record<ApiPlatform, string> = {
  youtube: 'Google Cloud console → APIs & Services → Credentials → your OAuth client → Authorized redirect URIs',
  twitch: 'Twitch developer console → Applications → your application → OAuth Redirect URLs',
  facebook: 'Meta for Developers → your app → Facebook Login → Settings → Valid OAuth Redirect URIs',
  kick: 'Kick → Settings → Developer → your app → Redirect URL',
};

const STATUS: Record<PlatformAccountStatus, { word: string; color: string }> = {
  connected: { word: 'connected', color: 'green' },
  'needs-reconnect': { word: 'needs reconnect', color: 'red' },
  'choose-page': { word: 'choose a page', color: 'yellow' },
};

/** Starts the platform's sign-in and leaves for it; the platform sends the browser back to Destinations. */
function useConnect(platform: ApiPlatform, environment: Environment) {
  const resources = useResources();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function connect() {
    setBusy(true);
    setError(null);
    try {
      const { authorizeUrl } = await resources.platformAccounts.connect({ platform, environment });
      // Busy until the browser has left: a second click would start a second sign-in.
      browserLocation.assign(authorizeUrl);
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  }
  return { connect: () => void connect(), busy, error };
}

function NotConfigured({ setup }: { setup: PlatformSetupView }) {
  return (
    <Stack gap="xs">
      <Text size="sm">
        Not configured. Set{' '}
        {setup.missing.map((variable, index) => (
          <span key={variable}>
            {index > 0 && (index === setup.missing.length - 1 ? ' and ' : ', ')}
            <Code>{variable}</Code>
          </span>
        ))}{' '}
        in the publisher's environment (see <Code>.env.example</Code>) and restart it.
      </Text>
      <CopyField label={`${setup.label} redirect URI`} value={setup.redirectUri} description={`Register it in ${REDIRECT_URI_HOME[setup.platform]}.`} />
    </Stack>
  );
}

function PagePicker({ account, onChosen }: { account: PlatformAccountView; onChosen: () => Promise<unknown> }) {
  const resources = useResources();
  const [pageId, setPageId] = useState(account.pages[0]?.id ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function choose() {
    setBusy(true);
    setError(null);
    try {
      await resources.platformAccounts.choosePage(account.id, { pageId });
      await onChosen();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Group align="flex-end" gap="xs">
      <NativeSelect
        label="Facebook page"
        description="This login manages several pages: StreamCaster streams as the one chosen here."
        data={account.pages.map((page) => ({ value: page.id, label: page.name }))}
        value={pageId}
        onChange={(event) => setPageId(event.currentTarget.value)}
        error={error}
      />
      <Button size="sm" loading={busy} disabled={!pageId} onClick={() => void choose()}>
        Use this page
      </Button>
    </Group>
  );
}

function AccountItem({
  account,
  label,
  admin,
  onChanged,
  onRemoved,
}: {
  account: PlatformAccountView;
  label: string;
  admin: boolean;
  onChanged: () => Promise<unknown>;
  onRemoved: (message: string) => void;
}) {
  const resources = useResources();
  const reconnect = useConnect(account.platform, account.environment);
  const status = STATUS[account.status];
  return (
    <Paper withBorder p="sm" component="article" aria-label={`${label} account ${account.displayName}`}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" gap="xs">
          {account.channelUrl ? (
            <Anchor href={account.channelUrl} target="_blank" rel="noopener noreferrer" fw={600} style={{ overflowWrap: 'anywhere' }}>
              {account.displayName}
            </Anchor>
          ) : (
            <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
              {account.displayName}
            </Text>
          )}
          <Badge color={status.color} tt="none" variant="light">
            {status.word}
          </Badge>
        </Group>
        {account.status === 'needs-reconnect' && (
          <Text size="sm" c="red.4">
            {account.statusReason ?? `${label} no longer accepts StreamCaster's sign-in.`} Its destinations cannot stream until it is reconnected.
          </Text>
        )}
        {account.quota && (
          <Text size="sm" c={account.quota.usedToday >= account.quota.dailyBudget ? 'red.4' : 'dimmed'}>
            {formatCount(account.quota.usedToday)} of {formatCount(account.quota.dailyBudget)} units used today
          </Text>
        )}
        {admin && account.status === 'choose-page' && <PagePicker account={account} onChosen={onChanged} />}
        {admin && (
          <Group gap="xs">
            {account.status === 'needs-reconnect' && (
              <Button size="xs" color="red" loading={reconnect.busy} onClick={reconnect.connect} aria-label={`Reconnect ${account.displayName}`}>
                Reconnect
              </Button>
            )}
            <ConfirmButton
              title={`Remove ${label} account?`}
              message={`${account.displayName} is removed from StreamCaster and its access is revoked at ${label} where ${label} allows it. Destinations that stream as it must be deleted first.`}
              confirmLabel="Remove account"
              ariaLabel={`Remove ${account.displayName}`}
              buttonProps={{ size: 'xs' }}
              onConfirm={async () => {
                const answer = await resources.platformAccounts.remove(account.id);
                onRemoved(answer.message);
                await onChanged();
              }}
            >
              Remove
            </ConfirmButton>
          </Group>
        )}
        {reconnect.error && (
          <Text size="sm" c="red" role="alert">
            {reconnect.error}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function PlatformSection({
  setup,
  environment,
  accounts,
  admin,
  onChanged,
  onRemoved,
}: {
  setup: PlatformSetupView;
  environment: Environment;
  accounts: PlatformAccountView[];
  admin: boolean;
  onChanged: () => Promise<unknown>;
  onRemoved: (message: string) => void;
}) {
  const connect = useConnect(setup.platform, environment);
  const leftOutOfTest = environment === 'test' ? setup.noTestReason : null;
  return (
    <Paper withBorder p="md" component="section" aria-label={setup.label}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>{setup.label}</Title>
          {!setup.configured && (
            <Badge color="gray" tt="none" variant="outline">
              not configured
            </Badge>
          )}
        </Group>
        {leftOutOfTest ? (
          <Text size="sm">{leftOutOfTest}.</Text>
        ) : !setup.configured ? (
          <NotConfigured setup={setup} />
        ) : accounts.length === 0 ? (
          <Text size="sm" c="dimmed">
            No {setup.label} account connected for {environment === 'live' ? 'Live' : 'Test'}.
          </Text>
        ) : null}
        {accounts.map((account) => (
          <AccountItem key={account.id} account={account} label={setup.label} admin={admin} onChanged={onChanged} onRemoved={onRemoved} />
        ))}
        {admin && setup.configured && !leftOutOfTest && (
          <Group>
            <Button variant={accounts.length === 0 ? 'filled' : 'light'} loading={connect.busy} onClick={connect.connect}>
              {accounts.length === 0 ? `Connect ${setup.label}` : `Connect another ${setup.label} account`}
            </Button>
          </Group>
        )}
        {connect.error && (
          <Text size="sm" c="red" role="alert">
            {connect.error}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

/**
 * The platforms driven through their APIs, for one environment: what each still needs to be set up,
 * the accounts connected (who they are, whether they still work, YouTube's quota), and Connect.
 */
export function PlatformsPanel({ environment }: { environment: Environment }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const session = useSession();
  const admin = can.connectPlatforms(session?.user.role ?? 'dj');
  const setups = useQuery({ queryKey: queryKeys.platforms, queryFn: () => resources.platforms.setups() });
  const accounts = useQuery({ queryKey: queryKeys.platformAccounts(environment), queryFn: () => resources.platformAccounts.list(environment) });
  const [removal, setRemoval] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.platformAccounts(environment) });

  return (
    <Stack component="section" aria-labelledby="platforms-heading" gap="sm">
      <Title order={3} id="platforms-heading">
        Platforms
      </Title>
      <Text size="sm" c="dimmed">
        Accounts connected for {environment === 'live' ? 'Live' : 'Test'}. A YouTube, Twitch, Facebook or Kick destination streams as one of them: the platform hands
        out its ingest, takes the broadcast's title and confirms that it receives.
      </Text>
      <ErrorAlert error={setups.error ?? accounts.error} />
      {removal && (
        <Alert color="blue" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setRemoval(null)}>
          {removal}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {setups.data?.map((setup) => (
          <PlatformSection
            key={setup.platform}
            setup={setup}
            environment={environment}
            accounts={(accounts.data ?? []).filter((account) => account.platform === setup.platform && account.environment === environment)}
            admin={admin}
            onChanged={refresh}
            onRemoved={setRemoval}
          />
        ))}
      </SimpleGrid>
    </Stack>
  );
}
