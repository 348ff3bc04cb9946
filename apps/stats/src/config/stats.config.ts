import { z } from 'zod';
import { commonConfigFields, databaseUrlField, field, loadConfig, type ConfigValues } from '@streamcaster/service-kit';

export const statsConfigFields = {
  ...commonConfigFields,
  databaseUrl: databaseUrlField,
  rtmpStatUrl: field(
    'RTMP_STAT_URL',
    z.url().default('http://127.0.0.1:8089/stat'),
    'nginx-rtmp statistics, read once a second for the figures of every DJ\'s input',
  ),
  nvidiaSmiPath: field(
    'NVIDIA_SMI_PATH',
    z.string().min(1).default('nvidia-smi'),
    'nvidia-smi binary, asked for the GPU\'s use; where it is missing the stats have no GPU figures',
  ),
};

export type StatsConfigValues = ConfigValues<typeof statsConfigFields>;

export abstract class StatsConfig {}
export interface StatsConfig extends StatsConfigValues {}

export function loadStatsConfig(env: NodeJS.ProcessEnv): StatsConfig {
  return loadConfig('stats', statsConfigFields, env);
}
