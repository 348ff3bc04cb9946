import { Logger } from '@nestjs/common';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { ConsumerDefinition, StreamDefinition } from '@streamcaster/contracts';
import { natsConnectionOptions } from '../bus/nats-connection-options.js';

/**
 * This service's JetStream connection (its own NATS connection, apart from Nest's transport), and the
 * idempotent set-up of the streams and durable consumers it uses: whichever service starts first
 * creates them, the others find them as they are (an update makes a changed definition take effect).
 */
export class JetStreamConnection {
  private readonly logger = new Logger(JetStreamConnection.name);
  private connection: NatsConnection | null = null;
  private client: JetStreamClient | null = null;
  private manager: JetStreamManager | null = null;

  constructor(
    private readonly service: string,
    private readonly natsUrl: string,
    readonly subjectPrefix: string,
  ) {}

  async connect(): Promise<void> {
    if (this.connection) return;
    // Reconnects for ever: NATS restarted mid-broadcast must not end anything; the outbox keeps events.
    this.connection = await connect({
      ...natsConnectionOptions({ natsUrl: this.natsUrl }, `${this.service}-jetstream`),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
    this.client = jetstream(this.connection);
    this.manager = await jetstreamManager(this.connection);
  }

  get js(): JetStreamClient {
    if (!this.client) throw new Error('JetStream is not connected yet');
    return this.client;
  }

  get nats(): NatsConnection {
    if (!this.connection) throw new Error('NATS is not connected yet');
    return this.connection;
  }

  streamName(stream: StreamDefinition): string {
    return stream.name(this.subjectPrefix);
  }

  subjectOf(subject: string): string {
    return this.subjectPrefix + subject;
  }

  async ensureStream(stream: StreamDefinition): Promise<void> {
    const jsm = this.requireManager();
    const config = {
      name: this.streamName(stream),
      subjects: stream.events.map((event) => this.subjectOf(event.subject)),
      storage: StorageType.File,
      max_age: nanos(stream.maxAgeMs),
      duplicate_window: nanos(stream.duplicateWindowMs),
    };
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        await jsm.streams.add(config);
      } catch (raced) {
        // Another service created it between our look and our add.
        if (!/already in use/i.test((raced as Error).message)) throw raced;
      }
    }
  }

  async ensureConsumer(stream: StreamDefinition, consumer: ConsumerDefinition): Promise<void> {
    const jsm = this.requireManager();
    const name = this.streamName(stream);
    const config = {
      durable_name: consumer.durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(consumer.ackWaitMs),
      max_deliver: consumer.maxDeliver,
      // One event at a time for the whole service, whatever the number of replicas: in order.
      max_ack_pending: 1,
    };
    try {
      await jsm.consumers.info(name, consumer.durableName);
      await jsm.consumers.update(name, consumer.durableName, config);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.consumers.add(name, config);
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    this.client = null;
    this.manager = null;
    if (!connection) return;
    try {
      await connection.drain();
    } catch (error) {
      this.logger.warn(`closing JetStream: ${(error as Error).message}`);
    }
  }

  private requireManager(): JetStreamManager {
    if (!this.manager) throw new Error('JetStream is not connected yet');
    return this.manager;
  }
}

function isNotFound(error: unknown): boolean {
  return /not found/i.test((error as Error)?.message ?? '');
}
