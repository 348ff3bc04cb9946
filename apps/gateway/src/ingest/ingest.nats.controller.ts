import { Controller } from '@nestjs/common';
import { IngestPlayerAttached, IngestPlayerDetached, type EventMessage, type EventPayload } from '@streamcaster/contracts';
import { OnEvent } from '@streamcaster/service-kit';
import { StreamListeners } from './stream-listeners.js';

@Controller()
export class IngestNatsController {
  constructor(private readonly listeners: StreamListeners) {}

  /** Fan-out: the replica holding a DJ's on_publish may not be the one nginx told about the player. */
  @OnEvent(IngestPlayerAttached, { fanout: true })
  onAttached(message: EventMessage<EventPayload<typeof IngestPlayerAttached>>): void {
    this.listeners.attached(message.payload.app, message.payload.streamName);
  }

  @OnEvent(IngestPlayerDetached, { fanout: true })
  onDetached(message: EventMessage<EventPayload<typeof IngestPlayerDetached>>): void {
    this.listeners.detached(message.payload.app, message.payload.streamName);
  }
}
