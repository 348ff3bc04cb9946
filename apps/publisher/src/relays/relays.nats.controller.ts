import { Controller } from '@nestjs/common';
import { BroadcastStateChanged, ProgramStarted, type EventMessage, type EventPayload } from '@streamcaster/contracts';
import { OnEvent } from '@streamcaster/service-kit';
import { RelayWorkers } from './relay-workers.service.js';

/**
 * Fan-out hints to every replica, heard on core NATS as the durable events pass: they only make the
 * relays react at once. Were one lost, the next lease scan (every second) would do the same.
 */
@Controller()
export class RelaysNatsController {
  constructor(private readonly relays: RelayWorkers) {}

  @OnEvent(BroadcastStateChanged, { fanout: true })
  onBroadcastState(_message: EventMessage<EventPayload<typeof BroadcastStateChanged>>): void {
    this.relays.nudge();
  }

  @OnEvent(ProgramStarted, { fanout: true })
  onProgramStarted(message: EventMessage<EventPayload<typeof ProgramStarted>>): void {
    this.relays.programStarted(message.payload.broadcastId);
  }
}
