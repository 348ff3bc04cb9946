import { z } from 'zod';
import { commonConfigFields, databaseUrlField, metricsConfigFields, field, loadConfig, url, type ConfigValues } from '@streamcaster/service-kit';

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const transcoderConfigFields = {
  ...commonConfigFields,
  databaseUrl: databaseUrlField,
  ...metricsConfigFields(9466),
  rtmpInternalUrl: field('RTMP_INTERNAL_URL', url(['rtmp'], 'rtmp://127.0.0.1:1935'), 'nginx-rtmp as reached from inside (DJ input, program output)'),
  icecastInternalUrl: field('ICECAST_INTERNAL_URL', url(['http'], 'http://127.0.0.1:8000'), 'Icecast as reached from inside (audio-only DJs from Traktor)'),
  icecastReaderPassword: field(
    'ICECAST_READER_PASSWORD',
    z.string().min(16, 'must be at least 16 characters').optional(),
    'password of the Icecast listener "streamcaster" that reads audio-only DJs (the gateway lets only it in)',
    true,
  ),
  encoder: field(
    'TRANSCODER_ENCODER',
    z.enum(['auto', 'nvenc', 'vaapi', 'qsv', 'libx264']).default('auto'),
    'encoder: auto probes NVENC, then VAAPI, then QSV, then libx264; a name forces it',
  ),
  width: field('TRANSCODER_WIDTH', positiveInt(1920, 7680), 'program width in pixels'),
  height: field('TRANSCODER_HEIGHT', positiveInt(1080, 4320), 'program height in pixels'),
  fps: field('TRANSCODER_FPS', positiveInt(30, 120), 'program frame rate'),
  videoBitrateKbps: field('TRANSCODER_VIDEO_BITRATE_KBPS', positiveInt(6000, 100_000), 'program video bitrate (CBR)'),
  audioBitrateKbps: field('TRANSCODER_AUDIO_BITRATE_KBPS', positiveInt(160, 512), 'program AAC bitrate'),
  keyframeSeconds: field('TRANSCODER_KEYFRAME_SECONDS', positiveInt(2, 10), 'keyframe interval; platforms ask for 2 s'),
  x264Preset: field(
    'TRANSCODER_X264_PRESET',
    z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('veryfast'),
    'libx264 speed/quality preset',
  ),
  concurrency: field('TRANSCODER_CONCURRENCY', positiveInt(2, 64), 'broadcasts one worker encodes at once'),
  fontFile: field(
    'TRANSCODER_FONT_FILE',
    z.string().min(1).default('/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'),
    'font of the DJ name on the picture',
  ),
  stallMs: field(
    'TRANSCODER_STALL_MS',
    z.coerce.number().int().min(100).max(10_000).default(500),
    "the DJ's picture silent this long puts the slate on the program",
  ),
  vjScene: field(
    'TRANSCODER_VJ_SCENE',
    z.enum(['auto', 'spectrum', 'scope', 'histogram']).default('auto'),
    "the automated VJ's scene for sound-only DJs: auto probes them at worker start and takes the first the machine sustains",
  ),
  vjMaxCores: field(
    'TRANSCODER_VJ_MAX_CORES',
    z.coerce.number().min(0.1).max(64).default(1.3),
    'most CPU cores a VJ scene (with its encode) may take at real time for auto to choose it',
  ),
  slateAudioFile: field('TRANSCODER_SLATE_AUDIO_FILE', z.string().min(1).optional(), 'audio looped under the slate (silence when unset)'),
  vaapiDevice: field('TRANSCODER_VAAPI_DEVICE', z.string().min(1).default('/dev/dri/renderD128'), 'DRM render node for VAAPI'),
  ffmpegPath: field('FFMPEG_PATH', z.string().min(1).default('ffmpeg'), 'ffmpeg binary'),
};

export type TranscoderConfigValues = ConfigValues<typeof transcoderConfigFields>;

export abstract class TranscoderConfig {}
export interface TranscoderConfig extends TranscoderConfigValues {}

export function loadTranscoderConfig(env: NodeJS.ProcessEnv): TranscoderConfig {
  return loadConfig('transcoder', transcoderConfigFields, env);
}
