import { Controller } from '@nestjs/common';
import { EncoderProgress, RecordingProgress, RelayProgress, type EventMessage, type EventPayload } from '@streamcaster/contracts';
import { OnEvent } from '@streamcaster/service-kit';
import { ProgressStore } from './progress-store.js';

/** Progress on core NATS, heard by every replica (fan-out): whichever leads has the latest figures. */
@Controller()
export class ProgressNatsController {
  constructor(private readonly store: ProgressStore) {}

  @OnEvent(EncoderProgress, { fanout: true })
  onEncoderProgress(message: EventMessage<EventPayload<typeof EncoderProgress>>): void {
    const { broadcastId, encoder, progress } = message.payload;
    this.store.encoderProgress(broadcastId, { encoder, progress });
  }

  @OnEvent(RelayProgress, { fanout: true })
  onRelayProgress(message: EventMessage<EventPayload<typeof RelayProgress>>): void {
    const { broadcastId, destinationId, progress } = message.payload;
    this.store.relayProgress(broadcastId, destinationId, progress);
  }

  @OnEvent(RecordingProgress, { fanout: true })
  onRecordingProgress(message: EventMessage<EventPayload<typeof RecordingProgress>>): void {
    const { broadcastId, recordingId, sizeBytes, durationSeconds } = message.payload;
    this.store.recordingProgress(broadcastId, { recordingId, sizeBytes, durationSeconds });
  }
}
