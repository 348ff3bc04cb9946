import { Controller } from '@nestjs/common';
import {
  BroadcastStateChanged,
  GetRecording,
  ListRecordings,
  LocateRecordingFile,
  type CommandRequest,
  type EventMessage,
  type EventPayload,
  type RecordingView,
} from '@streamcaster/contracts';
import { OnCommand, OnEvent } from '@streamcaster/service-kit';
import { RecordingsService } from './recordings.service.js';

@Controller()
export class RecordingsNatsController {
  constructor(private readonly recordings: RecordingsService) {}

  /**
   * Fan-out: every recorder hears every broadcast. Starting is decided by a database claim, and the
   * end must reach whichever recorder holds the process.
   */
  @OnEvent(BroadcastStateChanged, { fanout: true })
  async onBroadcastState(message: EventMessage<EventPayload<typeof BroadcastStateChanged>>): Promise<void> {
    const { broadcastId, state } = message.payload;
    if (state === 'starting' || state === 'live') await this.recordings.startRecording(broadcastId);
    if (state === 'ending' || state === 'ended' || state === 'failed') await this.recordings.finishRecording(broadcastId);
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
