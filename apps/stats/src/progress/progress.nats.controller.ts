import { Controller } from '@nestjs/common';
import { EncoderProgress, PlatformViewers, RecordingProgress, RelayProgress, type EventMessage, type EventPayload } from '@streamcaster/contracts';
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

  @OnEvent(PlatformViewers, { fanout: true })
  onPlatformViewers(message: EventMessage<EventPayload<typeof PlatformViewers>>): void {
    const { broadcastId, destinationId, platform, viewers, at } = message.payload;
    this.store.viewersReport(broadcastId, destinationId, { platform, viewers, at });
  }

  @OnEvent(RecordingProgress, { fanout: true })
  onRecordingProgress(message: EventMessage<EventPayload<typeof RecordingProgress>>): void {
    const { broadcastId, recordingId, sizeBytes, durationSeconds } = message.payload;
    this.store.recordingProgress(broadcastId, { recordingId, sizeBytes, durationSeconds });
  }
}
