import { AppShell, Badge, Box, Burger, Button, Group, NavLink, SegmentedControl, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { Environment } from '@streamcaster/contracts';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { useLiveStatus, useServices, useSession } from '../app-services';
import { useEnvironment } from './environment';
import { pagesFor } from './navigation';

/** The Live/Test switch: a radio group named "Environment" with radios "Live" and "Test". */
export function EnvironmentSwitch() {
  const { environment, setEnvironment } = useEnvironment();
  return (
    <SegmentedControl
      aria-label="Environment"
      size="xs"
      value={environment}
      onChange={(value) => setEnvironment(value as Environment)}
      data={[
        { value: 'live', label: 'Live' },
        { value: 'test', label: 'Test' },
      ]}
      color={environment === 'test' ? 'yellow' : 'red'}
    />
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

const LIVE_STATUS_TEXT = { open: 'connected', connecting: 'connecting', reconnecting: 'reconnecting', 'signed-out': 'signed out', stopped: 'off' } as const;

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
              aria-label={`Live channel ${LIVE_STATUS_TEXT[liveStatus]}`}
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
