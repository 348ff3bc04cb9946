import { Controller } from '@nestjs/common';
import { BroadcastStateChanged, BroadcastUpdated, RelayStateChanged, StatsSnapshot, type EventMessage, type EventPayload } from '@streamcaster/contracts';
import { OnEvent } from '@streamcaster/service-kit';
import { LiveTopicsService } from './live-topics.service.js';

/**
 * What the live channel hears on the bus. Fan-out, no queue group: every gateway replica has its own
 * clients, so every replica needs every event. The lifecycle events travel on JetStream for their
 * durable consumers, but a JetStream publish is a core publish as well: a plain subscription sees it
 * (nothing to acknowledge, and a missed one is corrected by the next).
 */
@Controller()
export class LiveEventsNatsController {
  constructor(private readonly topics: LiveTopicsService) {}

  @OnEvent(BroadcastStateChanged, { fanout: true })
  onBroadcastState(message: EventMessage<EventPayload<typeof BroadcastStateChanged>>): void {
    this.topics.broadcastChanged(message.payload.broadcastId, message.payload.environment, false);
  }

  @OnEvent(BroadcastUpdated, { fanout: true })
  onBroadcastUpdated(message: EventMessage<EventPayload<typeof BroadcastUpdated>>): void {
    this.topics.broadcastChanged(message.payload.broadcastId, message.payload.environment, false);
  }

  /** A destination's state goes out at once, not at the end of its topic's second. */
  @OnEvent(RelayStateChanged, { fanout: true })
  onRelayState(message: EventMessage<EventPayload<typeof RelayStateChanged>>): void {
    this.topics.broadcastChanged(message.payload.broadcastId, undefined, true);
  }

  @OnEvent(StatsSnapshot, { fanout: true })
  onSnapshot(message: EventMessage<EventPayload<typeof StatsSnapshot>>): void {
    this.topics.snapshotReceived(message.payload);
  }
}
