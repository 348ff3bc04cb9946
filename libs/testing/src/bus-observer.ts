import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { EventContract, EventMessage, EventPayload } from '@streamcaster/contracts';
import { natsConnectionOptions } from '@streamcaster/service-kit';
import { waitFor } from './wait-for.js';

/** What Nest's NATS transport puts on the wire for an event: `{ pattern, data }` as JSON. */
interface NestEventPacket {
  pattern: string;
  data: unknown;
}

/**
 * Listens on the raw NATS connection, as a foreign consumer would, and keeps every message of the
 * subscribed events after checking it against the event's contract (envelope included). It sees
 * both paths: core events (Nest's packet) and lifecycle events on their way into JetStream (an
 * outbox publishes the bare envelope, and a JetStream publish is a core publish too).
 */
export class BusObserver {
  private readonly received = new Map<string, unknown[]>();
  private readonly subscriptions: Subscription[] = [];
  private readonly problems: string[] = [];

  private constructor(
    private readonly connection: NatsConnection,
    private readonly subjectPrefix: string,
  ) {}

  static async connect(natsUrl: string, subjectPrefix: string): Promise<BusObserver> {
    return new BusObserver(await connect(natsConnectionOptions({ natsUrl }, 'test-observer')), subjectPrefix);
  }

  /** Resolves once the server has the subscription, so that no later event can be missed. */
  async observe(...events: EventContract[]): Promise<void> {
    for (const event of events) {
      const list: unknown[] = [];
      this.received.set(event.subject, list);
      this.subscriptions.push(
        this.connection.subscribe(this.subjectPrefix + event.subject, {
          callback: (error, message) => {
            if (error) return;
            let body: unknown;
            try {
              body = message.json<unknown>();
            } catch {
              this.problems.push(`${event.subject}: a message that is not JSON`);
              return;
            }
            const packet = isNestPacket(body) ? body : null;
            if (packet && packet.pattern !== event.subject) this.problems.push(`${event.subject}: packet pattern is ${packet.pattern}`);
            const parsed = event.message.safeParse(packet ? packet.data : body);
            if (parsed.success) list.push(parsed.data);
            else this.problems.push(`${event.subject}: off-contract message: ${parsed.error.message}`);
          },
        }),
      );
    }
    await this.connection.flush();
  }

  /** Every message of `event` seen so far. */
  messages<E extends EventContract>(event: E): Array<EventMessage<EventPayload<E>>> {
    const list = this.received.get(event.subject);
    if (!list) throw new Error(`${event.subject} is not observed`);
    return list as Array<EventMessage<EventPayload<E>>>;
  }

  /** The first message of `event` that satisfies `match`, waiting for it up to `timeoutMs`. */
  waitFor<E extends EventContract>(
    event: E,
    match: (payload: EventPayload<E>, message: EventMessage<EventPayload<E>>) => boolean,
    timeoutMs = 10_000,
  ): Promise<EventMessage<EventPayload<E>>> {
    return waitFor(
      `a ${event.subject} event`,
      () => this.messages(event).find((message) => match(message.payload, message)),
      timeoutMs,
      50,
    );
  }

  /** Messages that did not match their contract: a test asserts this stays empty. */
  get offContract(): readonly string[] {
    return this.problems;
  }

  get nats(): NatsConnection {
    return this.connection;
  }

  async close(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await this.connection.close();
  }
}

function isNestPacket(body: unknown): body is NestEventPacket {
  return typeof body === 'object' && body !== null && 'pattern' in body && 'data' in body;
}

/**
 * Sends a command the way Nest's client does, but without BusClient's own validation: shows what
 * the owning service answers to a request that a foreign or buggy client could send.
 */
export async function rawCommand(
  connection: NatsConnection,
  subjectPrefix: string,
  subject: string,
  data: unknown,
): Promise<{ err?: unknown; response?: unknown }> {
  const reply = await connection.request(subjectPrefix + subject, JSON.stringify({ pattern: subject, data, id: crypto.randomUUID() }), {
    timeout: 5_000,
  });
  return reply.json<{ err?: unknown; response?: unknown }>();
}
