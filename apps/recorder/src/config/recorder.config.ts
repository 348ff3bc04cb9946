import { z } from 'zod';
import { commonConfigFields, databaseUrlField, metricsConfigFields, field, loadConfig, url, type ConfigValues } from '@streamcaster/service-kit';

export const recorderConfigFields = {
  ...commonConfigFields,
  databaseUrl: databaseUrlField,
  ...metricsConfigFields(9467),
  rtmpInternalUrl: field('RTMP_INTERNAL_URL', url(['rtmp'], 'rtmp://127.0.0.1:1935'), 'nginx-rtmp as reached from inside (program streams)'),
  segmentSeconds: field(
    'RECORDER_SEGMENT_SECONDS',
    z.coerce.number().int().min(2).max(600).default(6),
    'length of a recording segment: the most a crash of the recorder can lose',
  ),
  ffmpegPath: field('FFMPEG_PATH', z.string().min(1).default('ffmpeg'), 'ffmpeg binary'),
  ffprobePath: field('FFPROBE_PATH', z.string().min(1).default('ffprobe'), 'ffprobe binary'),
};

export type RecorderConfigValues = ConfigValues<typeof recorderConfigFields>;

export abstract class RecorderConfig {}
export interface RecorderConfig extends RecorderConfigValues {}

export function loadRecorderConfig(env: NodeJS.ProcessEnv): RecorderConfig {
  return loadConfig('recorder', recorderConfigFields, env);
}
