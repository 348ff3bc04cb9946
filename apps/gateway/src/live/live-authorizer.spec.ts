import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BroadcastView } from '@streamcaster/contracts';
import { authorizeTopic, scopeTopicData, type LiveUser } from './live-authorizer.js';

const djA = '11111111-1111-4111-8111-111111111111';
const djB = '22222222-2222-4222-8222-222222222222';
const broadcastOfA = '33333333-3333-4333-8333-333333333333';
const unknownBroadcast = '44444444-4444-4444-8444-444444444444';

const admin: LiveUser = { id: 'a', role: 'admin', djId: null };
const operator: LiveUser = { id: 'o', role: 'operator', djId: null };
const userOfA: LiveUser = { id: 'ua', role: 'dj', djId: djA };
const userOfB: LiveUser = { id: 'ub', role: 'dj', djId: djB };

const broadcast = (id: string, djId: string) => ({ id, djId }) as BroadcastView;
const lookup = async (id: string) => (id === broadcastOfA ? broadcast(broadcastOfA, djA) : null);

describe('authorizeTopic', () => {
  it('lets every role see the running broadcasts of an environment', async () => {
    for (const user of [admin, operator, userOfA]) {
      assert.deepEqual(await authorizeTopic(user, { kind: 'broadcasts', environment: 'test' }, lookup), { kind: 'allowed' });
    }
  });

  it('shows the host to admins and operators, closes a dj user with 4403', async () => {
    assert.deepEqual(await authorizeTopic(admin, { kind: 'host' }, lookup), { kind: 'allowed' });
    assert.deepEqual(await authorizeTopic(operator, { kind: 'host' }, lookup), { kind: 'allowed' });
    assert.deepEqual(await authorizeTopic(userOfA, { kind: 'host' }, lookup), { kind: 'forbidden', code: 4403, reason: 'role dj may not see the host' });
  });

  it("shows a broadcast and its stats to its DJ's user and to every admin and operator, not to another DJ's user", async () => {
    for (const kind of ['broadcast', 'stats'] as const) {
      const topic = { kind, broadcastId: broadcastOfA };
      assert.deepEqual(await authorizeTopic(admin, topic, lookup), { kind: 'allowed' });
      assert.deepEqual(await authorizeTopic(operator, topic, lookup), { kind: 'allowed' });
      assert.deepEqual(await authorizeTopic(userOfA, topic, lookup), { kind: 'allowed' });
      assert.deepEqual(await authorizeTopic(userOfB, topic, lookup), { kind: 'forbidden', code: 4403, reason: 'this broadcast belongs to another DJ' });
    }
  });

  it('answers an unknown broadcast without closing, whatever the role', async () => {
    for (const user of [admin, userOfB]) {
      assert.deepEqual(await authorizeTopic(user, { kind: 'stats', broadcastId: unknownBroadcast }, lookup), {
        kind: 'unknown',
        message: `no broadcast with id ${unknownBroadcast}`,
      });
    }
  });

  it('passes on a lookup that fails (the publisher is down): the caller says so to the client', async () => {
    const failing = async () => {
      throw new Error('the publisher service is not available');
    };
    await assert.rejects(authorizeTopic(admin, { kind: 'broadcast', broadcastId: broadcastOfA }, failing), /publisher/);
  });
});

describe('scopeTopicData', () => {
  const list = [broadcast(broadcastOfA, djA), broadcast(unknownBroadcast, djB)];

  it("gives a dj user only its DJ's broadcasts, the others the whole list", () => {
    const topic = { kind: 'broadcasts', environment: 'live' } as const;
    assert.deepEqual(scopeTopicData(userOfA, topic, list), [list[0]]);
    assert.deepEqual(scopeTopicData(userOfB, topic, list), [list[1]]);
    assert.equal(scopeTopicData(operator, topic, list), list, 'the same object: serialized once for every such client');
  });

  it('leaves the other topics as they are', () => {
    const data = { anything: true };
    assert.equal(scopeTopicData(userOfA, { kind: 'broadcast', broadcastId: broadcastOfA }, data), data);
  });
});
