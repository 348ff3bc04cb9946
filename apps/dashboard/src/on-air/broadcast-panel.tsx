import { Badge, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import {
  broadcastPatchSchema,
  broadcastViewSchema,
  PLATFORM_RULES,
  platformSchema,
  type BroadcastStats,
  type BroadcastView,
  type HostStats,
  type PlatformTextUpdate,
} from '@streamcaster/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { useResources, useSession } from '../app-services';
import { useBroadcastSeries } from '../charts/use-broadcast-series';
import { recentBitrates } from '../charts/stats-series';
import { DestinationCard } from '../destinations/destination-card';
import { formatBitrate, formatBytes, formatCount, formatDuration, formatFps, formatPercent, formatSpeed, formatUptime } from '../format/format';
import { useLiveTopic } from '../live/use-live-topic';
import { can } from '../shell/navigation';
import { ConfirmButton, Figure, useNow } from '../shell/widgets';
import { EditableText } from './editable-text';
import { NowPlaying } from './now-playing';
import { PlatformUpdateOutcomes } from './platform-update-outcomes';
import { PreviewPlayer } from './preview-player';
import { countsViewers, statsViewersOf, totalViewers } from './viewers';

const BroadcastCharts = lazy(() => import('../charts/broadcast-charts'));

const STATE_COLORS: Record<BroadcastView['state'], string> = {
  starting: 'blue',
  live: 'green',
  interrupted: 'orange',
  ending: 'gray',
  ended: 'gray',
  failed: 'red',
};

function patchProblem(patch: unknown): string | null {
  const parsed = broadcastPatchSchema.safeParse(patch);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'invalid');
}

/** One running broadcast, as it happens: its `broadcast:<id>` view and its `stats:<id>` figures. */
export function BroadcastPanel({ initial }: { initial: BroadcastView }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const session = useSession();
  const role = session?.user.role ?? 'dj';
  const now = useNow();
  const live = useLiveTopic(`broadcast:${initial.id}`, broadcastViewSchema);
  const broadcast = live.data ?? initial;
  const { series, stats, host } = useBroadcastSeries(broadcast.id, true, role !== 'dj');
  const nowSeconds = now / 1000;
  const [platformUpdates, setPlatformUpdates] = useState<PlatformTextUpdate[] | null>(null);

  async function save(patch: { title?: string; description?: string }) {
    const result = await resources.broadcasts.update(broadcast.id, patch);
    setPlatformUpdates(result.platformUpdates);
    await queryClient.invalidateQueries({ queryKey: ['broadcasts'] });
  }

  return (
    <Stack gap="md" component="article" aria-label={`Broadcast of ${broadcast.djName}`}>
      <Paper withBorder p="md">
        <Group justify="space-between" align="flex-start">
          <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
            <Group gap="xs">
              <Badge color={STATE_COLORS[broadcast.state]} tt="none" size="lg" aria-label={`Broadcast state ${broadcast.state}`}>
                {broadcast.state}
              </Badge>
              <Text size="sm" c="dimmed">
                on air for {formatUptime(broadcast.startedAt, now)}
              </Text>
            </Group>
            <Title order={2} size="h3" style={{ overflowWrap: 'anywhere' }}>
              {broadcast.djName}
            </Title>
            {countsViewers(broadcast) && <Viewers broadcast={broadcast} stats={stats} />}
          </Stack>
          {can.runBroadcasts(role) && (
            <ConfirmButton
              title="Stop the broadcast?"
              message={`This ends ${broadcast.djName}'s broadcast now, on every destination, without waiting for the DJ.`}
              confirmLabel="Stop broadcast"
              onConfirm={async () => {
                await resources.broadcasts.stop(broadcast.id);
                await queryClient.invalidateQueries({ queryKey: ['broadcasts'] });
              }}
            >
              Stop
            </ConfirmButton>
          )}
        </Group>
        <Stack gap="sm" mt="md">
          <NowPlaying broadcast={broadcast} canSet={session !== null && can.setNowPlaying(session.user, broadcast)} />
          <EditableText label="Title" value={broadcast.title} canEdit={can.runBroadcasts(role)} validate={(title) => patchProblem({ title })} onSave={(title) => save({ title })} />
          <EditableText
            label="Description"
            value={broadcast.description}
            multiline
            canEdit={can.runBroadcasts(role)}
            validate={(description) => patchProblem({ description })}
            onSave={(description) => save({ description })}
          />
          {platformUpdates && <PlatformUpdateOutcomes updates={platformUpdates} onClose={() => setPlatformUpdates(null)} />}
        </Stack>
      </Paper>

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <PreviewPlayer broadcastId={broadcast.id} />
        <Figures stats={stats} host={host} />
      </SimpleGrid>

      <section aria-labelledby={`destinations-${broadcast.id}`}>
        <Title order={3} size="h4" mb="xs" id={`destinations-${broadcast.id}`}>
          Destinations
        </Title>
        {broadcast.destinations.length === 0 ? (
          <Text c="dimmed">No enabled destination in this environment: the broadcast is recorded only.</Text>
        ) : (
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            {broadcast.destinations.map((destination) => (
              <DestinationCard
                key={destination.id}
                destination={destination}
                relay={stats?.relays.find((relay) => relay.destinationId === destination.id)}
                viewers={statsViewersOf(stats, destination.id)}
                recent={recentBitrates(series, destination.id, nowSeconds)}
                now={now}
              />
            ))}
          </SimpleGrid>
        )}
      </section>

      <section aria-label="Charts">
        <Suspense fallback={<Skeleton h={200} />}>
          <BroadcastCharts series={series} destinations={broadcast.destinations} />
        </Suspense>
      </section>
    </Stack>
  );
}

/** Viewers on every platform together, and per platform when the stats service has counted them. */
function Viewers({ broadcast, stats }: { broadcast: BroadcastView; stats: BroadcastStats | null }) {
  const byPlatform = Object.entries(stats?.viewers?.byPlatform ?? {}).flatMap(([platform, viewers]) => {
    const known = platformSchema.safeParse(platform);
    return known.success ? [`${PLATFORM_RULES[known.data].label} ${formatCount(viewers)}`] : [];
  });
  return (
    <Group gap="xs" component="section" aria-label="Viewers">
      <Text size="sm" c="dimmed">
        Viewers
      </Text>
      <Text fw={700}>{formatCount(totalViewers(broadcast, stats))}</Text>
      {byPlatform.length > 0 && (
        <Text size="sm" c="dimmed">
          ({byPlatform.join(' · ')})
        </Text>
      )}
    </Group>
  );
}

/** Ingest, composer and recorder as the stats service last saw them. */
export function Figures({ stats, host }: { stats: BroadcastStats | null; host?: HostStats | null }) {
  const ingest = stats?.ingest;
  const composer = stats?.composer;
  const recorder = stats?.recorder;
  const resolution = ingest?.width && ingest.height ? `${ingest.width}×${ingest.height}` : '—';
  const audio = ingest?.audioCodec ? `${ingest.audioCodec}${ingest.audioSampleRate ? ` ${ingest.audioSampleRate / 1000} kHz` : ''}${ingest.audioChannels ? ` ${ingest.audioChannels} ch` : ''}` : '—';
  return (
    <Stack gap="sm">
      <FigureSection label="Ingest">
        <Figure label="Video">{ingest?.videoCodec ?? '—'}</Figure>
        <Figure label="Resolution">{resolution}</Figure>
        <Figure label="Frame rate">{formatFps(ingest?.fps)}</Figure>
        <Figure label="Bitrate">{formatBitrate(ingest?.bitrateKbps)}</Figure>
        <Figure label="Audio">{audio}</Figure>
      </FigureSection>
      <FigureSection label="Composer">
        <Figure label="Encoder">{composer?.encoder ?? '—'}</Figure>
        <Figure label="Frame rate">{formatFps(composer?.fps)}</Figure>
        <Figure label="Speed">{formatSpeed(composer?.speed)}</Figure>
        <Figure label="Dropped frames">{composer?.droppedFrames ?? '—'}</Figure>
        <Figure label="Duplicated frames">{composer?.duplicatedFrames ?? '—'}</Figure>
        <Figure label="Host CPU">{formatPercent(host?.cpuPercent)}</Figure>
      </FigureSection>
      <FigureSection label="Recorder">
        <Figure label="State">{recorder?.state ?? '—'}</Figure>
        <Figure label="Size">{formatBytes(recorder?.sizeBytes)}</Figure>
        <Figure label="Duration">{formatDuration(recorder?.durationSeconds)}</Figure>
      </FigureSection>
    </Stack>
  );
}

function FigureSection({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Paper withBorder p="sm" component="section" aria-label={label}>
      <Text fw={600} size="sm" mb={4}>
        {label}
      </Text>
      <SimpleGrid cols={{ base: 2, xs: 3 }} component="dl" m={0} spacing="xs">
        {children}
      </SimpleGrid>
    </Paper>
  );
}
