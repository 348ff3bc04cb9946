import { AppShell, Badge, Box, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { Environment } from '@streamcaster/contracts';
import type { KeyboardEvent } from 'react';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { useLiveStatus, useServices, useSession } from '../app-services';
import { useEnvironment } from './environment';
import { pagesFor } from './navigation';

const ENVIRONMENTS: { value: Environment; label: string }[] = [
  { value: 'live', label: 'Live' },
  { value: 'test', label: 'Test' },
];

/**
 * The Live/Test switch: a radio group named "Environment" whose radios "Live" and "Test" are real,
 * visible buttons (a browser automation can click or check them; arrows move between them).
 */
export function EnvironmentSwitch() {
  const { environment, setEnvironment } = useEnvironment();
  const choose = (value: Environment, focus: boolean, group?: HTMLElement | null) => {
    setEnvironment(value);
    if (focus) group?.querySelector<HTMLButtonElement>(`[data-value="${value}"]`)?.focus();
  };
  return (
    <Group
      gap={4}
      wrap="nowrap"
      role="radiogroup"
      aria-label="Environment"
      onKeyDown={(event: KeyboardEvent<HTMLDivElement>) => {
        if (!['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(event.key)) return;
        event.preventDefault();
        choose(environment === 'live' ? 'test' : 'live', true, event.currentTarget);
      }}
    >
      {ENVIRONMENTS.map(({ value, label }) => {
        const checked = environment === value;
        return (
          <Button
            key={value}
            role="radio"
            aria-checked={checked}
            data-value={value}
            tabIndex={checked ? 0 : -1}
            size="xs"
            variant={checked ? 'filled' : 'default'}
            color={value === 'test' ? 'yellow' : 'red'}
            c={checked && value === 'test' ? 'dark.9' : undefined}
            onClick={() => choose(value, false)}
          >
            {label}
          </Button>
        );
      })}
    </Group>
  );
}

/** Stands on every page while Test is chosen, so nobody mistakes a rehearsal for the real thing. */
export function TestBanner() {
  const { environment } = useEnvironment();
  if (environment !== 'test') return null;
  return (
    <Box role="status" bg="yellow.5" c="dark.9" px="md" py={4} style={{ textAlign: 'center' }}>
      <Text fw={800} span>
        TEST
      </Text>{' '}
      <Text span size="sm">
        — Test environment: broadcasts and destinations here never reach the public.
      </Text>
    </Box>
  );
}

// Not the destination state words ("connecting", "reconnecting"): those belong to the cards alone.
const LIVE_STATUS_TEXT = { open: 'Live updates', connecting: 'Joining', reconnecting: 'Updates paused', 'signed-out': 'Offline', stopped: 'Offline' } as const;

export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure();
  const session = useSession();
  const { api } = useServices();
  const liveStatus = useLiveStatus();
  const location = useLocation();
  if (!session) return null;
  const pages = pagesFor(session.user.role);
  const isActive = (path: string) => (path === '/' ? location.pathname === '/' : location.pathname.startsWith(path));

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <Title order={1} size="h4" visibleFrom="xs">
              StreamCaster
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <EnvironmentSwitch />
            <Badge
              variant="dot"
              color={liveStatus === 'open' ? 'green' : 'orange'}
              visibleFrom="sm"
              title="Live channel"
              tt="none"
              aria-label={`Live channel: ${LIVE_STATUS_TEXT[liveStatus]}`}
            >
              {LIVE_STATUS_TEXT[liveStatus]}
            </Badge>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <AppShell.Section grow component="nav" aria-label="Pages">
          {pages.map((page) => (
            <NavLink key={page.path} component={Link} to={page.path} label={page.label} active={isActive(page.path)} onClick={close} />
          ))}
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" c="dimmed" truncate>
            {session.user.email} ({session.user.role})
          </Text>
          <Button variant="subtle" size="xs" fullWidth mt={4} onClick={() => void api.logout()}>
            Sign out
          </Button>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Box mx="calc(var(--mantine-spacing-md) * -1)" mt="calc(var(--mantine-spacing-md) * -1)" mb="md">
          <TestBanner />
        </Box>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
