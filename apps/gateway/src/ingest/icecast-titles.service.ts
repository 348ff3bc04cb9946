import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { IngestTrackChanged } from '@streamcaster/contracts';
import { LeaderTask, Outbox } from '@streamcaster/service-kit';
import { IcecastStatus } from './icecast-status.js';
import type { IngestSessionEntity } from './ingest-session.entity.js';
import { IngestSessionsRepository } from './ingest-sessions.repository.js';
import { ingestStreamOf } from './ingest-stream.js';

/** How often the open Icecast sessions are listed (and the leadership renewed). */
const EVERY_MS = 2_000;
/**
 * How often the titles are read while an Icecast session is open. Icecast shows a Vorbis title with
 * its first re-paged audio page of the track (0.7–0.9 s after the track's first byte), an MP3 title
 * right after the source's `/admin/metadata`: four reads a second keep the title on the picture
 * within 3 s of the track's start. A status page of a few kB, on the local network.
 */
const READ_EVERY_MS = 250;

/**
 * Track titles from the DJ's own source. Icecast does not notify a new title (a Vorbis source sends a
 * new comment header in the stream; an MP3 source's `/admin/metadata` only passes through the source
 * hook, without the title), so one leader among the gateway replicas reads `/status-json.xsl` four
 * times a second while an Icecast session is open (and only lists the sessions every 2 s otherwise),
 * and sends each new title of a session as a durable `ingest.track-changed` (the publisher puts it on
 * the broadcast's tracklist, the transcoder on the picture). A title seen again after a leader change
 * is sent again: the publisher ignores a repeat of the current track.
 */
@Injectable()
export class IcecastTitles extends LeaderTask {
  private readonly logger = new Logger(IcecastTitles.name);
  /** session id → the last title sent for it. */
  private readonly sent = new Map<string, string>();
  private stopping = false;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly sessions: IngestSessionsRepository,
    private readonly status: IcecastStatus,
    private readonly outbox: Outbox,
  ) {
    super(dataSource, 'gateway-icecast-titles', EVERY_MS);
  }

  /** One pass lasts until the next: the titles are read every READ_EVERY_MS meanwhile. */
  protected async pass(): Promise<void> {
    const open = (await this.sessions.listOpen()).filter((session) => session.protocol === 'icecast');
    for (const id of this.sent.keys()) if (!open.some((session) => session.id === id)) this.sent.delete(id);
    if (open.length === 0) return;
    const until = Date.now() + EVERY_MS - READ_EVERY_MS;
    for (;;) {
      await this.readTitles(open);
      if (this.stopping || Date.now() >= until) return;
      await new Promise((resolve) => setTimeout(resolve, READ_EVERY_MS));
    }
  }

  private async readTitles(open: IngestSessionEntity[]): Promise<void> {
    const mounts = await this.status.mountsOnAir();
    if (!mounts) return;
    for (const session of open) {
      const track = mounts.get(session.clientId)?.track;
      if (!track) continue;
      const key = JSON.stringify([track.artist, track.title]);
      if (this.sent.get(session.id) === key) continue;
      await this.outbox.publish(IngestTrackChanged, {
        ingestId: session.id,
        environment: session.environment,
        djId: session.djId,
        stream: ingestStreamOf(session),
        artist: track.artist,
        title: track.title,
        at: new Date().toISOString(),
      });
      this.sent.set(session.id, key);
      this.logger.log(`${session.clientId} plays "${track.artist ? `${track.artist} - ` : ''}${track.title}"`);
    }
  }

  override async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await super.beforeApplicationShutdown();
  }
}
