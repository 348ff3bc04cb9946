import { Inject, Injectable, Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ProgramStarted, type EventMessage, type EventPayload } from '@streamcaster/contracts';
import {
  controlPlaneMigration,
  ControlPlaneModule,
  DatabaseModule,
  DurableConsumer,
  OnDurableEvent,
  Outbox,
  ServiceConfigModule,
  type CommonConfig,
  type DurableContext,
} from '../src/index.js';

/**
 * A service of the tests' own, built from the same parts as the real ones (its schema with the
 * control plane's tables, ControlPlaneModule, a durable handler): what the durable machinery does
 * is seen without any domain logic on top. The handler writes one row per attempt into `notes`
 * through the transaction it is given, so a row exists only if that attempt committed.
 */
export const PROBE_EVENT = ProgramStarted;

export interface ProbeHooks {
  /** Runs inside the handler's transaction before it writes its note. */
  before?: (message: EventMessage<EventPayload<typeof PROBE_EVENT>>, deliveryCount: number) => Promise<void> | void;
  /** Runs inside the handler's transaction after the note; throwing makes the attempt fail. */
  after?: (message: EventMessage<EventPayload<typeof PROBE_EVENT>>, deliveryCount: number) => Promise<void> | void;
}

export interface ProbeOptions {
  /** Service name: the durable consumer's name, shared by instances with the same one. */
  service: string;
  /** Written into each note: which instance handled the event. */
  instance: string;
  databaseUrl: string;
  natsUrl: string;
  subjectPrefix: string;
  /** Without a handler the service only produces (outbox) and consumes nothing. */
  handles: boolean;
  hooks?: ProbeHooks;
}

const PROBE_HOOKS = Symbol('ProbeHooks');
const PROBE_INSTANCE = Symbol('ProbeInstance');

abstract class ProbeConfig {}

function notesMigration(schema: string): new () => MigrationInterface {
  return class ProbeNotes1764700000000 implements MigrationInterface {
    name = 'ProbeNotes1764700000000';
    async up(db: QueryRunner): Promise<void> {
      await db.query(`CREATE TABLE "${schema}".notes (
        seq bigserial PRIMARY KEY,
        event_id uuid NOT NULL,
        broadcast_id uuid NOT NULL,
        instance text NOT NULL,
        delivery integer NOT NULL)`);
    }
    async down(db: QueryRunner): Promise<void> {
      await db.query(`DROP TABLE "${schema}".notes`);
    }
  };
}

@Injectable()
class NotesHandler {
  constructor(
    @Inject(PROBE_HOOKS) private readonly hooks: ProbeHooks,
    @Inject(PROBE_INSTANCE) private readonly instance: { name: string; schema: string },
  ) {}

  @OnDurableEvent(PROBE_EVENT)
  async onEvent(message: EventMessage<EventPayload<typeof PROBE_EVENT>>, { manager, deliveryCount }: DurableContext): Promise<void> {
    await this.hooks.before?.(message, deliveryCount);
    await manager.query(`INSERT INTO "${this.instance.schema}".notes (event_id, broadcast_id, instance, delivery) VALUES ($1, $2, $3, $4)`, [
      message.id,
      message.payload.broadcastId,
      this.instance.name,
      deliveryCount,
    ]);
    await this.hooks.after?.(message, deliveryCount);
  }
}

@Module({})
class ProbeModule {}

function probeModule(options: ProbeOptions): DynamicModule {
  const schema = options.service;
  const config: CommonConfig = {
    natsUrl: options.natsUrl,
    subjectPrefix: options.subjectPrefix,
    redisUrl: 'redis://127.0.0.1:6379',
    queuePrefix: 'unused',
    dataDir: 'unused',
  };
  return {
    module: ProbeModule,
    imports: [
      ServiceConfigModule.forRoot(ProbeConfig, config),
      DatabaseModule.forRootAsync({
        inject: [],
        useFactory: () => ({ url: options.databaseUrl, schema, entities: [], migrations: [controlPlaneMigration(schema), notesMigration(schema)] }),
      }),
      ControlPlaneModule.forRoot({ service: options.service, schema }),
    ],
    providers: [
      { provide: PROBE_HOOKS, useValue: options.hooks ?? {} },
      { provide: PROBE_INSTANCE, useValue: { name: options.instance, schema } },
      ...(options.handles ? [NotesHandler] : []),
    ],
  };
}

export interface ProbeService {
  app: INestApplicationContext;
  outbox: Outbox;
  consumer: DurableConsumer;
  close(): Promise<void>;
}

/** Boots a probe service: its consumer takes events as soon as this resolves. */
export async function startProbe(options: ProbeOptions): Promise<ProbeService> {
  const app = await NestFactory.createApplicationContext(probeModule(options), { logger: ['error', 'warn'] });
  return {
    app,
    outbox: app.get(Outbox),
    consumer: app.get(DurableConsumer),
    close: () => app.close(),
  };
}
