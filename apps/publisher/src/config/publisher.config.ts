import { z } from 'zod';
import { platformConfigFields } from './platform.config.js';
import { commonConfigFields, databaseUrlField, metricsConfigFields, field, loadConfig, milliseconds, url, type ConfigValues } from '@streamcaster/service-kit';

export const publisherConfigFields = {
  ...commonConfigFields,
  databaseUrl: databaseUrlField,
  ...metricsConfigFields(9465),
  secretKey: field(
    'STREAMCASTER_SECRET_KEY',
    z.string().refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 random bytes in base64 (openssl rand -base64 32)'),
    'AES-256-GCM key that encrypts platform stream keys at rest',
    true,
  ),
  rtmpInternalUrl: field('RTMP_INTERNAL_URL', url(['rtmp'], 'rtmp://127.0.0.1:1935'), 'nginx-rtmp as reached from inside (program streams)'),
  gracePeriodMs: field(
    'BROADCAST_GRACE_PERIOD_MS',
    milliseconds(30_000),
    'how long a broadcast waits for its DJ to come back before it ends',
  ),
  relayBackoffInitialMs: field('RELAY_BACKOFF_INITIAL_MS', milliseconds(1_000), 'first reconnect delay of a relay'),
  relayBackoffMaxMs: field('RELAY_BACKOFF_MAX_MS', milliseconds(30_000), 'longest reconnect delay of a relay'),
  ffmpegPath: field('FFMPEG_PATH', z.string().min(1).default('ffmpeg'), 'ffmpeg binary used by the relays'),
  ...platformConfigFields,
};

export type PublisherConfigValues = ConfigValues<typeof publisherConfigFields>;

export abstract class PublisherConfig {}
export interface PublisherConfig extends PublisherConfigValues {}

export function loadPublisherConfig(env: NodeJS.ProcessEnv): PublisherConfig {
  return loadConfig('publisher', publisherConfigFields, env);
}
