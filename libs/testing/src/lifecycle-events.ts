import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { wrapEvent, type EventContract, type EventMessage, type EventPayload } from '@streamcaster/contracts';
import { natsConnectionOptions } from '@streamcaster/service-kit';

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

  async close(): Promise<void> {
    await this.nats.close();
  }
}
