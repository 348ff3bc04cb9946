import { Controller } from '@nestjs/common';
import {
  IngestPlayerAttached,
  IngestPlayerDetached,
  ListOpenIngestSessions,
  type EventMessage,
  type EventPayload,
  type OpenIngestSession,
} from '@streamcaster/contracts';
import { OnCommand, OnEvent } from '@streamcaster/service-kit';
import { DjsService } from '../djs/djs.service.js';
import { IngestSessionsRepository } from './ingest-sessions.repository.js';
import { ingestStreamOf } from './ingest-stream.js';
import { StreamListeners } from './stream-listeners.js';

@Controller()
export class IngestNatsController {
  constructor(
    private readonly listeners: StreamListeners,
    private readonly sessions: IngestSessionsRepository,
    private readonly djs: DjsService,
  ) {}

  /** Fan-out: the replica holding a DJ's on_publish may not be the one nginx told about the player. */
  @OnEvent(IngestPlayerAttached, { fanout: true })
  onAttached(message: EventMessage<EventPayload<typeof IngestPlayerAttached>>): void {
    this.listeners.attached(message.payload.app, message.payload.streamName);
  }

  @OnEvent(IngestPlayerDetached, { fanout: true })
  onDetached(message: EventMessage<EventPayload<typeof IngestPlayerDetached>>): void {
    this.listeners.detached(message.payload.app, message.payload.streamName);
  }

  /** For the publisher's reconciler: who is publishing now, as the gateway's sessions say. */
  @OnCommand(ListOpenIngestSessions)
  async listOpen(): Promise<OpenIngestSession[]> {
    const names = new Map((await this.djs.list()).map((dj) => [dj.id, dj.name]));
    return (await this.sessions.listOpen()).map((session) => ({
      ingestId: session.id,
      djId: session.djId,
      djName: names.get(session.djId) ?? 'unknown DJ',
      environment: session.environment,
      stream: ingestStreamOf(session),
      startedAt: session.startedAt.toISOString(),
    }));
  }
}
