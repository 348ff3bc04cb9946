import { Alert } from '@mantine/core';
import { apiPlatformSchema, environmentSchema, PLATFORM_RULES, platformConnectOutcomeSchema, type Environment, type PlatformConnectOutcome } from '@streamcaster/contracts';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useEnvironment } from '../shell/environment';

/** What the gateway's OAuth callback reported, read from the query it redirected to. */
export interface ConnectOutcomeNotice {
  outcome: PlatformConnectOutcome;
  title: string;
  message: string;
  environment: Environment | null;
}

// Anyone can craft a link with any message: it is shown as text, and never longer than a sentence or two.
const MAX_MESSAGE_LENGTH = 500;

const TITLES: Record<PlatformConnectOutcome, (label: string) => string> = {
  connected: (label) => `${label} connected`,
  'choose-page': (label) => `${label}: choose a page`,
  denied: (label) => `${label}: access not allowed`,
  'invalid-state': (label) => `${label}: this sign-in link is not valid`,
  failed: (label) => `${label}: not connected`,
};

export function readConnectOutcome(params: URLSearchParams): ConnectOutcomeNotice | null {
  const outcome = platformConnectOutcomeSchema.safeParse(params.get('connect'));
  if (!outcome.success) return null;
  const platform = apiPlatformSchema.safeParse(params.get('platform'));
  const environment = environmentSchema.safeParse(params.get('environment'));
  const label = platform.success ? PLATFORM_RULES[platform.data].label : 'Platform';
  return {
    outcome: outcome.data,
    title: TITLES[outcome.data](label),
    message: (params.get('message') ?? '').slice(0, MAX_MESSAGE_LENGTH),
    environment: environment.success ? environment.data : null,
  };
}

/**
 * The outcome of connecting an account, which the platform's redirect brings in the query: shown
 * once, the query taken out of the address (a reload or a bookmark does not show it again), and the
 * environment of the account chosen so that it is in view.
 */
export function useConnectOutcome() {
  const [params, setParams] = useSearchParams();
  const { environment, setEnvironment } = useEnvironment();
  const [notice, setNotice] = useState<ConnectOutcomeNotice | null>(() => readConnectOutcome(params));
  const hasQuery = params.has('connect');

  useEffect(() => {
    if (!hasQuery) return;
    setParams(new URLSearchParams(), { replace: true });
  }, [hasQuery, setParams]);
  useEffect(() => {
    if (notice?.environment && notice.environment !== environment) setEnvironment(notice.environment);
    // Only when the notice arrives: the crew may switch environments afterwards.
  }, [notice]);

  return { notice, dismiss: () => setNotice(null) };
}

const COLORS: Record<PlatformConnectOutcome, string> = {
  connected: 'green',
  // Not a failure: one more step is asked of the crew.
  'choose-page': 'yellow',
  denied: 'red',
  'invalid-state': 'red',
  failed: 'red',
};

export function ConnectOutcomeAlert({ notice, onClose }: { notice: ConnectOutcomeNotice; onClose: () => void }) {
  return (
    <Alert
      color={COLORS[notice.outcome]}
      title={notice.title}
      role={notice.outcome === 'connected' ? 'status' : 'alert'}
      data-outcome={notice.outcome}
      withCloseButton
      closeButtonLabel="Dismiss"
      onClose={onClose}
    >
      {notice.message}
    </Alert>
  );
}
