import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { natsConnectionOptions } from './nats-connection-options.js';

describe('natsConnectionOptions', () => {
  it('connects to the server of the URL, without credentials when it has none', () => {
    assert.deepEqual(natsConnectionOptions({ natsUrl: 'nats://127.0.0.1:4222' }, 'recorder'), {
      servers: ['nats://127.0.0.1:4222'],
      name: 'recorder',
    });
  });

  it('takes the user and password out of the URL, decoded, and keeps them out of the server address', () => {
    assert.deepEqual(natsConnectionOptions({ natsUrl: 'nats://stream%40caster:p%2Fss%3Aword@nats:4222' }, 'gateway'), {
      servers: ['nats://nats:4222'],
      name: 'gateway',
      user: 'stream@caster',
      pass: 'p/ss:word',
    });
  });
});
