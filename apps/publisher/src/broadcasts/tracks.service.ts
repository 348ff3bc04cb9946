import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  BroadcastUpdated,
  broadcastRuns,
  TrackChanged,
  trackLine,
  type CommandRequest,
  type EventPayload,
  type IngestTrackChanged,
  type SetNowPlaying,
  type TrackView,
} from '@streamcaster/contracts';
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
    const result = await this.outbox.transaction(async (manager) => {
      // The row lock orders two track changes of one broadcast: the later one is the one playing.
      const broadcast = await manager.getRepository(BroadcastEntity).findOne({ where: { id: request.broadcastId }, lock: { mode: 'pessimistic_write' } });
      if (!broadcast) throw new BusException('not_found', `no broadcast with id ${request.broadcastId}`);
      if (!broadcastRuns(broadcast.state)) throw new BusException('conflict', `broadcast ${request.broadcastId} is ${broadcast.state}: it plays no track any more`);
      return { ...(await this.record(manager, broadcast, request)), broadcast };
    });
    if (result.changed) this.announce(result.broadcast, result.track);
    return toView(result.track);
  }

  /**
   * A title from the DJ's own source (Icecast metadata), for the broadcast running on that DJ
   * connection now. A title that comes when no broadcast runs on it (the broadcast ended, the DJ came
   * back on another connection) belongs to nothing and is dropped.
   */
  async onIngestTrackChanged(manager: EntityManager, event: EventPayload<typeof IngestTrackChanged>): Promise<void> {
    const broadcasts = await manager.getRepository(BroadcastEntity).find({
      where: { currentIngestId: event.ingestId },
      lock: { mode: 'pessimistic_write' },
    });
    const broadcast = broadcasts.find((candidate) => broadcastRuns(candidate.state));
    if (!broadcast) {
      this.logger.log(`no running broadcast on DJ connection ${event.ingestId}: title "${event.title}" dropped`);
      return;
    }
    const result = await this.record(manager, broadcast, { artist: event.artist, title: event.title, source: 'stream-metadata' });
    // The transaction commits after this handler; the hint only makes the dashboard ask again.
    if (result.changed) this.announce(broadcast, result.track);
  }

  /** Saves a new current track (the same one again changes nothing) and its `broadcast.track-changed`. */
  private async record(
    manager: EntityManager,
    broadcast: BroadcastEntity,
    { artist, title, source }: { artist: string | null; title: string; source: TrackView['source'] },
  ): Promise<{ track: BroadcastTrackEntity; changed: boolean }> {
    const broadcastId = broadcast.id;
    const tracks = manager.getRepository(BroadcastTrackEntity);
    const current = await tracks.findOne({ where: { broadcastId }, order: { id: 'DESC' } });
    if (current && current.title === title && current.artist === artist) return { track: current, changed: false };
    const track = await tracks.save(tracks.create({ broadcastId, artist, title, source, startedAt: new Date() }));
    const startedAt = track.startedAt.toISOString();
    await manager.getRepository(BroadcastEntity).update({ id: broadcastId }, { nowPlaying: { artist, title, startedAt } });
    await this.outbox.add(manager, TrackChanged, { broadcastId, artist, title, startedAt }, broadcastId);
    return { track, changed: true };
  }

  private announce(broadcast: BroadcastEntity, track: BroadcastTrackEntity): void {
    this.logger.log(`broadcast ${broadcast.id} plays "${trackLine(track)}" (${track.source})`);
    // A hint for whoever shows the broadcast (the dashboard asks again).
    void this.bus.emit(BroadcastUpdated, { broadcastId: broadcast.id, environment: broadcast.environment }).catch(() => undefined);
  }

  async list(broadcastId: string): Promise<TrackView[]> {
    return this.outbox.transaction(async (manager) => {
      if (!(await manager.getRepository(BroadcastEntity).existsBy({ id: broadcastId }))) throw new BusException('not_found', `no broadcast with id ${broadcastId}`);
      return (await manager.getRepository(BroadcastTrackEntity).find({ where: { broadcastId }, order: { id: 'ASC' } })).map(toView);
    });
  }
}
