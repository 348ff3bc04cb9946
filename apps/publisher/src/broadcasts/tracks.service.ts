import { Injectable, Logger } from '@nestjs/common';
import { BroadcastUpdated, broadcastRuns, TrackChanged, type CommandRequest, type SetNowPlaying, type TrackView } from '@streamcaster/contracts';
import { BusClient, BusException, Outbox } from '@streamcaster/service-kit';
import { BroadcastTrackEntity } from './broadcast-track.entity.js';
import { BroadcastEntity } from './broadcast.entity.js';

function toView(track: BroadcastTrackEntity): TrackView {
  return { broadcastId: track.broadcastId, artist: track.artist, title: track.title, source: track.source, startedAt: track.startedAt.toISOString() };
}

/**
 * Each broadcast's tracklist. A new track is saved, becomes the broadcast's `nowPlaying` and leaves
 * as `broadcast.track-changed` in one transaction (the transcoder draws it); the same track told
 * twice (DJ software repeats itself, a source resends its metadata) changes nothing.
 */
@Injectable()
export class TracksService {
  private readonly logger = new Logger(TracksService.name);

  constructor(
    private readonly outbox: Outbox,
    private readonly bus: BusClient,
  ) {}

  async setNowPlaying(request: CommandRequest<typeof SetNowPlaying>): Promise<TrackView> {
    const { broadcastId, artist, title, source } = request;
    const result = await this.outbox.transaction(async (manager) => {
      // The row lock orders two track changes of one broadcast: the later one is the one playing.
      const broadcast = await manager.getRepository(BroadcastEntity).findOne({ where: { id: broadcastId }, lock: { mode: 'pessimistic_write' } });
      if (!broadcast) throw new BusException('not_found', `no broadcast with id ${broadcastId}`);
      if (!broadcastRuns(broadcast.state)) throw new BusException('conflict', `broadcast ${broadcastId} is ${broadcast.state}: it plays no track any more`);
      const tracks = manager.getRepository(BroadcastTrackEntity);
      const current = await tracks.findOne({ where: { broadcastId }, order: { id: 'DESC' } });
      if (current && current.title === title && current.artist === artist) return { track: current, changed: false, environment: broadcast.environment };
      const track = await tracks.save(tracks.create({ broadcastId, artist, title, source, startedAt: new Date() }));
      const startedAt = track.startedAt.toISOString();
      await manager.getRepository(BroadcastEntity).update({ id: broadcastId }, { nowPlaying: { artist, title, startedAt } });
      await this.outbox.add(manager, TrackChanged, { broadcastId, artist, title, startedAt }, broadcastId);
      return { track, changed: true, environment: broadcast.environment };
    });
    if (result.changed) {
      this.logger.log(`broadcast ${broadcastId} plays "${artist ? `${artist} – ` : ''}${title}" (${source})`);
      // A hint for whoever shows the broadcast (the dashboard asks again).
      void this.bus.emit(BroadcastUpdated, { broadcastId, environment: result.environment }).catch(() => undefined);
    }
    return toView(result.track);
  }

  async list(broadcastId: string): Promise<TrackView[]> {
    return this.outbox.transaction(async (manager) => {
      if (!(await manager.getRepository(BroadcastEntity).existsBy({ id: broadcastId }))) throw new BusException('not_found', `no broadcast with id ${broadcastId}`);
      return (await manager.getRepository(BroadcastTrackEntity).find({ where: { broadcastId }, order: { id: 'ASC' } })).map(toView);
    });
  }
}
