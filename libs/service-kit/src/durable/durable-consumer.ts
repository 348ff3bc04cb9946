import { Logger } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { JsMsg } from '@nats-io/jetstream';
import type { DataSource } from 'typeorm';
import { LIFECYCLE_STREAM, lifecycleConsumer, type ConsumerDefinition, type EventContract } from '@streamcaster/contracts';
import type { JetStreamConnection } from './jetstream.js';
import { DURABLE_EVENT, type DurableHandler } from './on-durable-event.decorator.js';
import type { Outbox } from './outbox.js';

interface Registered {
  event: EventContract;
  handlers: Array<{ name: string; handle: DurableHandler }>;
}

const INBOX_KEEP_DAYS = 8;

/**
 * The service's one durable consumer of the lifecycle stream, shared by its replicas. It finds every
 * method marked @OnDurableEvent in the service's controllers and providers, and runs each event
 * through them in one transaction (see OnDurableEvent). Events the service has no handler for are
 * acknowledged at once.
 */
export class DurableConsumer {
  private readonly logger = new Logger(DurableConsumer.name);
  private readonly bySubject = new Map<string, Registered>();
  private readonly definition: ConsumerDefinition;
  private running: Promise<void> | null = null;
  private stopping = false;
  private stopCurrent: (() => void) | null = null;
  private cleanup: NodeJS.Timeout | null = null;
  /** Events handled by this replica; for tests and metrics. */
  handled = 0;

  constructor(
    service: string,
    private readonly schema: string,
    private readonly dataSource: DataSource,
    private readonly jetstream: JetStreamConnection,
    private readonly outbox: Outbox,
  ) {
    this.definition = lifecycleConsumer(service);
  }

  /** Collects the @OnDurableEvent methods of every instance Nest built. */
  discover(discovery: DiscoveryService, scanner: MetadataScanner): void {
    for (const wrapper of [...discovery.getControllers(), ...discovery.getProviders()]) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const event = Reflect.getMetadata(DURABLE_EVENT, method) as EventContract | undefined;
        if (!event) continue;
        if (!LIFECYCLE_STREAM.events.includes(event)) throw new Error(`${event.subject} is not on the lifecycle stream; it cannot be handled durably`);
        const registered = this.bySubject.get(event.subject) ?? { event, handlers: [] };
        registered.handlers.push({ name: `${instance.constructor.name}.${name}`, handle: (method as DurableHandler).bind(instance) });
        this.bySubject.set(event.subject, registered);
      }
    }
  }

  get subjects(): string[] {
    return [...this.bySubject.keys()];
  }

  async start(): Promise<void> {
    await this.jetstream.ensureStream(LIFECYCLE_STREAM);
    if (this.bySubject.size === 0) return;
    await this.jetstream.ensureConsumer(LIFECYCLE_STREAM, this.definition);
    this.running = this.loop();
    this.cleanup = setInterval(() => void this.forgetOldEvents(), 3_600_000);
  }

  /** Stops taking events and waits for the one in hand to finish (it is then acked or redelivered). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.cleanup) clearInterval(this.cleanup);
    this.stopCurrent?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        const consumer = await this.jetstream.js.consumers.get(LIFECYCLE_STREAM.name(this.jetstream.subjectPrefix), this.definition.durableName);
        const messages = await consumer.consume({ max_messages: 1 });
        this.stopCurrent = () => void messages.close();
        for await (const message of messages) {
          await this.handle(message);
          if (this.stopping) break;
        }
        await messages.close();
      } catch (error) {
        if (this.stopping) break;
        this.logger.warn(`durable consumer ${this.definition.durableName}: ${(error as Error).message}; retrying`);
      }
      if (!this.stopping) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  private async handle(message: JsMsg): Promise<void> {
    const subject = message.subject.slice(this.jetstream.subjectPrefix.length);
    const registered = this.bySubject.get(subject);
    if (!registered) {
      message.ack();
      return;
    }
    let parsed;
    try {
      parsed = registered.event.message.safeParse(message.json());
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      // Retrying cannot make a malformed event valid: set it aside, say so, keep the stream moving.
      this.logger.error(`dropped a malformed ${subject} event (stream sequence ${message.seq}): ${parsed?.error.message ?? 'not JSON'}`);
      // No reason with the TERM: nats-server before 2.10 (Debian 12 ships 2.9) takes only a bare
      // "+TERM", ignores "+TERM <reason>", and would redeliver the event after every ack wait.
      message.term();
      return;
    }
    const event = parsed.data;
    const deliveryCount = message.info.deliveryCount;
    // Long handlers tell JetStream they still work on it, so it is not given to another replica.
    const heartbeat = setInterval(() => message.working(), Math.max(1_000, this.definition.ackWaitMs / 3));
    try {
      await this.dataSource.transaction(async (manager) => {
        const fresh = (await manager.query(
          `INSERT INTO "${this.schema}".inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
          [this.definition.durableName, event.id],
        )) as unknown[];
        if (fresh.length === 0) return; // handled before: a redelivery after the commit
        for (const handler of registered.handlers) await handler.handle(event, { manager, deliveryCount });
      });
      message.ack();
      this.handled += 1;
      this.outbox.kick();
    } catch (error) {
      if (deliveryCount >= this.definition.maxDeliver) {
        this.logger.error(`gave up on ${subject} ${event.id} after ${deliveryCount} attempts: ${(error as Error).message}`);
        message.term();
      } else {
        const delay = Math.min(10_000, 250 * 2 ** Math.min(deliveryCount, 6));
        this.logger.warn(`${subject} ${event.id} failed (attempt ${deliveryCount}), retried in ${delay} ms: ${(error as Error).message}`);
        message.nak(delay);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async forgetOldEvents(): Promise<void> {
    try {
      await this.dataSource.query(`DELETE FROM "${this.schema}".inbox WHERE handled_at < now() - make_interval(days => ${INBOX_KEEP_DAYS})`);
    } catch (error) {
      this.logger.warn(`inbox clean-up failed: ${(error as Error).message}`);
    }
  }
}
