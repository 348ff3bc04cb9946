import { z } from 'zod';
import { field, url } from './config-schema.js';

/** Variables that every backend service reads. */
export const commonConfigFields = {
  natsUrl: field('NATS_URL', url(['nats'], 'nats://127.0.0.1:4222'), 'NATS server of the bus'),
  subjectPrefix: field(
    'NATS_SUBJECT_PREFIX',
    z
      .string()
      .regex(/^([a-zA-Z0-9_-]+\.)?$/, 'must be empty or one token followed by a dot, e.g. "e2e-1234."')
      .default(''),
    'prefix put before every bus subject, so that test runs sharing one NATS server stay apart',
  ),
  redisUrl: field('REDIS_URL', url(['redis', 'rediss'], 'redis://127.0.0.1:6379'), 'Redis for BullMQ queues'),
  queuePrefix: field('QUEUE_PREFIX', z.string().min(1).default('streamcaster'), 'BullMQ key prefix in Redis'),
  dataDir: field(
    'STREAMCASTER_DATA_DIR',
    z.string().min(1).default('var/data'),
    'shared data volume: uploaded assets and recordings (the same path on every service)',
  ),
} as const;

export interface CommonConfig {
  readonly natsUrl: string;
  readonly subjectPrefix: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly dataDir: string;
}

/** Injection token under which every service also provides its config as CommonConfig. */
export const COMMON_CONFIG = Symbol('CommonConfig');

export const databaseUrlField = field(
  'DATABASE_URL',
  url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/streamcaster'),
  'PostgreSQL database; each service keeps its tables in a schema of its own',
  true,
);
