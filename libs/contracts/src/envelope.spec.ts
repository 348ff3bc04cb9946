import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { defineCommand, defineEvent, envelopeSchema, wrapEvent } from './envelope.js';
import { RelayStateChanged } from './events/relay-state-changed.event.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SampleHappened = defineEvent('sample.happened.v1', z.object({ count: z.number().int().nonnegative() }));

describe('defineEvent', () => {
  it('keeps the subject and payload schema and marks the contract as an event', () => {
    assert.equal(SampleHappened.kind, 'event');
    assert.equal(SampleHappened.subject, 'sample.happened.v1');
    assert.equal(SampleHappened.payload.safeParse({ count: 2 }).success, true);
  });

  it('builds a message schema that requires the whole envelope around a valid payload', () => {
    const valid = {
      id: '0b6f6f0e-5b0e-4c8e-9d55-3f1c0a6f2a11',
      occurredAt: '2025-03-01T20:15:00.000Z',
      correlationId: 'req-42',
      producer: 'publisher',
      payload: { count: 3 },
    };
    assert.deepEqual(SampleHappened.message.parse(valid), valid);

    const broken: Array<[string, unknown]> = [
      ['id not a uuid', { ...valid, id: 'not-a-uuid' }],
      ['occurredAt not ISO', { ...valid, occurredAt: '2025-03-01 20:15' }],
      ['empty correlationId', { ...valid, correlationId: '' }],
      ['empty producer', { ...valid, producer: '' }],
      ['producer missing', { ...valid, producer: undefined }],
      ['invalid payload', { ...valid, payload: { count: -1 } }],
      ['payload missing', { ...valid, payload: undefined }],
    ];
    for (const [why, message] of broken) {
      assert.equal(SampleHappened.message.safeParse(message).success, false, why);
    }
  });
});

describe('defineCommand', () => {
  it('keeps the owner, subject, request and response schemas and marks the contract as a command', () => {
    const request = z.object({ id: z.uuid() });
    const response = z.object({ ok: z.boolean() });
    const command = defineCommand('recorder', 'sample.do.v1', request, response);
    assert.equal(command.kind, 'command');
    assert.equal(command.owner, 'recorder');
    assert.equal(command.subject, 'sample.do.v1');
    assert.equal(command.request, request);
    assert.equal(command.response, response);
  });
});

describe('wrapEvent', () => {
  it('wraps a payload in an envelope with a uuid id, an ISO timestamp of now and the producer', () => {
    const before = Date.now();
    const message = wrapEvent(SampleHappened, { count: 1 }, 'encoder');
    const after = Date.now();

    assert.deepEqual(Object.keys(message).sort(), ['correlationId', 'id', 'occurredAt', 'payload', 'producer']);
    assert.match(message.id, UUID);
    assert.equal(new Date(message.occurredAt).toISOString(), message.occurredAt);
    const occurredAt = Date.parse(message.occurredAt);
    assert.ok(occurredAt >= before && occurredAt <= after, `${message.occurredAt} is not now`);
    assert.equal(message.producer, 'encoder');
    assert.deepEqual(message.payload, { count: 1 });
    assert.equal(envelopeSchema.safeParse(message).success, true);
    assert.deepEqual(SampleHappened.message.parse(message), message);
  });

  it('uses the event id as correlationId when none is given', () => {
    const message = wrapEvent(SampleHappened, { count: 1 }, 'encoder');
    assert.equal(message.correlationId, message.id);
  });

  it('keeps a given correlationId, so a chain of events can be traced', () => {
    const cause = wrapEvent(SampleHappened, { count: 1 }, 'ingest');
    const effect = wrapEvent(SampleHappened, { count: 2 }, 'publisher', cause.correlationId);
    assert.equal(effect.correlationId, cause.id);
    assert.notEqual(effect.id, cause.id);
  });

  it('gives every message an id of its own', () => {
    const ids = new Set(Array.from({ length: 50 }, () => wrapEvent(SampleHappened, { count: 0 }, 'p').id));
    assert.equal(ids.size, 50);
  });

  it('produces messages that a real contract of the repo accepts', () => {
    const message = wrapEvent(
      RelayStateChanged,
      {
        broadcastId: '7c1e8f0a-2d4b-4e6f-8a9b-0c1d2e3f4a5b',
        destinationId: '1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b',
        state: 'reconnecting',
        reconnects: 2,
        reason: 'code 1: Connection refused',
      },
      'publisher',
    );
    assert.deepEqual(RelayStateChanged.message.parse(message), message);
    assert.equal(RelayStateChanged.message.safeParse({ ...message, payload: { ...message.payload, state: 'exploded' } }).success, false);
  });
});
