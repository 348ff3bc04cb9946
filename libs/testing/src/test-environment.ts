import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A private corner of the machine's real backbone for one test run: its own PostgreSQL database,
 * NATS subject prefix, BullMQ key prefix and data directory, removed again by `dispose()`.
 */
export interface TestEnvironment {
  id: string;
  databaseUrl: string;
  natsUrl: string;
  redisUrl: string;
  subjectPrefix: string;
  queuePrefix: string;
  dataDir: string;
  /** Variables a service process needs to run in this environment. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

const POSTGRES = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestEnvironment(label: string): Promise<TestEnvironment> {
  const id = `${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}${randomBytes(4).toString('hex')}`;
  const database = `sc_test_${id}`;
  await admin((client) => client.query(`CREATE DATABASE "${database}"`));
  const databaseUrl = new URL(POSTGRES);
  databaseUrl.pathname = `/${database}`;
  const dataDir = mkdtempSync(join(tmpdir(), `streamcaster-${id}-`));
  // Unprivileged workers (nginx's) must be able to reach what tests put below it.
  chmodSync(dataDir, 0o755);
  const environment = {
    id,
    databaseUrl: databaseUrl.toString(),
    natsUrl: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
    redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    subjectPrefix: `${id}.`,
    queuePrefix: `sc-${id}`,
    dataDir,
  };
  return {
    ...environment,
    env: {
      DATABASE_URL: environment.databaseUrl,
      NATS_URL: environment.natsUrl,
      REDIS_URL: environment.redisUrl,
      NATS_SUBJECT_PREFIX: environment.subjectPrefix,
      QUEUE_PREFIX: environment.queuePrefix,
      STREAMCASTER_DATA_DIR: dataDir,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      STREAMCASTER_SECRET_KEY: randomBytes(32).toString('base64'),
      INGEST_HOOKS_SECRET: randomBytes(24).toString('base64url'),
      // Any free port: test runs and their services never fight over the default metrics ports.
      METRICS_PORT: '0',
    },
    async dispose() {
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
      await deleteJetStream(environment.natsUrl, environment.subjectPrefix);
      await deleteRedisKeys(environment.redisUrl, `${environment.queuePrefix}:*`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function deleteRedisKeys(redisUrl: string, pattern: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The run's JetStream stream (and with it its consumers), named after its subject prefix. */
async function deleteJetStream(natsUrl: string, subjectPrefix: string): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const { LIFECYCLE_STREAM } = await import('@streamcaster/contracts');
  const { natsConnectionOptions } = await import('@streamcaster/service-kit');
  const nats = await connect(natsConnectionOptions({ natsUrl }, 'test-environment'));
  try {
    await (await jetstreamManager(nats)).streams.delete(LIFECYCLE_STREAM.name(subjectPrefix));
  } catch {
    // never created (a test that booted no service), or already gone
  } finally {
    await nats.close();
  }
}
