import {
  Global,
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { COMMON_CONFIG, type CommonConfig } from '../config/common.config.js';
import { LeaseStore } from '../leases/lease-store.js';
import { DurableConsumer } from './durable-consumer.js';
import { JetStreamConnection } from './jetstream.js';
import { Outbox } from './outbox.js';

export interface ControlPlaneOptions {
  service: string;
  /** The service's own PostgreSQL schema, where its outbox, inbox and leases live. */
  schema: string;
}

/**
 * Durable events and leases for one service: its JetStream connection, its outbox (drained while the
 * service runs), its durable consumer (started once every module is ready, stopped first at
 * shutdown) and its lease store. Needs the service's DatabaseModule.
 */
@Global()
@Module({})
export class ControlPlaneModule implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(JetStreamConnection) private readonly jetstream: JetStreamConnection,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(DurableConsumer) private readonly consumer: DurableConsumer,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(LeaseStore) private readonly leases: LeaseStore,
  ) {}

  static forRoot(options: ControlPlaneOptions): DynamicModule {
    const providers = [
      {
        provide: JetStreamConnection,
        inject: [COMMON_CONFIG],
        useFactory: async (config: CommonConfig) => {
          const connection = new JetStreamConnection(options.service, config.natsUrl, config.subjectPrefix);
          await connection.connect();
          return connection;
        },
      },
      {
        provide: Outbox,
        inject: [getDataSourceToken(), JetStreamConnection],
        useFactory: (dataSource: DataSource, jetstream: JetStreamConnection) => new Outbox(dataSource, options.schema, options.service, jetstream),
      },
      {
        provide: DurableConsumer,
        inject: [getDataSourceToken(), JetStreamConnection, Outbox],
        useFactory: (dataSource: DataSource, jetstream: JetStreamConnection, outbox: Outbox) =>
          new DurableConsumer(options.service, options.schema, dataSource, jetstream, outbox),
      },
      {
        provide: LeaseStore,
        inject: [getDataSourceToken()],
        useFactory: (dataSource: DataSource) => new LeaseStore(dataSource, options.schema),
      },
    ];
    return {
      module: ControlPlaneModule,
      imports: [DiscoveryModule],
      providers,
      exports: providers.map((provider) => provider.provide),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.outbox.start();
    this.consumer.discover(this.discovery, this.scanner);
    await this.consumer.start();
  }

  /** Before the database closes: no new event is taken, and what is pending is sent if it can be. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.outbox.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.leases.close();
    await this.jetstream.close();
  }
}
