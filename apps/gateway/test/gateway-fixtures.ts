import { randomUUID } from 'node:crypto';
import { IngestStarted, type BroadcastView } from '@streamcaster/contracts';
import { freePort, type LifecyclePublisher, type TestEnvironment, waitFor } from '@streamcaster/testing';
import { loadGatewayConfig, type GatewayConfig } from '../src/config/gateway.config.js';
import { callApi } from './api-client.js';

/**
 * A gateway's config in a test environment: its services, its own free ports on 127.0.0.1 (the API
 * and the ingest hooks), and the first admin; `overrides` last (undefined removes a variable).
 */
export async function testGatewayConfig(
  environment: TestEnvironment,
  admin: { email: string; password: string },
  overrides: Record<string, string | undefined> = {},
): Promise<GatewayConfig> {
  return loadGatewayConfig({
    ...environment.env,
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(await freePort()),
    INGEST_HOOKS_PORT: String(await freePort()),
    STREAMCASTER_ADMIN_EMAIL: admin.email,
    STREAMCASTER_ADMIN_PASSWORD: admin.password,
    ...overrides,
  });
}

/**
 * Each DJ goes on air as the gateway's outbox announces it (`ingest.started` onto JetStream, for the
 * publisher's durable consumer); returns the broadcasts the real publisher opens, in the DJs' order,
 * once the API at `base` lists them.
 */
export async function putOnAir(
  lifecycle: LifecyclePublisher,
  djs: ReadonlyArray<{ id: string; name: string }>,
  api: { base: string; token: string },
): Promise<BroadcastView[]> {
  for (const dj of djs) {
    await lifecycle.publish(IngestStarted, {
      ingestId: randomUUID(),
      environment: 'live',
      djId: dj.id,
      djName: dj.name,
      stream: { app: 'live', streamName: dj.id },
      startedAt: new Date().toISOString(),
    });
  }
  const broadcastOf = (djId: string) =>
    waitFor(`the broadcast of ${djId}`, async () => {
      const reply = await callApi(api.base, 'GET', '/api/broadcasts', { token: api.token });
      return reply.status === 200 ? (reply.body as BroadcastView[]).find((broadcast) => broadcast.djId === djId) : undefined;
    }, 30_000);
  return Promise.all(djs.map((dj) => broadcastOf(dj.id)));
}
