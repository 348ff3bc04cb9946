import { Badge, Card, Group, Text } from '@mantine/core';
import type { BroadcastView, RelayStats } from '@streamcaster/contracts';
import { Sparkline } from '../charts/sparkline';
import { formatBitrate, formatDuration, formatUptime } from '../format/format';
import { destinationStateColor, destinationStateWord } from './destination-state';

type DestinationView = BroadcastView['destinations'][number];

/**
 * One destination of a running broadcast: a region named after it, its state as one word (with a
 * colour beside it, never instead), bitrate and its last minute, reconnects, uptime, last error.
 * Every name and message is rendered as text.
 */
export function DestinationCard({
  destination,
  relay,
  recent,
  now,
}: {
  destination: DestinationView;
  relay?: RelayStats;
  recent: readonly number[];
  now: number;
}) {
  // The broadcast's view carries state changes at once; the 1 Hz stats add the figures.
  const word = destinationStateWord(destination.state);
  const color = destinationStateColor(word);
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
      <Text size="xs" c="dimmed">
        {destination.platform.toUpperCase()}
      </Text>
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
