import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { IngestStarted, IngestStopped, type Environment } from '@streamcaster/contracts';
import { SupervisedProcess } from '@streamcaster/supervisor';
import { freePort, type LifecyclePublisher, type TestEnvironment } from '@streamcaster/testing';

export interface Dj {
  id: string;
  name: string;
  /** The DJ's Icecast mount name (`/live/<slug>`). */
  slug: string;
}

/**
 * The gateway's side of a DJ, for the publisher's integration tests: the DJ and its ingest sessions
 * as rows of the gateway's tables (the publisher's reconciler asks the gateway about them), and the
 * `ingest.started` / `ingest.stopped` events the gateway's outbox would publish.
 */
export class DjSessions {
  constructor(
    private readonly database: pg.Client,
    private readonly gatewayEvents: LifecyclePublisher,
  ) {}

  async newDj(name: string): Promise<Dj> {
    const fullName = `${name} ${randomUUID().slice(0, 6)}`;
    // The gateway's slug (the DJ's Icecast mount): unique, like the random name.
    const slug = fullName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const rows = await this.database.query<{ id: string }>(`INSERT INTO gateway.djs (name, slug, stream_key_hash, key_rotated_at) VALUES ($1, $2, $3, now()) RETURNING id`, [
      fullName,
      slug,
      randomBytes(32).toString('hex'),
    ]);
    return { id: rows.rows[0]!.id, name: fullName, slug };
  }

  /** nginx-rtmp accepted the DJ's key: the gateway opens the DJ's session (a row of its own). */
  async openSession(dj: Dj, environment: Environment, startedAt = 'now()', protocol: 'rtmp' | 'icecast' = 'rtmp'): Promise<string> {
    const rows = await this.database.query<{ id: string }>(
      `INSERT INTO gateway.ingest_sessions (dj_id, environment, client_id, remote_address, started_at, protocol) VALUES ($1, $2, $3, '192.0.2.10', ${startedAt}, $4) RETURNING id`,
      [dj.id, environment, String(Math.floor(Math.random() * 1e6)), protocol],
    );
    return rows.rows[0]!.id;
  }

  async closeSession(ingestId: string): Promise<void> {
    await this.database.query(`UPDATE gateway.ingest_sessions SET ended_at = now() WHERE id = $1`, [ingestId]);
  }

  /**
   * What the gateway does when nginx-rtmp accepted the DJ's stream key (or, `through: 'icecast'`,
   * when Icecast added the DJ's mount): a session, then ingest.started.
   */
  async starts(dj: Dj, environment: Environment, options: { startedAt?: string; correlationId?: string; through?: 'rtmp' | 'icecast' } = {}): Promise<string> {
    const through = options.through ?? 'rtmp';
    const ingestId = await this.openSession(dj, environment, 'now()', through);
    const stream = through === 'icecast' ? { app: environment, streamName: dj.slug, protocol: 'icecast' as const } : { app: environment, streamName: dj.id };
    await this.gatewayEvents.publish(
      IngestStarted,
      { ingestId, environment, djId: dj.id, djName: dj.name, stream, startedAt: options.startedAt ?? new Date().toISOString() },
      options.correlationId,
    );
    return ingestId;
  }

  async stops(dj: Dj, environment: Environment, ingestId: string): Promise<void> {
    await this.closeSession(ingestId);
    await this.gatewayEvents.publish(IngestStopped, { ingestId, environment, djId: dj.id, stoppedAt: new Date().toISOString() });
  }
}

/**
 * The real gateway, compiled, as a process: the owner of the DJs' sessions, which the publisher's
 * reconciler asks about. nginx-rtmp's /stat is given as a closed port, so the gateway's own reconciler
 * closes no session: the sessions are exactly the rows the tests write.
 */
export async function startGatewayProcess(env: TestEnvironment): Promise<SupervisedProcess> {
  const closedPort = await freePort();
  const gateway = new SupervisedProcess({
    name: 'gateway',
    command: process.execPath,
    args: [fileURLToPath(new URL('../../gateway/src/main.js', import.meta.url))],
    env: {
      ...process.env,
      ...env.env,
      NO_COLOR: '1',
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(await freePort()),
      INGEST_HOOKS_PORT: String(await freePort()),
      RTMP_STAT_URL: `http://127.0.0.1:${closedPort}/stat`,
      STREAMCASTER_ADMIN_PASSWORD: 'a password nobody uses here',
    },
    restart: 'never',
    readiness: { kind: 'line', pattern: /gateway is ready/ },
    readyTimeoutMs: 60_000,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
  });
  await gateway.start();
  return gateway;
}
