import { Controller } from '@nestjs/common';
import {
  GetBroadcast,
  IngestStarted,
  IngestStopped,
  ListBroadcasts,
  ProgramStarted,
  StopBroadcast,
  type BroadcastView,
  type CommandRequest,
  type EventMessage,
  type EventPayload,
} from '@streamcaster/contracts';
import { OnCommand, OnEvent } from '@streamcaster/service-kit';
import { BroadcastsService } from './broadcasts.service.js';

@Controller()
export class BroadcastsNatsController {
  constructor(private readonly broadcasts: BroadcastsService) {}

  @OnEvent(IngestStarted)
  onIngestStarted(message: EventMessage<EventPayload<typeof IngestStarted>>): Promise<void> {
    return this.broadcasts.onIngestStarted(message.payload, message.correlationId);
  }

  @OnEvent(IngestStopped)
  onIngestStopped(message: EventMessage<EventPayload<typeof IngestStopped>>): Promise<void> {
    return this.broadcasts.onIngestStopped(message.payload, message.correlationId);
  }

  @OnEvent(ProgramStarted)
  onProgramStarted(message: EventMessage<EventPayload<typeof ProgramStarted>>): Promise<void> {
    return this.broadcasts.onProgramStarted(message.payload.broadcastId, message.correlationId);
  }

  @OnCommand(ListBroadcasts)
  list(request: CommandRequest<typeof ListBroadcasts>): Promise<BroadcastView[]> {
    return this.broadcasts.list(request.environment, request.limit, request.djId);
  }

  @OnCommand(GetBroadcast)
  get(request: CommandRequest<typeof GetBroadcast>): Promise<BroadcastView> {
    return this.broadcasts.get(request.id);
  }

  @OnCommand(StopBroadcast)
  stop(request: CommandRequest<typeof StopBroadcast>): Promise<BroadcastView> {
    return this.broadcasts.stop(request.id);
  }
}
