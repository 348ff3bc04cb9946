import { Controller } from '@nestjs/common';
import {
  GetBroadcast,
  IngestStarted,
  IngestStopped,
  IngestTrackChanged,
  ListBroadcasts,
  ListTracks,
  ProgramSourceChanged,
  ProgramStarted,
  SetNowPlaying,
  StopBroadcast,
  type TrackView,
  UpdateBroadcast,
  type BroadcastView,
  type CommandRequest,
  type CommandResponse,
  type EventMessage,
  type EventPayload,
} from '@streamcaster/contracts';
import { OnCommand, OnDurableEvent, type DurableContext } from '@streamcaster/service-kit';
import { BroadcastsService } from './broadcasts.service.js';
import { TracksService } from './tracks.service.js';

@Controller()
export class BroadcastsNatsController {
  constructor(
    private readonly broadcasts: BroadcastsService,
    private readonly tracks: TracksService,
  ) {}

  @OnDurableEvent(IngestStarted)
  onIngestStarted(message: EventMessage<EventPayload<typeof IngestStarted>>, { manager }: DurableContext): Promise<void> {
    return this.broadcasts.onIngestStarted(manager, message.payload, message.correlationId);
  }

  @OnDurableEvent(IngestStopped)
  onIngestStopped(message: EventMessage<EventPayload<typeof IngestStopped>>, { manager }: DurableContext): Promise<void> {
    return this.broadcasts.onIngestStopped(manager, message.payload, message.correlationId);
  }

  @OnDurableEvent(IngestTrackChanged)
  onIngestTrackChanged(message: EventMessage<EventPayload<typeof IngestTrackChanged>>, { manager }: DurableContext): Promise<void> {
    return this.tracks.onIngestTrackChanged(manager, message.payload);
  }

  @OnDurableEvent(ProgramStarted)
  onProgramStarted(message: EventMessage<EventPayload<typeof ProgramStarted>>, { manager }: DurableContext): Promise<void> {
    return this.broadcasts.onProgramStarted(manager, message.payload.broadcastId, message.correlationId);
  }

  @OnDurableEvent(ProgramSourceChanged)
  onProgramSourceChanged(message: EventMessage<EventPayload<typeof ProgramSourceChanged>>, { manager }: DurableContext): Promise<void> {
    return this.broadcasts.onProgramSourceChanged(manager, message.payload, message.correlationId);
  }

  @OnCommand(ListBroadcasts)
  list(request: CommandRequest<typeof ListBroadcasts>): Promise<BroadcastView[]> {
    const { from, to, ...filter } = request;
    return this.broadcasts.list({ ...filter, from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to) });
  }

  @OnCommand(UpdateBroadcast)
  update(request: CommandRequest<typeof UpdateBroadcast>): Promise<CommandResponse<typeof UpdateBroadcast>> {
    return this.broadcasts.update(request.id, request.patch);
  }

  @OnCommand(GetBroadcast)
  get(request: CommandRequest<typeof GetBroadcast>): Promise<BroadcastView> {
    return this.broadcasts.get(request.id);
  }

  @OnCommand(SetNowPlaying)
  setNowPlaying(request: CommandRequest<typeof SetNowPlaying>): Promise<TrackView> {
    return this.tracks.setNowPlaying(request);
  }

  @OnCommand(ListTracks)
  listTracks(request: CommandRequest<typeof ListTracks>): Promise<TrackView[]> {
    return this.tracks.list(request.broadcastId);
  }

  @OnCommand(StopBroadcast)
  stop(request: CommandRequest<typeof StopBroadcast>): Promise<BroadcastView> {
    return this.broadcasts.stop(request.id);
  }
}
