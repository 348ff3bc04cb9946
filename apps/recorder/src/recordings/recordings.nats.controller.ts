import { Controller } from '@nestjs/common';
import {
  BroadcastStateChanged,
  broadcastRuns,
  GetRecording,
  ListRecordings,
  LocateRecordingFile,
  type CommandRequest,
  type EventMessage,
  type EventPayload,
  type RecordingView,
} from '@streamcaster/contracts';
import { OnCommand, OnDurableEvent, OnEvent, type DurableContext } from '@streamcaster/service-kit';
import { RecordingsService } from './recordings.service.js';

@Controller()
export class RecordingsNatsController {
  constructor(private readonly recordings: RecordingsService) {}

  @OnDurableEvent(BroadcastStateChanged)
  async onBroadcastState(message: EventMessage<EventPayload<typeof BroadcastStateChanged>>, { manager }: DurableContext): Promise<void> {
    const { broadcastId, state } = message.payload;
    if (broadcastRuns(state)) await this.recordings.onBroadcastRunning(manager, broadcastId);
    else await this.recordings.onBroadcastOver(manager, broadcastId);
  }

  /** A fan-out hint on core NATS: every replica looks for recordings to write or stop at once. */
  @OnEvent(BroadcastStateChanged, { fanout: true })
  onBroadcastStateHint(): void {
    setTimeout(() => this.recordings.nudge(), 50);
  }

  @OnCommand(ListRecordings)
  list(request: CommandRequest<typeof ListRecordings>): Promise<RecordingView[]> {
    return this.recordings.list(request.broadcastId, request.broadcastIds);
  }

  @OnCommand(GetRecording)
  get(request: CommandRequest<typeof GetRecording>): Promise<RecordingView> {
    return this.recordings.get(request.id);
  }

  @OnCommand(LocateRecordingFile)
  locate(request: CommandRequest<typeof LocateRecordingFile>): Promise<{ relativePath: string; sizeBytes: number }> {
    return this.recordings.locateFile(request.id);
  }
}
