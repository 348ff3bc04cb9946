import { z } from 'zod';
import { field, url } from './config-schema.js';

/** NATS takes a user with a password (a password alone would be a token, which these servers do not use). */
function passwordHasUser(value: string): boolean {
  const parsed = URL.parse(value);
  return parsed !== null && (parsed.password === '' || parsed.username !== '');
}

/** Variables that every backend service reads. */
export const commonConfigFields = {
  // Credentials go into the URL, as they do for REDIS_URL and DATABASE_URL: one place per server, and
  // sensitive, so that a configuration error never prints the password.
  natsUrl: field(
    'NATS_URL',
    url(['nats'], 'nats://127.0.0.1:4222').refine(passwordHasUser, 'must be nats://host:port or nats://user:password@host:port'),
    'NATS server of the bus, with its user and password when it has them (nats://user:password@host:4222)',
    true,
  ),
  subjectPrefix: field(
    'NATS_SUBJECT_PREFIX',
    z
      .string()
      .regex(/^([a-zA-Z0-9_-]+\.)?$/, 'must be empty or one token followed by a dot, e.g. "e2e-1234."')
      .default(''),
    'prefix put before every bus subject, so that test runs sharing one NATS server stay apart',
  ),
  redisUrl: field(
    'REDIS_URL',
    url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
    'Redis for BullMQ queues, with its password when it has one (redis://:password@host:6379)',
    true,
  ),
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

/**
 * The Prometheus listener of a service (`GET /metrics`). Every service has a default port of its own,
 * so that all of them run side by side on one machine; 0 takes any free port (the tests).
 */
export const metricsConfigFields = (defaultPort: number) => ({
  metricsHost: field('METRICS_HOST', z.string().min(1).default('0.0.0.0'), 'address the Prometheus metrics listener (GET /metrics) binds to'),
  metricsPort: field(
    'METRICS_PORT',
    z.coerce.number().int().min(0).max(65_535).default(defaultPort),
    'port of the Prometheus metrics listener (GET /metrics); 0 takes any free port',
  ),
});
