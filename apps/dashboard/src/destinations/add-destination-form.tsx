import { Alert, NativeSelect, Paper, PasswordInput, Stack, Switch, Text, TextInput } from '@mantine/core';
import {
  apiPlatformSchema,
  destinationCreateSchema,
  PLATFORM_RULES,
  type ApiPlatform,
  type Environment,
  type Platform,
  type PlatformAccountView,
  type PlatformPrivacy,
} from '@streamcaster/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { queryKeys } from '../api/resources';
import { useResources } from '../app-services';
import { useFormErrors } from '../forms/use-form-errors';
import { FormFooter } from '../shell/widgets';
import { DESTINATION_PRESETS, presetById } from './destination-presets';

const FIELDS = ['name', 'url', 'streamKey', 'environment', 'platform', 'accountId', 'privacy'] as const;
const API_PLATFORMS = apiPlatformSchema.options;
const PRIVACY: { value: PlatformPrivacy; label: string }[] = [
  { value: 'public', label: 'Public' },
  { value: 'unlisted', label: 'Unlisted (anyone with the link)' },
  { value: 'private', label: 'Private' },
];

const environmentName = (environment: Environment) => (environment === 'live' ? 'Live' : 'Test');

/** The accounts a destination of `platform` may stream as: those of its environment, usable ones first. */
function accountOptions(accounts: PlatformAccountView[], platform: ApiPlatform, environment: Environment) {
  const own = accounts.filter((account) => account.platform === platform && account.environment === environment);
  return own.map((account) => ({
    value: account.id,
    label: account.status === 'connected' ? account.displayName : `${account.displayName} (${account.status === 'choose-page' ? 'choose a page first' : 'needs reconnect'})`,
    // A Facebook login without a chosen page has nothing to stream to yet.
    disabled: account.status === 'choose-page',
  }));
}

/**
 * A new destination: a platform driven through its API (YouTube, Twitch, Facebook, Kick) streaming as
 * one of the accounts connected for this environment, or any RTMP(S) server with a key, with presets.
 */
export function AddDestinationForm({ environment, onDone }: { environment: Environment; onDone: () => void }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const accounts = useQuery({ queryKey: queryKeys.platformAccounts(environment), queryFn: () => resources.platformAccounts.list(environment) });
  const [platform, setPlatform] = useState<Platform>('youtube');
  const [presetId, setPresetId] = useState(DESTINATION_PRESETS[0]!.id);
  const preset = presetById(presetId);
  const [name, setName] = useState(PLATFORM_RULES.youtube.label);
  const [url, setUrl] = useState('');
  const [streamKey, setStreamKey] = useState('');
  const [chosenAccount, setChosenAccount] = useState<string | null>(null);
  const [privacy, setPrivacy] = useState<PlatformPrivacy>('public');
  const [enabled, setEnabled] = useState(true);
  const form = useFormErrors(FIELDS);

  const apiPlatform = platform === 'rtmp' ? null : platform;
  const options = apiPlatform ? accountOptions(accounts.data ?? [], apiPlatform, environment) : [];
  const firstUsable = options.find((option) => !option.disabled)?.value ?? '';
  const accountId = chosenAccount !== null && options.some((option) => option.value === chosenAccount) ? chosenAccount : firstUsable;
  const withPrivacy = apiPlatform !== null && PLATFORM_RULES[apiPlatform].hasPrivacy && environment === 'live';
  const leftOutOfTest = (candidate: Platform) => (environment === 'test' ? PLATFORM_RULES[candidate].noTestReason : null);

  function choosePlatform(next: Platform) {
    setPlatform(next);
    setChosenAccount(null);
    if (next === 'rtmp') {
      const first = presetById(presetId);
      setName(first.id === 'custom' ? '' : first.label);
      setUrl(first.url ?? '');
    } else {
      setName(PLATFORM_RULES[next].label);
    }
    form.reset();
  }

  function choosePreset(id: string) {
    const next = presetById(id);
    setPresetId(id);
    setName(next.id === 'custom' ? '' : next.label);
    setUrl(next.url ?? '');
    form.reset();
  }

  function body() {
    if (platform === 'rtmp') return { environment, platform, name, url, streamKey, enabled };
    return { environment, platform, name, accountId, enabled, ...(withPrivacy ? { privacy } : {}) };
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void form.submit(destinationCreateSchema, body(), async (value) => {
      await resources.destinations.create(value);
      await queryClient.invalidateQueries({ queryKey: queryKeys.destinations(environment) });
      onDone();
    });
  }

  const platformOptions = [
    ...API_PLATFORMS.map((candidate) => ({
      value: candidate,
      label: leftOutOfTest(candidate) ? `${PLATFORM_RULES[candidate].label} (not in Test)` : PLATFORM_RULES[candidate].label,
      disabled: leftOutOfTest(candidate) !== null,
    })),
    { value: 'rtmp', label: PLATFORM_RULES.rtmp.label },
  ];
  const testExclusions = API_PLATFORMS.map(leftOutOfTest).filter((reason): reason is string => reason !== null);

  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} noValidate aria-label="Add destination">
      <Stack>
        <NativeSelect
          label="Platform"
          description={testExclusions.length > 0 ? `${testExclusions.join('. ')}.` : undefined}
          data={platformOptions}
          value={platform}
          onChange={(event) => choosePlatform(event.currentTarget.value as Platform)}
          error={form.field('platform')}
        />
        {apiPlatform ? (
          <>
            {accounts.isPending ? (
              <Text size="sm" c="dimmed">
                Loading the connected accounts…
              </Text>
            ) : options.length === 0 ? (
              <Alert color="yellow" role="status">
                No {PLATFORM_RULES[apiPlatform].label} account is connected for {environmentName(environment)}: connect one under Platforms first.
              </Alert>
            ) : (
              <NativeSelect
                label="Account"
                description={`The ${PLATFORM_RULES[apiPlatform].label} account this destination streams as; ${PLATFORM_RULES[apiPlatform].label} hands out the ingest for every broadcast.`}
                data={options}
                value={accountId}
                onChange={(event) => setChosenAccount(event.currentTarget.value)}
                error={form.field('accountId')}
              />
            )}
            {withPrivacy && (
              <NativeSelect
                label="Privacy"
                description="Who may watch the broadcasts on YouTube."
                data={PRIVACY}
                value={privacy}
                onChange={(event) => setPrivacy(event.currentTarget.value as PlatformPrivacy)}
                error={form.field('privacy')}
              />
            )}
            {apiPlatform === 'youtube' && environment === 'test' && (
              <Text size="sm" c="dimmed">
                Test broadcasts are always private on YouTube, and never go beyond its testing state.
              </Text>
            )}
            <TextInput label="Name" value={name} onChange={(event) => setName(event.currentTarget.value)} error={form.field('name')} />
          </>
        ) : (
          <>
            <NativeSelect
              label="Preset"
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
          </>
        )}
        <Switch label="Enabled" checked={enabled} onChange={(event) => setEnabled(event.currentTarget.checked)} />
        <FormFooter formError={form.errors.form} busy={form.busy} submitLabel="Save destination" onCancel={onDone} disabled={apiPlatform !== null && accountId === ''} />
      </Stack>
    </Paper>
  );
}
