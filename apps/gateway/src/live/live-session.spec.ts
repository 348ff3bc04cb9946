import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLiveTopic, type BroadcastView, type LiveTopic } from '@streamcaster/contracts';
import type { LiveUser } from './live-authorizer.js';
import { LiveSession, LiveTokenRefused, type LiveSocket, type LiveTopicSource, type TopicState, type TopicSubscriber } from './live-session.js';
import { ManualClock } from './manual-clock.js';

const djA = '11111111-1111-4111-8111-111111111111';
const djB = '22222222-2222-4222-8222-222222222222';
const broadcastOfA = '33333333-3333-4333-8333-333333333333';
const broadcastOfB = '55555555-5555-4555-8555-555555555555';

const users: Record<string, LiveUser> = {
  'token-admin': { id: 'admin', role: 'admin', djId: null },
  'token-dj-a': { id: 'user-a', role: 'dj', djId: djA },
  'token-dj-a-renewed': { id: 'user-a', role: 'dj', djId: djA },
  'token-dj-b': { id: 'user-b', role: 'dj', djId: djB },
};

class FakeSocket implements LiveSocket {
  readonly sent: Array<Record<string, unknown>> = [];
  closedWith: { code: number; reason: string } | undefined;
  bufferedAmount = 0;

  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }
}

class FakeTopics implements LiveTopicSource {
  readonly subscribers = new Map<string, Set<TopicSubscriber>>();
  readonly states = new Map<string, TopicState>();
  failing = false;

  async findBroadcast(id: string): Promise<BroadcastView | null> {
    if (this.failing) throw new Error('the publisher service is not available');
    if (id === broadcastOfA) return { id, djId: djA } as BroadcastView;
    if (id === broadcastOfB) return { id, djId: djB } as BroadcastView;
    return null;
  }

  async subscribe(topic: LiveTopic, subscriber: TopicSubscriber): Promise<TopicState | null> {
    const key = formatLiveTopic(topic);
    if (!this.subscribers.has(key)) this.subscribers.set(key, new Set());
    this.subscribers.get(key)!.add(subscriber);
    return this.states.get(key) ?? null;
  }

  unsubscribe(topic: string, subscriber: TopicSubscriber): void {
    this.subscribers.get(topic)?.delete(subscriber);
  }

  publish(state: TopicState, urgent = false): void {
    this.states.set(state.topic, state);
    for (const subscriber of this.subscribers.get(state.topic) ?? []) subscriber.deliver(state, urgent);
  }
}

function setUp(tokenLifetimeMs = 60_000) {
  const clock = new ManualClock();
  const socket = new FakeSocket();
  const topics = new FakeTopics();
  let dropped = 0;
  const session = new LiveSession(socket, {
    verify: async (token) => {
      const user = users[token];
      if (!user) throw new LiveTokenRefused('authentication required: invalid signature');
      return { user, expiresAt: new Date(clock.now() + tokenLifetimeMs) };
    },
    topics,
    authTimeoutMs: 5_000,
    coalesceMs: 1_000,
    maxBufferedBytes: 1_000,
    clock,
    describeError: (error) => (error as Error).message,
    onInternalError: (error) => assert.fail(`internal error: ${String(error)}`),
    onDropped: () => dropped++,
  });
  const send = async (message: unknown) => {
    session.receive(typeof message === 'string' ? message : JSON.stringify(message), false);
    // Let the session's queue of messages (and the fake's promises) run.
    for (let turn = 0; turn < 10; turn++) await Promise.resolve();
  };
  return { clock, socket, topics, session, send, dropped: () => dropped };
}

const closedOf = (socket: FakeSocket) => socket.closedWith;
const dataOf = (socket: FakeSocket, topic: string) => socket.sent.filter((message) => message.type === 'data' && message.topic === topic);

describe('LiveSession: signing in', () => {
  it('answers a valid auth with ready, its user and expiry', async () => {
    const { socket, send } = setUp();
    await send({ type: 'auth', token: 'token-admin' });
    assert.deepEqual(socket.sent, [{ type: 'ready', user: { id: 'admin', role: 'admin' }, expiresAt: new Date(60_000).toISOString() }]);
    assert.equal(socket.closedWith, undefined);
  });

  it('closes with 4401 when no auth comes in time, the token is refused, or anything comes before auth', async () => {
    const late = setUp();
    late.clock.advance(4_999);
    assert.equal(late.socket.closedWith, undefined);
    late.clock.advance(1);
    assert.deepEqual(late.socket.closedWith, { code: 4401, reason: 'no auth message within 5 s' });

    const refused = setUp();
    await refused.send({ type: 'auth', token: 'forged' });
    assert.deepEqual(refused.socket.closedWith, { code: 4401, reason: 'authentication required: invalid signature' });

    const eager = setUp();
    await eager.send({ type: 'subscribe', topic: 'broadcasts:live' });
    assert.equal(eager.socket.closedWith?.code, 4401);
    assert.equal(eager.socket.sent.length, 0);
  });

  it('closes with 4401 when the token expires, unless a newer auth came before', async () => {
    const { clock, socket, send } = setUp(10_000);
    await send({ type: 'auth', token: 'token-dj-a' });
    clock.advance(9_000);
    await send({ type: 'auth', token: 'token-dj-a-renewed' });
    clock.advance(9_000);
    assert.equal(socket.closedWith, undefined, 'the renewed token expires at 19 s');
    clock.advance(1_000);
    // (Read through a function: the compiler took the assertion above to mean it stays undefined.)
    const closed = closedOf(socket);
    assert.equal(closed?.code, 4401);
    assert.match(closed?.reason ?? '', /expired/);
  });

  it("refuses a renewal with another user's token", async () => {
    const { socket, send } = setUp();
    await send({ type: 'auth', token: 'token-dj-a' });
    await send({ type: 'auth', token: 'token-dj-b' });
    assert.deepEqual(socket.closedWith, { code: 4401, reason: 'a token of another user' });
  });

  it('closes with 4400 for garbage or a message off the protocol, and ignores what comes after', async () => {
    const garbage = setUp();
    await garbage.send('{not json');
    assert.deepEqual(garbage.socket.closedWith, { code: 4400, reason: 'a message that is not JSON' });
    const offProtocol = setUp();
    await offProtocol.send({ type: 'auth', token: 'token-admin' });
    await offProtocol.send({ type: 'subscribe', topic: 'everything' });
    assert.equal(offProtocol.socket.closedWith?.code, 4400);
    await offProtocol.send({ type: 'subscribe', topic: 'host' });
    assert.equal(offProtocol.socket.sent.length, 1, 'only the ready message');
  });
});

describe('LiveSession: topics', () => {
  it('sends the current state at once on subscribing, then the changes', async () => {
    const { topics, socket, send, clock } = setUp();
    topics.states.set('host', { topic: 'host', at: '2026-01-01T00:00:00.000Z', data: { cpuPercent: 5 } });
    await send({ type: 'auth', token: 'token-admin' });
    await send({ type: 'subscribe', topic: 'host' });
    assert.deepEqual(dataOf(socket, 'host'), [{ type: 'data', topic: 'host', at: '2026-01-01T00:00:00.000Z', data: { cpuPercent: 5 } }]);
    clock.advance(1_000);
    topics.publish({ topic: 'host', at: '2026-01-01T00:00:01.000Z', data: { cpuPercent: 6 } });
    assert.equal(dataOf(socket, 'host').length, 2);
    await send({ type: 'unsubscribe', topic: 'host' });
    clock.advance(1_000);
    topics.publish({ topic: 'host', at: '2026-01-01T00:00:02.000Z', data: { cpuPercent: 7 } });
    assert.equal(dataOf(socket, 'host').length, 2, 'nothing after unsubscribing');
  });

  it('coalesces a topic to one message a second, but sends an urgent one at once', async () => {
    const { topics, socket, send, clock } = setUp();
    const topic = `broadcast:${broadcastOfA}`;
    await send({ type: 'auth', token: 'token-admin' });
    await send({ type: 'subscribe', topic });
    for (let index = 0; index < 5; index++) topics.publish({ topic, at: `t${index}`, data: index });
    assert.deepEqual(dataOf(socket, topic).map((message) => message.data), [0]);
    topics.publish({ topic, at: 't5', data: 5 }, true);
    assert.deepEqual(dataOf(socket, topic).map((message) => message.data), [0, 5]);
    clock.advance(5_000);
    assert.deepEqual(dataOf(socket, topic).map((message) => message.data), [0, 5]);
  });

  it('does not send the state it fetched after a newer one was delivered meanwhile', async () => {
    const { topics, socket, session, send } = setUp();
    await send({ type: 'auth', token: 'token-admin' });
    const original = topics.subscribe.bind(topics);
    topics.subscribe = async (topic, subscriber) => {
      const stale = await original(topic, subscriber);
      session.deliver({ topic: 'broadcasts:live', at: 'new', data: ['new'] }, false);
      return stale ?? { topic: 'broadcasts:live', at: 'old', data: ['old'] };
    };
    await send({ type: 'subscribe', topic: 'broadcasts:live' });
    assert.deepEqual(dataOf(socket, 'broadcasts:live').map((message) => message.at), ['new']);
  });

  it("closes a dj user with 4403 for the host and for another DJ's broadcast, and lets it see its own", async () => {
    const host = setUp();
    await host.send({ type: 'auth', token: 'token-dj-a' });
    await host.send({ type: 'subscribe', topic: 'host' });
    assert.equal(host.socket.closedWith?.code, 4403);

    for (const kind of ['broadcast', 'stats']) {
      const other = setUp();
      await other.send({ type: 'auth', token: 'token-dj-a' });
      await other.send({ type: 'subscribe', topic: `${kind}:${broadcastOfA}` });
      assert.equal(other.socket.closedWith, undefined);
      await other.send({ type: 'subscribe', topic: `${kind}:${broadcastOfB}` });
      assert.deepEqual(other.socket.closedWith, { code: 4403, reason: 'this broadcast belongs to another DJ' });
      assert.equal(other.topics.subscribers.get(`${kind}:${broadcastOfA}`)?.size, 0, 'closing unsubscribes from every topic');
    }
  });

  it("gives a dj user only its DJ's broadcasts in an environment's list", async () => {
    const { topics, socket, send } = setUp();
    topics.states.set('broadcasts:live', { topic: 'broadcasts:live', at: 't', data: [{ id: broadcastOfA, djId: djA }, { id: broadcastOfB, djId: djB }] });
    await send({ type: 'auth', token: 'token-dj-b' });
    await send({ type: 'subscribe', topic: 'broadcasts:live' });
    assert.deepEqual(dataOf(socket, 'broadcasts:live')[0]?.data, [{ id: broadcastOfB, djId: djB }]);
  });

  it('answers an unknown broadcast, or an owner that cannot be asked, with an error and stays open', async () => {
    const { topics, socket, send } = setUp();
    await send({ type: 'auth', token: 'token-admin' });
    const unknown = '66666666-6666-4666-8666-666666666666';
    await send({ type: 'subscribe', topic: `stats:${unknown}` });
    assert.deepEqual(socket.sent.at(-1), { type: 'error', topic: `stats:${unknown}`, message: `no broadcast with id ${unknown}` });
    topics.failing = true;
    await send({ type: 'subscribe', topic: `broadcast:${broadcastOfA}` });
    assert.deepEqual(socket.sent.at(-1), { type: 'error', topic: `broadcast:${broadcastOfA}`, message: 'the publisher service is not available' });
    assert.equal(socket.closedWith, undefined);
  });

  it('drops a client whose send buffer is over the bound with 4408, and unsubscribes it', async () => {
    const { topics, socket, send, clock, dropped } = setUp();
    await send({ type: 'auth', token: 'token-admin' });
    await send({ type: 'subscribe', topic: 'host' });
    topics.publish({ topic: 'host', at: 't1', data: 1 });
    assert.equal(socket.closedWith, undefined);
    socket.bufferedAmount = 1_001;
    clock.advance(1_000);
    topics.publish({ topic: 'host', at: 't2', data: 2 });
    assert.deepEqual(socket.closedWith, { code: 4408, reason: 'the client reads too slowly' });
    assert.equal(dropped(), 1);
    assert.equal(topics.subscribers.get('host')?.size, 0);
  });
});
