import { Controller } from '@nestjs/common';
import { BroadcastStateChanged, type EventMessage, type EventPayload } from '@streamcaster/contracts';
import { OnEvent } from '@streamcaster/service-kit';
import { TranscodeProcessor } from './transcode.processor.js';

@Controller()
export class TranscodeNatsController {
  constructor(private readonly processor: TranscodeProcessor) {}

  /** Fan-out: whichever worker holds the broadcast's job must hear that it is over. */
  @OnEvent(BroadcastStateChanged, { fanout: true })
  async onBroadcastState(message: EventMessage<EventPayload<typeof BroadcastStateChanged>>): Promise<void> {
    const { broadcastId, state } = message.payload;
    if (state === 'ending' || state === 'ended' || state === 'failed') {
      await this.processor.stop(broadcastId, `the broadcast is ${state}`);
    }
  }
}
