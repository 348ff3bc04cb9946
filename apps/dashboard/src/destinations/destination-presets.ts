/**
 * RTMP(S) destinations: the platforms without an API that StreamCaster drives, and any server. A
 * preset fills the URL only where the platform keeps one ingest for everybody; where it hands out a
 * URL per stream (TikTok) or per region (X), the field stays empty and the hint says where to copy
 * it from. YouTube, Twitch, Facebook and Kick are not here: they are destinations of their own,
 * streamed through a connected account (the platform hands out its ingest and confirms it receives).
 */
export interface DestinationPreset {
  id: string;
  label: string;
  /** The ingest URL that fills "Server URL"; null when it must be copied from the platform each time. */
  url: string | null;
  placeholder: string;
  /** Where the stream key (and a changing URL) comes from. */
  hint: string;
}

export const DESTINATION_PRESETS: readonly DestinationPreset[] = [
  {
    id: 'instagram',
    label: 'Instagram',
    // Meta's Instagram ingest (RTMPS only, port 443), the one restreaming services and encoders use.
    url: 'rtmps://live-upload.instagram.com:443/rtmp/',
    placeholder: 'rtmps://live-upload.instagram.com:443/rtmp/',
    hint: 'Instagram on the web → Create → Live video → Streaming software: copy the stream key (it changes for every live). If Instagram shows another server URL, paste it here.',
  },
  {
    id: 'tiktok',
    label: 'TikTok',
    url: null,
    placeholder: 'rtmp://push-rtmp-….tiktokcdn.com/game/',
    hint: 'TikTok LIVE Studio or LIVE Center → Stream with a streaming software: copy the server URL and the stream key; TikTok gives both for each live.',
  },
  {
    id: 'x',
    label: 'X',
    url: null,
    placeholder: 'rtmps://va.pscp.tv:443/x/',
    hint: 'X Media Studio → Producer → Sources: create a source and copy its RTMPS URL (it names the region you chose) and its stream key.',
  },
  { id: 'custom', label: 'Custom RTMP/RTMPS', url: null, placeholder: 'rtmps://live.example.com:443/app', hint: 'Any RTMP or RTMPS server: its URL and stream key.' },
];

export function presetById(id: string): DestinationPreset {
  return DESTINATION_PRESETS.find((preset) => preset.id === id) ?? DESTINATION_PRESETS[DESTINATION_PRESETS.length - 1]!;
}
