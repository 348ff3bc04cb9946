import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serviceNameSchema } from '../domain.js';
import { servicePing } from './health.command.js';

describe('servicePing', () => {
  it('gives every service a ping subject of its own, owned by that service', () => {
    const subjects = serviceNameSchema.options.map((service) => {
      const ping = servicePing(service);
      assert.equal(ping.owner, service);
      return ping.subject;
    });
    assert.deepEqual(subjects, ['health.gateway.ping.v1', 'health.publisher.ping.v1', 'health.transcoder.ping.v1', 'health.recorder.ping.v1', 'health.stats.ping.v1']);
  });

  it('accepts only an answer that names a known service, its instance and a non-negative uptime', () => {
    const { response } = servicePing('publisher');
    const answer = { service: 'publisher', instance: 'host-a:4242', startedAt: '2025-03-01T20:15:00.000Z', uptimeSeconds: 12.5 };
    assert.deepEqual(response.parse(answer), answer);
    assert.equal(response.safeParse({ ...answer, service: 'chat' }).success, false);
    assert.equal(response.safeParse({ ...answer, uptimeSeconds: -1 }).success, false);
    assert.equal(response.safeParse({ ...answer, instance: '' }).success, false);
  });
});
