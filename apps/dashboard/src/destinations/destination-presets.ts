/**
 * Where each platform takes RTMP(S). Those with one fixed ingest fill the URL; Instagram, TikTok and
 * X hand out a URL per stream, so their preset names the destination and says where to copy it from.
 */
export interface DestinationPreset {
  id: string;
  label: string;
  /** The fixed ingest URL, or null when it changes per stream. */
  url: string | null;
  placeholder: string;
  /** Where the stream key (and a changing URL) comes from. */
  hint: string;
}

export const DESTINATION_PRESETS: readonly DestinationPreset[] = [
  { id: 'youtube', label: 'YouTube', url: 'rtmps://a.rtmp.youtube.com/live2', placeholder: '', hint: 'YouTube Studio → Go live → Stream: copy the stream key.' },
  { id: 'twitch', label: 'Twitch', url: 'rtmps://ingest.global-contribute.live-video.net/app', placeholder: '', hint: 'Twitch Creator Dashboard → Settings → Stream: copy the primary stream key.' },
  { id: 'facebook', label: 'Facebook', url: 'rtmps://live-api-s.facebook.com:443/rtmp/', placeholder: '', hint: 'Facebook Live Producer → Streaming software: copy the stream key.' },
  { id: 'kick', label: 'Kick', url: 'rtmps://fa723fc1b171.global-contribute.live-video.net/app', placeholder: '', hint: 'Kick Dashboard → Settings → Stream URL & Key: copy the stream key.' },
  {
    id: 'instagram',
    label: 'Instagram',
    url: null,
    placeholder: 'rtmps://edgetee-upload-….facebook.com:443/rtmp/',
    hint: 'Instagram on the web → Create → Live video: copy the stream URL and the stream key; both change for every live.',
  },
  {
    id: 'tiktok',
    label: 'TikTok',
    url: null,
    placeholder: 'rtmp://push-rtmp-….tiktokcdn.com/game/',
    hint: 'TikTok LIVE Studio or LIVE Center → Stream with a streaming software: copy the server URL and the stream key; they change per live.',
  },
  {
    id: 'x',
    label: 'X',
    url: null,
    placeholder: 'rtmps://….pscp.tv:443/x/',
    hint: 'X Media Studio → Producer → Sources: create a source and copy its RTMP(S) URL and stream key.',
  },
  { id: 'custom', label: 'Custom RTMP/RTMPS', url: null, placeholder: 'rtmps://live.example.com:443/app', hint: 'Any RTMP or RTMPS server: its URL and stream key.' },
];

export function presetById(id: string): DestinationPreset {
  return DESTINATION_PRESETS.find((preset) => preset.id === id) ?? DESTINATION_PRESETS[DESTINATION_PRESETS.length - 1]!;
}
