import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { LIFECYCLE_STREAM, wrapEvent, type EventContract, type EventMessage, type EventPayload } from '@streamcaster/contracts';
import { natsConnectionOptions } from '@streamcaster/service-kit';
import { waitFor } from './wait-for.js';

/**
 * Publishes lifecycle events the way a producer's outbox does (JetStream, event id as message id),
 * for tests that play another service: the service under test receives them through its real
 * durable consumer.
 */
export class LifecyclePublisher {
  private constructor(
    private readonly nats: NatsConnection,
    private readonly subjectPrefix: string,
    private readonly producer: string,
  ) {}

  static async connect(natsUrl: string, subjectPrefix: string, producer = 'test'): Promise<LifecyclePublisher> {
    return new LifecyclePublisher(await connect(natsConnectionOptions({ natsUrl }, `${producer}-lifecycle`)), subjectPrefix, producer);
  }

  async publish<E extends EventContract>(event: E, payload: EventPayload<E>, correlationId?: string): Promise<EventMessage<EventPayload<E>>> {
    const message = wrapEvent(event, event.payload.parse(payload) as EventPayload<E>, this.producer, correlationId);
    await this.publishMessage(event, message);
    return message;
  }

  /** Publishes a message as given (a redelivered copy, or one that breaks its contract). */
  async publishMessage(event: EventContract, message: unknown, messageId?: string): Promise<void> {
    const id = messageId ?? (message as { id?: string }).id;
    await jetstream(this.nats).publish(this.subjectPrefix + event.subject, JSON.stringify(message), id ? { msgID: id } : {});
  }

  /**
   * Waits until a service's durable consumer has taken and settled (acked or set aside) every event
   * in the stream so far: what the test published has been handled, or refused, by then.
   */
  async settled(durableName: string, timeoutMs = 15_000): Promise<void> {
    const jsm = await jetstreamManager(this.nats);
    const stream = LIFECYCLE_STREAM.name(this.subjectPrefix);
    const lastSeq = (await jsm.streams.info(stream)).state.last_seq;
    await waitFor(
      `the ${durableName} consumer to settle the lifecycle stream up to ${lastSeq}`,
      async () => {
        const info = await jsm.consumers.info(stream, durableName);
        return info.ack_floor.stream_seq >= lastSeq && info.num_ack_pending === 0 ? true : undefined;
      },
      timeoutMs,
      50,
    );
  }

  /**
   * Every event of one kind that the lifecycle stream holds so far, in stream order: the durable
   * record of what producers published. A core-NATS subscription (BusObserver) gets each at most once
   * and may miss one on a loaded machine; a test that asserts "every transition was published" reads
   * this instead.
   */
  async stored<E extends EventContract>(event: E): Promise<Array<EventMessage<EventPayload<E>>>> {
    const jsm = await jetstreamManager(this.nats);
    const stream = LIFECYCLE_STREAM.name(this.subjectPrefix);
    const { first_seq: first, last_seq: last } = (await jsm.streams.info(stream)).state;
    const subject = this.subjectPrefix + event.subject;
    const messages: Array<EventMessage<EventPayload<E>>> = [];
    for (let seq = first; seq > 0 && seq <= last; seq++) {
      const stored = await jsm.streams.getMessage(stream, { seq });
      if (stored?.subject === subject) messages.push(event.message.parse(JSON.parse(new TextDecoder().decode(stored.data))) as EventMessage<EventPayload<E>>);
    }
    return messages;
  }

  async close(): Promise<void> {
    await this.nats.close();
  }
}
