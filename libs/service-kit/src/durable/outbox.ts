import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { wrapEvent, type EventContract, type EventMessage, type EventPayload } from '@streamcaster/contracts';
import type { JetStreamConnection } from './jetstream.js';
import { outboxSources } from '../metrics/outbox.metrics.js';

const DRAIN_EVERY_MS = 200;
const BATCH = 100;

/**
 * The producer's side of a durable event. An event is first a row in the service's own `outbox`
 * table, written in the same transaction as the state change it reports, so that a crash after the
 * commit cannot lose it; a drainer then publishes the rows to JetStream in order and deletes them.
 * A row published twice (a crash between publish and delete) carries the same id: JetStream drops
 * the copy within its duplicate window, and consumers are idempotent by event id beyond it.
 */
export class Outbox {
  private readonly logger = new Logger(Outbox.name);
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private again = false;
  private failing = false;
  private leaveMetrics: (() => void) | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly producer: string,
    private readonly jetstream: JetStreamConnection,
  ) {}

  /** Writes an event within the caller's transaction; it leaves once that transaction commits. */
  async add<E extends EventContract>(
    manager: EntityManager,
    event: E,
    payload: EventPayload<E>,
    correlationId?: string,
  ): Promise<EventMessage<EventPayload<E>>> {
    const message = wrapEvent(event, event.payload.parse(payload) as EventPayload<E>, this.producer, correlationId);
    await manager.query(`INSERT INTO "${this.schema}".outbox (event_id, subject, message) VALUES ($1, $2, $3)`, [
      message.id,
      event.subject,
      JSON.stringify(message),
    ]);
    return message;
  }

  /** For a write outside any transaction of the caller's. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** One event on its own: its own transaction, then sent at once. */
  async publish<E extends EventContract>(event: E, payload: EventPayload<E>, correlationId?: string): Promise<void> {
    await this.dataSource.transaction((manager) => this.add(manager, event, payload, correlationId));
    this.kick();
  }

  /** Runs `work` in a transaction whose events leave as soon as it has committed. */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    this.kick();
    return result;
  }

  /** Something was committed: drain now instead of at the next tick. */
  kick(): void {
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  start(): void {
    this.timer ??= setInterval(() => this.kick(), DRAIN_EVERY_MS);
    this.leaveMetrics ??= outboxSources.add(this);
    this.kick();
  }

  /** Stops the ticks and sends what is pending, as far as the bus takes it. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.leaveMetrics?.();
    this.leaveMetrics = null;
    await this.draining;
    await this.drain();
  }

  /** Events not yet on JetStream (for health and tests). */
  async pending(): Promise<number> {
    const [row] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM "${this.schema}".outbox`)) as Array<{ n: number }>;
    return row?.n ?? 0;
  }

  private async drain(): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        // One drainer per service at a time, so that events leave in the order they were committed.
        const [lock] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [`outbox:${this.schema}`])) as Array<{ locked: boolean }>;
        if (!lock?.locked) return;
        const rows = (await manager.query(`SELECT seq, event_id, subject, message FROM "${this.schema}".outbox ORDER BY seq LIMIT ${BATCH}`)) as Array<{
          seq: string;
          event_id: string;
          subject: string;
          message: unknown;
        }>;
        let lastSent: string | null = null;
        for (const row of rows) {
          try {
            await this.jetstream.js.publish(this.jetstream.subjectOf(row.subject), JSON.stringify(row.message), { msgID: row.event_id, timeout: 2_000 });
          } catch (error) {
            this.reportFailure(error);
            break;
          }
          lastSent = row.seq;
        }
        if (lastSent !== null) {
          await manager.query(`DELETE FROM "${this.schema}".outbox WHERE seq <= $1`, [lastSent]);
          if (this.failing) this.logger.log('the outbox reaches JetStream again; pending events were sent');
          this.failing = false;
        }
      });
    } catch (error) {
      this.reportFailure(error);
    }
  }

  /** Once per outage, not five times a second. */
  private reportFailure(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(`events wait in the outbox: ${(error as Error).message}`);
  }
}
