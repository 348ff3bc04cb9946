import { Alert, Code, List, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { DjView, Environment } from '@streamcaster/contracts';
import { CopyField } from '../shell/widgets';

/** OBS's settings for a DJ: what goes in "Server" and in "Stream Key", and the output to use. */
export function ObsSettings() {
  return (
    <List size="sm" spacing={2}>
      <List.Item>
        OBS → Settings → Stream: Service <Code>Custom…</Code>, Server and Stream Key as shown here.
      </List.Item>
      <List.Item>
        Output: H.264 (x264 or the GPU's), rate control <Code>CBR</Code> 4500–6000 kb/s, keyframe interval <Code>2 s</Code>; audio AAC 160 kb/s, 48 kHz.
      </List.Item>
      <List.Item>Video: 1920×1080 (or 1280×720) at 30 or 60 fps.</List.Item>
    </List>
  );
}

/**
 * Traktor's settings for a DJ (Preferences → Broadcasting), to copy: sound only, the picture is made
 * by the automated VJ. With `streamKey` (right after it was made) the password is shown too.
 */
export function TraktorSettings({ icecast, streamKey }: { icecast: DjView['icecast']; streamKey?: string }) {
  return (
    <Stack gap="xs" component="section" aria-label="Traktor settings">
      <Text size="sm" fw={600}>
        Traktor (sound only: the automated VJ makes the picture)
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <CopyField label="Address" value={icecast.host} />
        <CopyField label="Port" value={String(icecast.port)} />
        <CopyField label="Mount path (Live)" value={icecast.mounts.live} />
        <CopyField label="Mount path (Test)" value={icecast.mounts.test} />
      </SimpleGrid>
      <Text size="sm">
        Password: {streamKey ? <Code>{streamKey}</Code> : "the DJ's stream key"} · user <Code>{icecast.user}</Code> · format Ogg Vorbis (MP3, AAC and Opus work too).
        Track titles go on the picture and into the tracklist by themselves.
      </Text>
    </Stack>
  );
}

/** When nothing is on air: where a DJ points OBS, per environment. */
export function IngestHelp({ environment, djs }: { environment: Environment; djs: DjView[] | undefined }) {
  const server = djs?.[0]?.ingest[environment];
  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={2} size="h3">
          Nothing on air in {environment === 'live' ? 'Live' : 'Test'}
        </Title>
        <Text>A broadcast starts by itself as soon as a DJ streams to this server with their stream key.</Text>
        {server ? (
          <CopyField label="Server URL" value={server} description={`OBS's "Server" field for ${environment === 'live' ? 'Live' : 'Test'}`} />
        ) : (
          <Alert color="yellow">There is no DJ yet: add one on the DJs page to get the ingest URL and a stream key.</Alert>
        )}
        <Text size="sm">
          Stream key: the DJ's own key, shown once when the DJ was added (or after "Rotate key" on the DJs page). It goes in OBS's "Stream Key" field.
        </Text>
        <ObsSettings />
      </Stack>
    </Paper>
  );
}
