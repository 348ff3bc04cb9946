import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeReason, parseClientMessage } from './live-messages.js';

const id = '6f1c1a34-2f8e-4b7a-9a55-0b8f8b4f3a10';

describe('parseClientMessage', () => {
  it('accepts the three messages of the protocol', () => {
    assert.deepEqual(parseClientMessage('{"type":"auth","token":"abc"}', false), { ok: true, message: { type: 'auth', token: 'abc' } });
    assert.deepEqual(parseClientMessage(Buffer.from(`{"type":"subscribe","topic":"stats:${id}"}`), false), {
      ok: true,
      message: { type: 'subscribe', topic: `stats:${id}` },
    });
    for (const topic of ['broadcasts:live', 'broadcasts:test', `broadcast:${id}`, 'host']) {
      assert.equal(parseClientMessage(JSON.stringify({ type: 'unsubscribe', topic }), false).ok, true, topic);
    }
  });

  it('refuses what is not JSON, a binary frame, and what breaks the schema, saying why', () => {
    const refusal = (frame: string, isBinary = false) => {
      const parsed = parseClientMessage(frame, isBinary);
      assert.equal(parsed.ok, false, frame);
      return (parsed as { reason: string }).reason;
    };
    assert.equal(refusal('garbage'), 'a message that is not JSON');
    assert.equal(refusal('{"type":"auth","token":"abc"}', true), 'messages are JSON text frames');
    assert.match(refusal('{"type":"shout"}'), /type/);
    assert.match(refusal('{"type":"auth","token":""}'), /^token: /);
    assert.match(refusal('{"type":"auth","token":"a","extra":1}'), /extra/);
    for (const topic of ['broadcasts:prod', 'broadcast:not-a-uuid', `stats:${id}/../x`, 'hosts', '', 'x'.repeat(200)]) {
      assert.match(refusal(JSON.stringify({ type: 'subscribe', topic })), /^topic: /, topic);
    }
    assert.match(refusal('[]'), /./);
    assert.match(refusal('null'), /./);
  });
});

describe('closeReason', () => {
  it('keeps a reason within the 123 bytes a close frame allows, on a character boundary', () => {
    assert.equal(closeReason('short'), 'short');
    const long = closeReason('é'.repeat(100));
    assert.ok(Buffer.byteLength(long) <= 123);
    assert.equal(long, 'é'.repeat(61));
  });
});
