import { Anchor, Badge, Card, Group, Text } from '@mantine/core';
import { isApiPlatform, PLATFORM_RULES, type BroadcastView, type RelayStats } from '@streamcaster/contracts';
import { Sparkline } from '../charts/sparkline';
import { formatBitrate, formatCount, formatDuration, formatUptime } from '../format/format';
import { destinationLook } from './destination-state';

type DestinationView = BroadcastView['destinations'][number];

/**
 * One destination of a running broadcast: a region named after it, the relay's state as one word
 * (with a colour beside it, never instead), and for a platform driven through its API the platform's
 * own state, whether it confirms that it receives (green only then), its reason when it refuses,
 * where the fans watch and how many do; bitrate and its last minute, reconnects, uptime, last error.
 * Every name and message is rendered as text.
 */
export function DestinationCard({
  destination,
  relay,
  viewers,
  recent,
  now,
}: {
  destination: DestinationView;
  relay?: RelayStats;
  /** The platform's latest count from the 1 Hz stats, fresher than the broadcast's view. */
  viewers?: number | null;
  recent: readonly number[];
  now: number;
}) {
  // The broadcast's view carries state changes at once; the 1 Hz stats add the figures.
  const look = destinationLook(destination);
  const { word, color } = look;
  const label = PLATFORM_RULES[destination.platform].label;
  const api = isApiPlatform(destination.platform);
  const viewerCount = viewers ?? destination.viewers;
  const bitrate = relay?.bitrateKbps ?? destination.bitrateKbps;
  const lastError = destination.lastError ?? relay?.lastError ?? null;
  return (
    <Card component="section" aria-label={destination.name} withBorder padding="sm" style={{ borderLeft: `4px solid var(--mantine-color-${color}-6)` }}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text fw={600} truncate title={destination.name}>
          {destination.name}
        </Text>
        <Badge color={color} tt="none" variant="filled" data-state={word}>
          {word}
        </Badge>
      </Group>
      <Group gap="xs" mt={4} wrap="wrap">
        {look.platformText ? (
          <Badge color={look.platformColor} tt="none" variant="light" data-platform-state={destination.platformState}>
            {look.platformText}
          </Badge>
        ) : (
          <Text size="xs" c="dimmed">
            {label}
          </Text>
        )}
        {destination.watchUrl && (
          <Anchor href={destination.watchUrl} target="_blank" rel="noopener noreferrer" size="sm">
            Watch on {label}
          </Anchor>
        )}
      </Group>
      {look.note && (
        <Text size="sm" c={`${color}.4`} mt={4}>
          {look.note}
        </Text>
      )}
      {destination.platformReason && (
        <Text size="sm" c={destination.platformState === 'error' ? 'red.3' : 'dimmed'} mt={4}>
          {destination.platformReason}
        </Text>
      )}
      <Group justify="space-between" mt="xs" wrap="nowrap">
        <div>
          <Text size="xs" c="dimmed">
            Bitrate
          </Text>
          <Text fw={600}>{formatBitrate(bitrate)}</Text>
        </div>
        <Sparkline values={recent} label={`Bitrate of ${destination.name} over the last minute`} color={`var(--mantine-color-${color}-4)`} />
      </Group>
      <Group mt="xs" gap="lg">
        <div>
          <Text size="xs" c="dimmed">
            Reconnects
          </Text>
          <Text>{relay?.reconnects ?? destination.reconnects}</Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            Uptime
          </Text>
          <Text>{destination.liveSince ? formatUptime(destination.liveSince, now) : formatDuration(relay?.uptimeSeconds)}</Text>
        </div>
        {api && (
          <div>
            <Text size="xs" c="dimmed">
              Viewers
            </Text>
            <Text>{formatCount(viewerCount)}</Text>
          </div>
        )}
      </Group>
      {lastError && (
        <Text size="sm" c="red.3" mt="xs">
          <Text span size="xs" c="dimmed">
            Last error:{' '}
          </Text>
          {lastError}
        </Text>
      )}
    </Card>
  );
}
