import { Controller } from '@nestjs/common';
import { BroadcastStateChanged, type EventMessage, type EventPayload } from '@streamcaster/contracts';
import { OnEvent } from '@streamcaster/service-kit';
import { RelayManager } from './relay-manager.service.js';

@Controller()
export class RelaysNatsController {
  constructor(private readonly relays: RelayManager) {}

  /**
   * Fan-out: the replica that ends a broadcast (end job, stop command) is not always the one whose
   * processes push its relays; every replica stops the relays it holds for a broadcast that is over.
   */
  @OnEvent(BroadcastStateChanged, { fanout: true })
  async onBroadcastState(message: EventMessage<EventPayload<typeof BroadcastStateChanged>>): Promise<void> {
    const { broadcastId, state } = message.payload;
    if (state === 'ending' || state === 'ended' || state === 'failed') await this.relays.stopAll(broadcastId);
  }
}
