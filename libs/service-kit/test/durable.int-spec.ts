import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { LIFECYCLE_STREAM, wrapEvent, type EventMessage, type EventPayload } from '@streamcaster/contracts';
import { createTestEnvironment, CuttableLink, LifecyclePublisher, type TestEnvironment, waitFor } from '@streamcaster/testing';
import { PROBE_EVENT, startProbe, type ProbeHooks, type ProbeOptions, type ProbeService } from './probe-service.js';

type ProbeMessage = EventMessage<EventPayload<typeof PROBE_EVENT>>;

let env: TestEnvironment;
let db: pg.Client;
let nats: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let lifecycle: LifecyclePublisher;
/** Instance A of the probe service, up for the whole file. */
let probeA: ProbeService;
/** Shared by every instance of the probe service, so a test sees all of its handling. */
const hooks: ProbeHooks = {};
const started: ProbeService[] = [];

const streamName = () => LIFECYCLE_STREAM.name(env.subjectPrefix);

function probeOptions(instance: string, overrides: Partial<ProbeOptions> = {}): ProbeOptions {
  return {
    service: 'probe',
    instance,
    databaseUrl: env.databaseUrl,
    natsUrl: env.natsUrl,
    subjectPrefix: env.subjectPrefix,
    handles: true,
    hooks,
    ...overrides,
  };
}

async function boot(options: ProbeOptions): Promise<ProbeService> {
  const probe = await startProbe(options);
  started.push(probe);
  return probe;
}

async function close(probe: ProbeService): Promise<void> {
  started.splice(started.indexOf(probe), 1);
  await probe.close();
}

interface Note {
  event_id: string;
  broadcast_id: string;
  instance: string;
  delivery: number;
}

/** The handlers' committed writes for these events, in commit order. */
async function notesOf(eventIds: string[]): Promise<Note[]> {
  return (await db.query<Note>(`SELECT event_id, broadcast_id, instance, delivery FROM probe.notes WHERE event_id = ANY($1::uuid[]) ORDER BY seq`, [eventIds])).rows;
}

async function inboxRows(eventId: string): Promise<number> {
  return (await db.query(`SELECT 1 FROM probe.inbox WHERE consumer = 'probe' AND event_id = $1`, [eventId])).rowCount ?? 0;
}

function notesFor(eventIds: string[], count = eventIds.length, timeoutMs = 15_000): Promise<Note[]> {
  return waitFor(`${count} note(s)`, async () => {
    const notes = await notesOf(eventIds);
    return notes.length >= count ? notes : undefined;
  }, timeoutMs);
}

/** Writes events into A's outbox in one transaction, as a service does with its state change. */
async function throughOutbox(count: number): Promise<ProbeMessage[]> {
  return probeA.outbox.transaction(async (manager) => {
    const messages: ProbeMessage[] = [];
    for (let index = 0; index < count; index += 1) messages.push(await probeA.outbox.add(manager, PROBE_EVENT, { broadcastId: randomUUID() }));
    return messages;
  });
}

/** The probe consumer has taken and settled everything in the stream up to `streamSeq`. */
async function consumerCaughtUp(streamSeq: number): Promise<void> {
  await waitFor(`the probe consumer to settle stream sequence ${streamSeq}`, async () => {
    const info = await jsm.consumers.info(streamName(), 'probe');
    return info.ack_floor.stream_seq >= streamSeq && info.num_ack_pending === 0 && info.num_pending === 0 ? true : undefined;
  });
}

const lastStreamSeq = async () => (await jsm.streams.info(streamName())).state.last_seq;

before(async () => {
  Logger.overrideLogger(['error', 'warn']);
  env = await createTestEnvironment('durable');
  db = new pg.Client({ connectionString: env.databaseUrl });
  await db.connect();
  nats = await connect({ servers: env.natsUrl });
  js = jetstream(nats);
  jsm = await jetstreamManager(nats);
  lifecycle = await LifecyclePublisher.connect(env.natsUrl, env.subjectPrefix, 'another-service');
  probeA = await boot(probeOptions('A'));
});

afterEach(() => {
  delete hooks.before;
  delete hooks.after;
});

after(async () => {
  for (const probe of [...started].reverse()) await probe.close();
  await Promise.all([lifecycle?.close(), nats?.close(), db?.end()]);
  await env?.dispose();
});

describe('durable events', () => {
  it('hands an outbox event to the durable consumer once, even when it is published again with the same id', async () => {
    const [message] = await throughOutbox(1);
    const notes = await notesFor([message!.id]);
    assert.deepEqual(notes.map((note) => [note.broadcast_id, note.delivery]), [[message!.payload.broadcastId, 1]]);
    assert.equal(await probeA.outbox.pending(), 0, 'the outbox row is deleted once JetStream has the event');

    // A drainer that crashed between publishing and deleting sends the row again: same id, and
    // JetStream drops the copy within its duplicate window.
    const seqBefore = await lastStreamSeq();
    await db.query(`INSERT INTO probe.outbox (event_id, subject, message) VALUES ($1, $2, $3)`, [message!.id, PROBE_EVENT.subject, JSON.stringify(message)]);
    probeA.outbox.kick();
    await waitFor('the outbox to send the row again', async () => ((await probeA.outbox.pending()) === 0 ? true : undefined));
    assert.equal(await lastStreamSeq(), seqBefore, 'JetStream stored no second copy');

    // Past the duplicate window the copy is stored and delivered: the inbox makes it a no-op.
    await lifecycle.publishMessage(PROBE_EVENT, message, randomUUID());
    const copySeq = await lastStreamSeq();
    assert.equal(copySeq, seqBefore + 1, 'the copy with another message id is in the stream');
    await consumerCaughtUp(copySeq);
    assert.equal((await notesOf([message!.id])).length, 1, 'the handler ran once');
    assert.equal(await inboxRows(message!.id), 1);
  });

  it('redelivers an event whose handler failed; the handler\'s write and the inbox row commit together, on the attempt that succeeds', async () => {
    const broadcastId = randomUUID();
    const attempts: number[] = [];
    let secondAttemptStarted = false;
    let releaseSecondAttempt!: () => void;
    const gate = new Promise<void>((resolve) => (releaseSecondAttempt = resolve));
    hooks.before = async (message, deliveryCount) => {
      if (message.payload.broadcastId !== broadcastId) return;
      attempts.push(deliveryCount);
      if (deliveryCount === 2) {
        secondAttemptStarted = true;
        await gate;
      }
    };
    hooks.after = (message, deliveryCount) => {
      if (message.payload.broadcastId === broadcastId && deliveryCount === 1) throw new Error('the first attempt fails after writing its note');
    };

    const message = await probeA.outbox.transaction((manager) => probeA.outbox.add(manager, PROBE_EVENT, { broadcastId }));
    await waitFor('the redelivery', () => (secondAttemptStarted ? true : undefined));
    // The first attempt wrote its note, then failed: its transaction left nothing, neither the note
    // nor the inbox row (the second attempt's own writes are not committed yet).
    assert.deepEqual(await notesOf([message.id]), []);
    assert.equal(await inboxRows(message.id), 0);

    releaseSecondAttempt();
    const notes = await notesFor([message.id]);
    assert.deepEqual(notes.map((note) => note.delivery), [2], 'one note, from the second delivery');
    assert.equal(await inboxRows(message.id), 1);
    await consumerCaughtUp(await lastStreamSeq());
    assert.deepEqual(attempts, [1, 2], 'handled again only because the first attempt failed');
  });

  it('handles the events one at a time, in the order they were committed', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    hooks.before = async () => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    hooks.after = () => {
      inFlight -= 1;
    };
    const messages = [...(await throughOutbox(6)), ...(await throughOutbox(6))];
    const notes = await notesFor(messages.map((message) => message.id));
    assert.deepEqual(notes.map((note) => note.event_id), messages.map((message) => message.id));
    assert.equal(mostInFlight, 1);
  });

  it('shares the events between two instances of one durable consumer: each event is handled once in all, still one at a time and in order', async () => {
    const probeB = await boot(probeOptions('B'));
    try {
      let inFlight = 0;
      let mostInFlight = 0;
      hooks.before = async () => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        // Long enough that the other instance's pull is waiting when this one acks.
        await new Promise((resolve) => setTimeout(resolve, 20));
      };
      hooks.after = () => {
        inFlight -= 1;
      };
      const messages = await throughOutbox(30);
      const ids = messages.map((message) => message.id);
      const notes = await notesFor(ids);
      await consumerCaughtUp(await lastStreamSeq());
      const all = await notesOf(ids);
      assert.equal(all.length, ids.length, 'no event was handled twice');
      assert.deepEqual(all.map((note) => note.event_id), ids, 'in order across both instances');
      assert.equal(mostInFlight, 1);
      const byInstance = new Map<string, number>();
      for (const note of notes) byInstance.set(note.instance, (byInstance.get(note.instance) ?? 0) + 1);
      assert.deepEqual([...byInstance.keys()].sort(), ['A', 'B'], `both instances took events: ${JSON.stringify(Object.fromEntries(byInstance))}`);
    } finally {
      await close(probeB);
    }
  });

  it('keeps the events in the outbox while JetStream cannot be reached, and sends them, in order, once it can', async () => {
    const natsAddress = new URL(env.natsUrl);
    const link = await CuttableLink.open({ host: natsAddress.hostname, port: Number(natsAddress.port || 4222) });
    // Another service, whose only way to NATS is the link; the probe consumer (direct) receives.
    const producer = await boot(probeOptions('producer', { service: 'producer', handles: false, natsUrl: link.url('nats') }));
    try {
      await link.cut();
      const messages: ProbeMessage[] = [];
      for (let index = 0; index < 3; index += 1) messages.push(await producer.outbox.transaction((manager) => producer.outbox.add(manager, PROBE_EVENT, { broadcastId: randomUUID() })));
      const ids = messages.map((message) => message.id);
      // Several drain rounds fail meanwhile (each publish times out after 2 s).
      await new Promise((resolve) => setTimeout(resolve, 4_500));
      assert.equal(await producer.outbox.pending(), 3, 'every event waits in the outbox');
      assert.deepEqual(await notesOf(ids), [], 'nothing reached the consumer');

      await link.restore();
      const notes = await notesFor(ids, 3, 30_000);
      assert.deepEqual(notes.map((note) => note.event_id), ids, 'each once, in commit order');
      await waitFor('the outbox to empty', async () => ((await producer.outbox.pending()) === 0 ? true : undefined));
      await consumerCaughtUp(await lastStreamSeq());
      assert.equal((await notesOf(ids)).length, 3, 'a copy sent twice (buffered during the outage, then retried) is handled once');
    } finally {
      await close(producer);
      await link.cut();
    }
  });

  it('sets a malformed event aside (terminated, not retried) and handles the next one', async () => {
    const reached: string[] = [];
    hooks.before = (message) => {
      reached.push(message.id);
    };
    const subject = env.subjectPrefix + PROBE_EVENT.subject;
    await js.publish(subject, 'this is not JSON {', { msgID: randomUUID() });
    const offContract = { ...wrapEvent(PROBE_EVENT, { broadcastId: randomUUID() }, 'another-service'), payload: { broadcastId: 'not-a-uuid' } };
    await lifecycle.publishMessage(PROBE_EVENT, offContract);
    const good = await lifecycle.publish(PROBE_EVENT, { broadcastId: randomUUID() });

    const notes = await notesFor([good.id]);
    assert.equal(notes.length, 1);
    await consumerCaughtUp(await lastStreamSeq());
    assert.deepEqual(reached, [good.id], 'the handler never saw the malformed events');
    assert.deepEqual(await notesOf([offContract.id]), []);
    assert.equal(await inboxRows(offContract.id), 0);
  });
});
