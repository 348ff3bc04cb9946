import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Logger } from '@nestjs/common';
import { register } from 'prom-client';
import { WebSocket } from 'ws';
import {
  RelayStateChanged,
  StatsSnapshot,
  type BroadcastStats,
  type BroadcastView,
  type EventPayload,
  type HostStats,
  type LiveServerMessage,
} from '@streamcaster/contracts';
import { BusClient } from '@streamcaster/service-kit';
import { nginxRtmpProcess } from '@streamcaster/stack';
import { SupervisedProcess } from '@streamcaster/supervisor';
import { createTestEnvironment, freePort, LifecyclePublisher, publishAsDj, type TestEnvironment, waitFor } from '@streamcaster/testing';
import { startGateway, type RunningGateway } from '../src/bootstrap.js';
import { assertApiError, callApi, type ApiOptions, type ApiResponse } from './api-client.js';
import { putOnAir, testGatewayConfig } from './gateway-fixtures.js';

const ADMIN_EMAIL = 'live@club.example';
const ADMIN_PASSWORD = 'the live channel admin';
/** Gateway B's access tokens live this long: the expiry test waits for one to run out. */
const SHORT_TTL_SECONDS = 4;

let env: TestEnvironment;
/** Two replicas on one subject prefix, as in production; B hands out short-lived tokens and serves a dashboard. */
let gatewayA: RunningGateway;
let gatewayB: RunningGateway;
let baseA: string;
let baseB: string;
let hooksUrlA: string;
let dashboardDir: string;
let publisher: SupervisedProcess;
const publisherOutput: string[] = [];
let lifecycle: LifecyclePublisher;
let stats: BusClient;
let adminToken: string;
let djUserToken: string;
let djUserPassword: string;
let djUserEmail: string;
let broadcastA: BroadcastView;
let broadcastB: BroadcastView;
const clients: LiveClient[] = [];

const api = (method: string, path: string, options: ApiOptions & { base?: string } = {}): Promise<ApiResponse> => callApi(options.base ?? baseA, method, path, options);
const assertError = assertApiError;

async function login(email: string, password: string, base = baseA): Promise<string> {
  const reply = await api('POST', '/api/auth/login', { json: { email, password }, base });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return (reply.body as { accessToken: string }).accessToken;
}

/** A client of /api/live, as the dashboard is one (the `ws` package instead of the browser's WebSocket). */
class LiveClient {
  readonly messages: LiveServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (frame) => this.messages.push(JSON.parse(String(frame)) as LiveServerMessage));
    this.closed = new Promise((resolveClose) => socket.once('close', (code, reason) => resolveClose({ code, reason: reason.toString() })));
  }

  static async connect(base = baseA, path = '/api/live'): Promise<LiveClient> {
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}${path}`);
    // Attached at once: a refused upgrade is an error before any open.
    const opened = Promise.race([once(socket, 'open'), once(socket, 'error').then(([error]) => Promise.reject(error as Error))]);
    await opened;
    const client = new LiveClient(socket);
    clients.push(client);
    return client;
  }

  /** Connected and signed in. */
  static async signedIn(token = adminToken, base = baseA): Promise<LiveClient> {
    const client = await LiveClient.connect(base);
    client.send({ type: 'auth', token });
    await client.next((message) => message.type === 'ready');
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  data(topic: string): Array<Extract<LiveServerMessage, { type: 'data' }>> {
    return this.messages.filter((message): message is Extract<LiveServerMessage, { type: 'data' }> => message.type === 'data' && message.topic === topic);
  }

  /** The first message (from `from` on) that matches. */
  next(match: (message: LiveServerMessage) => boolean, from = 0, timeoutMs = 10_000): Promise<LiveServerMessage> {
    return waitFor('a live channel message', () => this.messages.slice(from).find(match), timeoutMs, 20);
  }

  async subscribe(topic: string): Promise<Extract<LiveServerMessage, { type: 'data' }>> {
    const from = this.messages.length;
    this.send({ type: 'subscribe', topic });
    return (await this.next((message) => message.type === 'data' && message.topic === topic, from)) as Extract<LiveServerMessage, { type: 'data' }>;
  }

  async closedWithin(timeoutMs: number): Promise<{ code: number; reason: string }> {
    return Promise.race([
      this.closed,
      new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`the socket is still open after ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  }
}

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

function hostStats(): HostStats {
  return {
    at: new Date().toISOString(),
    cpuPercentPerCore: [10, 20],
    cpuPercent: 15,
    memory: { totalBytes: 8e9, availableBytes: 4e9 },
    loadAverage: [0.5, 0.4, 0.3],
    recordingsDisk: null,
    gpu: null,
  };
}

/** A broadcast's stats whose encoder fps is `marker` (to tell snapshots apart), `padding` bytes larger. */
function broadcastStats(broadcastId: string, marker: number, padding = 0): BroadcastStats {
  return {
    broadcastId,
    environment: 'live',
    at: new Date().toISOString(),
    ingest: null,
    composer: { encoder: 'libx264', fps: marker, speed: 1, bitrateKbps: 3000, droppedFrames: 0, duplicatedFrames: 0, outTimeSeconds: marker },
    relays: [
      {
        destinationId: '0b6f9f4e-52a4-4c64-9d1e-6d6a3c7c2d10',
        name: 'YouTube',
        state: 'live',
        bitrateKbps: 2900,
        bytesSent: 1000,
        reconnects: 0,
        uptimeSeconds: marker,
        lastError: padding > 0 ? 'x'.repeat(padding) : null,
      },
    ],
    recorder: null,
  };
}

function snapshot(marker: number, padding = 0): EventPayload<typeof StatsSnapshot> {
  return { at: new Date().toISOString(), host: hostStats(), broadcasts: [broadcastStats(broadcastA.id, marker, padding), broadcastStats(broadcastB.id, marker, padding)] };
}

const gatewayConfig = (overrides: Record<string, string> = {}) => testGatewayConfig(env, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, overrides);

before(async () => {
  Logger.overrideLogger(['error']);
  env = await createTestEnvironment('gatewaylive');
  dashboardDir = mkdtempSync(join(tmpdir(), 'streamcaster-dashboard-'));
  mkdirSync(join(dashboardDir, 'assets'));
  writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>StreamCaster</title><div id="root"></div>');
  writeFileSync(join(dashboardDir, 'assets', 'index-3f2a1b.js'), 'console.log("dashboard");');
  // Its gzipped twin, as tools/build.mjs writes it (a marker tells which file answered).
  writeFileSync(join(dashboardDir, 'assets', 'index-3f2a1b.js.gz'), gzipSync('console.log("dashboard, gzipped");'));
  const configA = await gatewayConfig();
  gatewayA = await startGateway(configA);
  baseA = `http://127.0.0.1:${configA.port}`;
  hooksUrlA = `http://127.0.0.1:${configA.ingestHooksPort}`;
  const configB = await gatewayConfig({ JWT_TTL: `${SHORT_TTL_SECONDS}s`, DASHBOARD_DIR: dashboardDir });
  gatewayB = await startGateway(configB);
  baseB = `http://127.0.0.1:${configB.port}`;

  // The real publisher answers broadcasts.list / broadcasts.get and publishes broadcast.state-changed.
  publisher = new SupervisedProcess({
    name: 'publisher',
    command: process.execPath,
    args: [resolve('dist/apps/publisher/src/main.js')],
    // No nginx-rtmp at this address: nothing plays a program until the preview test starts one.
    env: { ...process.env, ...env.env, RTMP_INTERNAL_URL: `rtmp://127.0.0.1:${await freePort()}`, NO_COLOR: '1' },
    restart: 'never',
    readiness: { kind: 'line', pattern: /publisher is ready/ },
    readyTimeoutMs: 60_000,
    stopTimeoutMs: 10_000,
  });
  publisher.on('line', (_stream, line) => publisherOutput.push(line));
  await publisher.start();

  adminToken = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  const djs = [];
  for (const name of ['DJ Live A', 'DJ Live B']) {
    const reply = await api('POST', '/api/djs', { token: adminToken, json: { name } });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    djs.push(reply.body as { id: string; name: string });
  }
  djUserEmail = `dj-${randomUUID().slice(0, 8)}@club.example`;
  djUserPassword = `dj password ${randomUUID()}`;
  const created = await api('POST', '/api/users', { token: adminToken, json: { email: djUserEmail, password: djUserPassword, role: 'dj', djId: djs[0]!.id } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  djUserToken = await login(djUserEmail, djUserPassword);

  // Each DJ goes on air, as the gateway's outbox announces it: the publisher opens a broadcast.
  lifecycle = await LifecyclePublisher.connect(env.natsUrl, env.subjectPrefix, 'gateway');
  [broadcastA, broadcastB] = (await putOnAir(lifecycle, djs, { base: baseA, token: adminToken })) as [BroadcastView, BroadcastView];
  stats = new BusClient('stats', env.subjectPrefix, env.natsUrl);
  await stats.connect();
});

after(async () => {
  for (const client of clients) client.socket.terminate();
  await stats?.close();
  await lifecycle?.close();
  await publisher?.stop();
  await gatewayB?.close();
  await gatewayA?.close();
  await env?.dispose();
  if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
});

describe('live channel: signing in', () => {
  it('closes with 4401 without auth in time, with a bad token, and when the token expires unless renewed', async () => {
    const silent = await LiveClient.connect();
    const forged = await LiveClient.connect();
    forged.send({ type: 'auth', token: `${adminToken.slice(0, -4)}AAAA` });
    const eager = await LiveClient.connect();
    eager.send({ type: 'subscribe', topic: 'broadcasts:live' });

    // Tokens of gateway B live SHORT_TTL_SECONDS; the gateway closes the socket when they expire.
    const expiring = await LiveClient.signedIn(await login(ADMIN_EMAIL, ADMIN_PASSWORD, baseB));
    const renewed = await LiveClient.signedIn(await login(ADMIN_EMAIL, ADMIN_PASSWORD, baseB));
    await sleep(2_000);
    const readyCount = renewed.messages.length;
    renewed.send({ type: 'auth', token: await login(ADMIN_EMAIL, ADMIN_PASSWORD, baseB) });
    await renewed.next((message) => message.type === 'ready', readyCount);

    assert.equal((await forged.closedWithin(5_000)).code, 4401);
    assert.match((await forged.closed).reason, /invalid signature/);
    assert.equal((await eager.closedWithin(5_000)).code, 4401);
    const expired = await expiring.closedWithin((SHORT_TTL_SECONDS + 2) * 1000);
    assert.deepEqual(expired.code, 4401);
    assert.match(expired.reason, /expired/);
    assert.equal(renewed.socket.readyState, WebSocket.OPEN, 'the renewed token runs 2 s longer');
    assert.equal((await renewed.closedWithin(4_000)).code, 4401);
    assert.equal((await silent.closedWithin(6_000)).code, 4401);
    assert.match((await silent.closed).reason, /no auth message/);
  });

  it('answers auth with ready, the user and the expiry of its token', async () => {
    const client = await LiveClient.signedIn();
    const ready = client.messages[0] as Extract<LiveServerMessage, { type: 'ready' }>;
    assert.equal(ready.user.role, 'admin');
    assert.ok(Date.parse(ready.expiresAt) > Date.now() + 60_000);
  });

  it('closes a socket that sends garbage (4400) or an oversized frame (1009), and the others go on', async () => {
    const bystander = await LiveClient.signedIn();
    await bystander.subscribe('broadcasts:live');
    const garbage = await LiveClient.signedIn();
    garbage.send('{"type":"subscribe",');
    assert.equal((await garbage.closedWithin(5_000)).code, 4400);
    const offProtocol = await LiveClient.signedIn();
    offProtocol.send({ type: 'subscribe', topic: 'broadcasts:production' });
    assert.equal((await offProtocol.closedWithin(5_000)).code, 4400);
    const oversized = await LiveClient.signedIn();
    oversized.send({ type: 'auth', token: 'x'.repeat(5_000) });
    assert.equal((await oversized.closedWithin(5_000)).code, 1009);
    assert.equal(bystander.socket.readyState, WebSocket.OPEN);
    assert.ok((await bystander.subscribe(`broadcast:${broadcastA.id}`)).data);
  });

  it('accepts WebSocket upgrades only at /api/live on the public port', async () => {
    await assert.rejects(LiveClient.connect(baseA, '/api/other'), /Unexpected server response: 404/);
    await assert.rejects(LiveClient.connect(hooksUrlA), /socket hang up|ECONNRESET|Unexpected server response/);
  });
});

describe('live channel: topics', () => {
  it('closes a dj user with 4403 for another DJ\'s broadcast or its stats and for the host; shows it its own', async () => {
    const own = await LiveClient.signedIn(djUserToken);
    assert.equal(((await own.subscribe(`broadcast:${broadcastA.id}`)).data as BroadcastView).id, broadcastA.id);
    const list = (await own.subscribe('broadcasts:live')).data as BroadcastView[];
    assert.deepEqual(list.map((broadcast) => broadcast.id), [broadcastA.id], "only its DJ's broadcasts");
    for (const topic of [`broadcast:${broadcastB.id}`, `stats:${broadcastB.id}`, 'host']) {
      const client = await LiveClient.signedIn(djUserToken);
      client.send({ type: 'subscribe', topic });
      assert.equal((await client.closedWithin(5_000)).code, 4403, topic);
    }
    assert.equal(own.socket.readyState, WebSocket.OPEN);
  });

  it('sends the current state at once on subscribing: the running broadcasts, one broadcast, its stats, the host', async () => {
    const client = await LiveClient.signedIn();
    const list = (await client.subscribe('broadcasts:live')).data as BroadcastView[];
    assert.deepEqual(new Set(list.map((broadcast) => broadcast.id)), new Set([broadcastA.id, broadcastB.id]));
    assert.deepEqual((await client.subscribe('broadcasts:test')).data, []);
    assert.equal(((await client.subscribe(`broadcast:${broadcastB.id}`)).data as BroadcastView).djName, 'DJ Live B');

    await stats.emit(StatsSnapshot, snapshot(7));
    // Both replicas have taken it once gateway A's client sees it; then a new subscriber gets it at once.
    await client.subscribe('host');
    const late = await LiveClient.signedIn();
    const current = await late.subscribe(`stats:${broadcastA.id}`);
    assert.equal((current.data as BroadcastStats).composer?.fps, 7);

    const unknown = randomUUID();
    client.send({ type: 'subscribe', topic: `stats:${unknown}` });
    assert.deepEqual(await client.next((message) => message.type === 'error'), { type: 'error', topic: `stats:${unknown}`, message: `no broadcast with id ${unknown}` });
  });

  it('coalesces 20 snapshots in a second to at most 2 messages, the last one\'s data last', async () => {
    const client = await LiveClient.signedIn();
    await stats.emit(StatsSnapshot, snapshot(100));
    await client.subscribe(`stats:${broadcastA.id}`);
    // A quiet second first, so that the burst starts a window of its own.
    await sleep(1_100);
    const from = client.data(`stats:${broadcastA.id}`).length;
    for (let marker = 1; marker <= 20; marker++) {
      await stats.emit(StatsSnapshot, snapshot(marker));
      await sleep(40);
    }
    await sleep(2_000);
    const received = client.data(`stats:${broadcastA.id}`).slice(from);
    assert.ok(received.length >= 1 && received.length <= 2, `${received.length} messages for 20 snapshots`);
    assert.equal((received.at(-1)!.data as BroadcastStats).composer?.fps, 20);
  });

  it("sends a destination's state change at once, each one, instead of once a second (relay.state-changed from JetStream)", async () => {
    const client = await LiveClient.signedIn();
    const topic = `broadcast:${broadcastA.id}`;
    await client.subscribe(topic);
    const from = client.data(topic).length;
    const destinationId = randomUUID();
    // Published the way the publisher's outbox does: onto JetStream. The gateway's plain subscription sees it.
    for (const state of ['connecting', 'live', 'reconnecting', 'live'] as const) {
      await lifecycle.publish(RelayStateChanged, { broadcastId: broadcastA.id, destinationId, state, reconnects: 0 });
      await sleep(250);
    }
    await sleep(300);
    const received = client.data(topic).length - from;
    // Coalesced, the four changes within one second would have made one message.
    assert.ok(received >= 3, `${received} messages for 4 changes of a destination`);
  });

  it('drops a client that stops reading (4408) while another keeps receiving every second', async () => {
    const slow = await LiveClient.signedIn();
    const steady = await LiveClient.signedIn();
    for (const client of [slow, steady]) {
      await client.subscribe(`stats:${broadcastA.id}`);
      await client.subscribe(`stats:${broadcastB.id}`);
    }
    const droppedBefore = (await register.getSingleMetric('streamcaster_live_slow_clients_dropped_total')!.get()).values[0]?.value ?? 0;
    // The client's own socket stops reading: the kernel's buffers fill, then the gateway's.
    (slow.socket as unknown as { _socket: Socket })._socket.pause();
    const steadyFrom = steady.data(`stats:${broadcastA.id}`).length;
    let marker = 1_000;
    const dropped = await waitFor(
      'the gateway to drop the client that does not read',
      async () => {
        await stats.emit(StatsSnapshot, snapshot(++marker, 400_000));
        const now = (await register.getSingleMetric('streamcaster_live_slow_clients_dropped_total')!.get()).values[0]?.value ?? 0;
        return now > droppedBefore ? true : undefined;
      },
      60_000,
      250,
    );
    assert.ok(dropped);
    (slow.socket as unknown as { _socket: Socket })._socket.resume();
    assert.equal((await slow.closedWithin(20_000)).code, 4408);
    const steadyReceived = steady.data(`stats:${broadcastA.id}`).length - steadyFrom;
    assert.ok(steadyReceived >= 2, `the steady client got ${steadyReceived} messages meanwhile`);
    assert.equal(steady.socket.readyState, WebSocket.OPEN);
    await stats.emit(StatsSnapshot, snapshot(5_000));
    await steady.next((message) => message.type === 'data' && (message.data as BroadcastStats).composer?.fps === 5_000, 0);
  });

  it('counts the connected clients in streamcaster_live_clients', async () => {
    const before = (await register.getSingleMetric('streamcaster_live_clients')!.get()).values[0]?.value ?? 0;
    const client = await LiveClient.signedIn();
    assert.equal((await register.getSingleMetric('streamcaster_live_clients')!.get()).values[0]?.value, before + 1);
    client.socket.close();
    await client.closed;
    await waitFor('the gauge to go down', async () => ((await register.getSingleMetric('streamcaster_live_clients')!.get()).values[0]?.value === before ? true : undefined), 5_000, 20);
  });
});

describe('REST for the dashboard', () => {
  it('validates PATCH /api/broadcasts/:id before it reaches the publisher; only admins and operators', async () => {
    assertError(await api('PATCH', `/api/broadcasts/${broadcastA.id}`, { token: adminToken, json: {} }), 400, 'request body is missing or empty');
    assertError(await api('PATCH', `/api/broadcasts/${broadcastA.id}`, { token: adminToken, json: { title: 'x'.repeat(101) } }), 400, 'title: title is longer than 100 characters');
    assertError(await api('PATCH', `/api/broadcasts/${broadcastA.id}`, { token: adminToken, json: { title: '  ' } }), 400, 'title: title must not be empty');
    assertError(await api('PATCH', `/api/broadcasts/${broadcastA.id}`, { token: adminToken, json: { name: 'x' } }), 400, /name/);
    assertError(await api('PATCH', '/api/broadcasts/nope', { token: adminToken, json: { title: 'x' } }), 400, 'broadcast id must be a UUID, got "nope"');
    assertError(await api('PATCH', `/api/broadcasts/${broadcastA.id}`, { token: djUserToken, json: { title: 'mine' } }), 403, 'role dj may not do this; needs admin or operator');
  });

  it('changes the title, and every live client of the broadcast sees it', async () => {
    const onB = await LiveClient.signedIn(adminToken, baseB);
    await onB.subscribe(`broadcast:${broadcastA.id}`);
    const reply = await api('PATCH', `/api/broadcasts/${broadcastA.id}`, { token: adminToken, json: { title: 'Late night', description: 'b2b' } });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal((reply.body as BroadcastView).title, 'Late night');
    await onB.next((message) => message.type === 'data' && (message.data as BroadcastView).title === 'Late night');
  });

  it('checks the list filters and forwards them; a dj user gets only its own broadcasts whatever it asks', async () => {
    assertError(await api('GET', '/api/broadcasts?running=maybe', { token: adminToken }), 400, /running/);
    assertError(await api('GET', '/api/broadcasts?from=yesterday', { token: adminToken }), 400, /^from: /);
    assertError(await api('GET', '/api/broadcasts?limit=0', { token: adminToken }), 400, /^limit: /);
    const onlyA = await api('GET', `/api/broadcasts?djId=${broadcastA.djId}&running=true&environment=live`, { token: adminToken });
    assert.deepEqual((onlyA.body as BroadcastView[]).map((broadcast) => broadcast.id), [broadcastA.id]);
    assert.deepEqual((await api('GET', `/api/broadcasts?djId=${broadcastB.djId}`, { token: djUserToken })).body, []);
    assert.deepEqual(((await api('GET', '/api/broadcasts', { token: djUserToken })).body as BroadcastView[]).map((broadcast) => broadcast.id), [broadcastA.id]);
  });

  it('lists by date through the publisher', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    assert.deepEqual((await api('GET', `/api/broadcasts?from=${future}`, { token: adminToken })).body, []);
  });

  it('forwards GET /api/broadcasts/:id/stats to the stats service (503 when it is down), checked and scoped', async () => {
    assertError(await api('GET', `/api/broadcasts/${broadcastA.id}/stats`, { token: adminToken }), 503, 'the stats service is not available');
    assertError(await api('GET', `/api/broadcasts/${broadcastA.id}/stats`, { token: djUserToken }), 503, 'the stats service is not available');
    assertError(await api('GET', `/api/broadcasts/${broadcastB.id}/stats`, { token: djUserToken }), 404, `no broadcast with id ${broadcastB.id}`);
    assertError(
      await api('GET', `/api/broadcasts/${broadcastA.id}/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`, { token: adminToken }),
      400,
      'to: to must not be before from',
    );
    assertError(await api('GET', `/api/broadcasts/${broadcastA.id}/stats?from=noon`, { token: adminToken }), 400, /^from: /);
  });
});

describe('program preview', () => {
  let nginx: SupervisedProcess | undefined;
  let program: ReturnType<typeof publishAsDj> | undefined;

  before(async () => {
    const rtmpPort = await freePort();
    nginx = nginxRtmpProcess({
      root: resolve('.'),
      runDir: join(env.dataDir, 'nginx-rtmp'),
      logDir: join(env.dataDir, 'logs'),
      rtmpPort,
      statPort: await freePort(),
      hookUrl: `${hooksUrlA}/api/hooks/nginx-rtmp`,
      hookSecret: env.env.INGEST_HOOKS_SECRET!,
      previewDir: join(env.dataDir, 'preview'),
    });
    await nginx.start();
    // The program of broadcast A, as the transcoder publishes it (2 s GOP at 30 fps).
    program = publishAsDj(`rtmp://127.0.0.1:${rtmpPort}/program/${broadcastA.id}`, 60, { size: '320x240', gopFrames: 60 });
  });

  after(async () => {
    program?.process.kill('SIGKILL');
    await program?.exited;
    await nginx?.stop();
  });

  it('serves the playlist and its segments to who may see the broadcast, with their types', async () => {
    const playlist = await waitFor(
      'the preview playlist with a segment',
      async () => {
        const reply = await api('GET', `/api/broadcasts/${broadcastA.id}/preview/index.m3u8`, { token: adminToken });
        return reply.status === 200 && /^\d+\.ts$/m.test(String(reply.body)) ? reply : undefined;
      },
      30_000,
      500,
    );
    assert.equal(playlist.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(playlist.headers.get('cache-control'), 'no-cache');
    assert.match(String(playlist.body), /^#EXTM3U/);
    const segment = /^(\d+\.ts)$/m.exec(String(playlist.body))![1]!;
    const media = await api('GET', `/api/broadcasts/${broadcastA.id}/preview/${segment}`, { token: djUserToken });
    assert.equal(media.status, 200);
    assert.equal(media.headers.get('content-type'), 'video/mp2t');
    assert.equal(media.bytes[0], 0x47, 'an MPEG-TS packet starts with the sync byte');
    assert.equal((await api('GET', `/api/broadcasts/${broadcastA.id}/preview/index.m3u8`, { token: djUserToken })).status, 200);
  });

  it('refuses without a token (401), a dj user that does not own it (404), malformed ids and names (400)', async () => {
    assertError(await api('GET', `/api/broadcasts/${broadcastA.id}/preview/index.m3u8`), 401, 'authentication required: missing bearer token');
    assertError(await api('GET', `/api/broadcasts/${broadcastB.id}/preview/index.m3u8`, { token: djUserToken }), 404, `no broadcast with id ${broadcastB.id}`);
    assertError(await api('GET', `/api/broadcasts/${broadcastB.id}/preview/index.m3u8`, { token: adminToken }), 404, `broadcast ${broadcastB.id} has no preview (its program is not running)`);
    assertError(await api('GET', `/api/broadcasts/${broadcastA.id}/preview/999999.ts`, { token: adminToken }), 404, `no preview segment 999999.ts of broadcast ${broadcastA.id}`);
    assertError(await api('GET', '/api/broadcasts/..%2f..%2fetc/preview/index.m3u8', { token: adminToken }), 400, /^broadcast id must be a UUID/);
    // (`%2e%2e` alone is a dot segment to fetch's URL parser, which removes it before sending.)
    for (const name of ['..%2f..%2f..%2fetc%2fpasswd', '%2e%2e%2f1.ts', 'index.m3u8x', '1.mp4', '-1.ts', '.ts', 'a.ts']) {
      assertError(await api('GET', `/api/broadcasts/${broadcastA.id}/preview/${name}`, { token: adminToken }), 400, 'preview file must be index.m3u8 or a segment <number>.ts');
    }
    // A folder of the volume is no file: no listing.
    assert.equal((await api('GET', `/api/broadcasts/${broadcastA.id}/preview/`, { token: adminToken })).status, 404);
  });
});

describe('dashboard at /', () => {
  it('serves the build: its files, index.html for client routes, long cache for hashed assets only', async () => {
    for (const path of ['/', '/djs', '/history/2026?dj=1']) {
      const reply = await api('GET', path, { base: baseB });
      assert.equal(reply.status, 200, path);
      assert.match(String(reply.body), /<div id="root">/, path);
      assert.equal(reply.headers.get('cache-control'), 'no-cache', path);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/html/);
    }
    const plain = await fetch(`${baseB}/assets/index-3f2a1b.js`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(await plain.text(), 'console.log("dashboard");', 'a client that takes no gzip gets the file as it is');
    const asset = await api('GET', '/assets/index-3f2a1b.js', { base: baseB });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('content-encoding'), 'gzip');
    assert.equal(asset.headers.get('vary'), 'Accept-Encoding');
    assert.equal(asset.body, 'console.log("dashboard, gzipped");', 'a browser that takes gzip gets the build\'s .gz twin');
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await api('GET', '/assets/index-000000.js', { base: baseB })).status, 404, 'an asset that is not there is no page');
  });

  it('keeps /api the API: unknown routes there answer JSON 404, and the rest needs no token', async () => {
    assertError(await api('GET', '/api/nope', { base: baseB }), 404, 'Cannot GET /api/nope');
    assertError(await api('GET', '/api', { base: baseB }), 404, 'Cannot GET /api');
    assert.equal((await api('GET', '/api/health', { base: baseB })).status, 200);
    assert.equal((await api('POST', '/djs', { base: baseB })).status, 404, 'only GET falls back to the app');
  });
});

describe('two gateway replicas', () => {
  it('both deliver the same bus event to their clients (the real publisher ending a broadcast)', async () => {
    const onA = await LiveClient.signedIn(adminToken, baseA);
    const onB = await LiveClient.signedIn(adminToken, baseB);
    for (const client of [onA, onB]) await client.subscribe('broadcasts:live');
    const stopped = await api('POST', `/api/broadcasts/${broadcastB.id}/stop`, { token: adminToken });
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    const without = (message: LiveServerMessage) =>
      message.type === 'data' && message.topic === 'broadcasts:live' && !(message.data as BroadcastView[]).some((broadcast) => broadcast.id === broadcastB.id);
    await Promise.all([onA.next(without), onB.next(without)]);
  });
});
