// @vitest-environment node
import { LIVE_CLOSE } from '@streamcaster/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { LiveClient, reconnectDelayMs, type LiveSocket, type LiveStatus } from './live-client';

/** Against a real `ws` server: what it received from each connection, and a way to close them. */
class FakeGateway {
  readonly server: WebSocketServer;
  readonly connections: { socket: ServerSocket; messages: Record<string, unknown>[] }[] = [];
  /** Tokens it accepts; `auth` with another closes 4401. */
  validTokens = new Set(['t1']);
  /** Topics it answers with 4403. */
  forbiddenTopics = new Set<string>();

  constructor() {
    this.server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    this.server.on('connection', (socket) => {
      const connection = { socket, messages: [] as Record<string, unknown>[] };
      this.connections.push(connection);
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; token?: string; topic?: string };
        connection.messages.push(message);
        if (message.type === 'auth') {
          if (!this.validTokens.has(message.token ?? '')) return socket.close(LIVE_CLOSE.unauthorized, 'invalid token');
          socket.send(JSON.stringify({ type: 'ready', user: { id: '00000000-0000-4000-8000-000000000001', role: 'admin' }, expiresAt: new Date(Date.now() + 60_000).toISOString() }));
        } else if (message.type === 'subscribe' && message.topic) {
          if (this.forbiddenTopics.has(message.topic)) return socket.close(LIVE_CLOSE.forbidden, 'forbidden');
          this.send(socket, message.topic, { n: this.connections.length });
        }
      });
    });
  }

  get url(): string {
    const address = this.server.address();
    if (typeof address === 'string' || address === null) throw new Error('no port');
    return `ws://127.0.0.1:${address.port}/api/live`;
  }

  send(socket: ServerSocket, topic: string, data: unknown): void {
    socket.send(JSON.stringify({ type: 'data', topic, at: new Date().toISOString(), data }));
  }

  last() {
    return this.connections[this.connections.length - 1]!;
  }

  close(): Promise<void> {
    for (const { socket } of this.connections) socket.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('LiveClient against a real WebSocket server', () => {
  let gateway: FakeGateway;
  let client: LiveClient;
  let statuses: LiveStatus[];
  let token: string | null;
  let renewals: number;

  beforeEach(async () => {
    gateway = new FakeGateway();
    await new Promise<void>((resolve) => gateway.server.once('listening', () => resolve()));
    statuses = [];
    token = 't1';
    renewals = 0;
    client = new LiveClient({
      url: gateway.url,
      createSocket: (url) => new WebSocket(url) as unknown as LiveSocket,
      tokens: {
        current: async () => token,
        renew: async () => {
          renewals += 1;
          token = token === null ? null : 't1';
          return token;
        },
      },
      backoff: { initialMs: 20, maxMs: 100 },
      random: () => 1,
      onStatus: (status) => statuses.push(status),
    });
  });

  afterEach(async () => {
    client.stop();
    await gateway.close();
  });

  it('signs in with its first message, then subscribes and delivers the topic state', async () => {
    const received: unknown[] = [];
    client.subscribe('host', { data: (data) => received.push(data) });
    client.start();
    await waitFor(() => received.length === 1, 'data');
    expect(gateway.last().messages[0]).toEqual({ type: 'auth', token: 't1' });
    expect(gateway.last().messages[1]).toEqual({ type: 'subscribe', topic: 'host' });
    expect(client.status).toBe('open');
  });

  it('reconnects after a lost connection and subscribes again to every topic', async () => {
    const seen: string[] = [];
    client.subscribe('broadcasts:live', { data: () => seen.push('broadcasts:live') });
    client.subscribe('host', { data: () => seen.push('host') });
    client.start();
    await waitFor(() => seen.length === 2, 'first data');

    gateway.last().socket.terminate();
    await waitFor(() => gateway.connections.length === 2 && seen.length === 4, 'data after the reconnect');
    const second = gateway.connections[1]!.messages;
    expect(second[0]).toEqual({ type: 'auth', token: 't1' });
    expect(second.slice(1).map((message) => message.topic).sort()).toEqual(['broadcasts:live', 'host']);
    expect(statuses).toContain('reconnecting');
    expect(client.status).toBe('open');
  });

  it('keeps trying, with its backoff, while the server refuses', async () => {
    const seen: unknown[] = [];
    client.subscribe('host', { data: (data) => seen.push(data) });
    client.start();
    await waitFor(() => seen.length === 1, 'first data');
    // The server refuses the next connections by closing them at once (going away).
    gateway.server.removeAllListeners('connection');
    let refused = 0;
    gateway.server.on('connection', (socket) => {
      refused += 1;
      socket.close(LIVE_CLOSE.goingAway, 'restarting');
    });
    gateway.last().socket.terminate();
    await waitFor(() => refused >= 3, 'three refused attempts');
    expect(client.status).toBe('reconnecting');
  });

  it('on 4401 renews the token and reconnects at once with it', async () => {
    token = 'expired';
    const seen: unknown[] = [];
    client.subscribe('host', { data: (data) => seen.push(data) });
    client.start();
    await waitFor(() => seen.length === 1, 'data after renewal');
    expect(renewals).toBe(1);
    expect(gateway.connections[0]!.messages).toEqual([{ type: 'auth', token: 'expired' }]);
    expect(gateway.connections[1]!.messages[0]).toEqual({ type: 'auth', token: 't1' });
  });

  it('on 4401 without a session to renew stops and says signed out', async () => {
    token = 'expired';
    const tokens = { current: async () => 'expired', renew: async () => null };
    client.stop();
    client = new LiveClient({ url: gateway.url, createSocket: (url) => new WebSocket(url) as unknown as LiveSocket, tokens, backoff: { initialMs: 20, maxMs: 100 } });
    client.start();
    await waitFor(() => client.status === 'signed-out', 'signed out');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(gateway.connections).toHaveLength(1);
  });

  it('on 4403 drops the topic the role may not see and keeps the others', async () => {
    gateway.forbiddenTopics.add('stats:11111111-1111-4111-8111-111111111111');
    const hostData: unknown[] = [];
    let forbidden = 0;
    client.subscribe('host', { data: (data) => hostData.push(data) });
    client.start();
    await waitFor(() => hostData.length === 1, 'host data');
    client.subscribe('stats:11111111-1111-4111-8111-111111111111', { data: () => undefined, forbidden: () => (forbidden += 1) });
    await waitFor(() => forbidden === 1 && hostData.length === 2, 'forbidden, then host again on a new connection');
    const again = gateway.last().messages;
    expect(again.filter((message) => message.type === 'subscribe').map((message) => message.topic)).toEqual(['host']);
  });

  it('signs the open connection in again with a renewed token', async () => {
    const seen: unknown[] = [];
    client.subscribe('host', { data: (data) => seen.push(data) });
    client.start();
    await waitFor(() => seen.length === 1, 'data');
    gateway.validTokens.add('t2');
    client.authenticate('t2');
    await waitFor(() => gateway.last().messages.some((message) => message.token === 't2'), 'second auth');
    expect(gateway.connections).toHaveLength(1);
  });

  it('unsubscribes when the last listener leaves, and stop() does not reconnect', async () => {
    const seen: unknown[] = [];
    const leave = client.subscribe('host', { data: (data) => seen.push(data) });
    client.start();
    await waitFor(() => seen.length === 1, 'data');
    leave();
    await waitFor(() => gateway.last().messages.some((message) => message.type === 'unsubscribe'), 'unsubscribe');
    client.stop();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(gateway.connections).toHaveLength(1);
    expect(client.status).toBe('stopped');
  });

  it('gives a late listener the latest state at once', async () => {
    const first: unknown[] = [];
    client.subscribe('host', { data: (data) => first.push(data) });
    client.start();
    await waitFor(() => first.length === 1, 'data');
    const late: unknown[] = [];
    client.subscribe('host', { data: (data) => late.push(data) });
    expect(late).toEqual(first);
  });
});

describe('reconnectDelayMs', () => {
  it('doubles from the initial delay up to the cap, jittered down to half', () => {
    const backoff = { initialMs: 500, maxMs: 10_000 };
    expect([0, 1, 2, 3, 4, 5, 10].map((attempt) => reconnectDelayMs(attempt, backoff, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(reconnectDelayMs(3, backoff, () => 0)).toBe(2000);
    expect(reconnectDelayMs(1000, backoff, () => 0.5)).toBe(7500);
  });
});
