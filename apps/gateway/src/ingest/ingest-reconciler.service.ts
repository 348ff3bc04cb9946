import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { LeaderTask } from '@streamcaster/service-kit';
import { IcecastStatus } from './icecast-status.js';
import type { IngestSessionEntity } from './ingest-session.entity.js';
import { IngestServerStatus } from './ingest-server-status.js';
import { IngestSessionsRepository } from './ingest-sessions.repository.js';
import { IngestService } from './ingest.service.js';

const EVERY_MS = 5_000;
/** A young session may be a publish still held for the transcoder: not in /stat yet. */
const SESSION_SETTLES_MS = 15_000;

/**
 * One leader among the gateway replicas, at boot and every 5 s: an open DJ session whose stream
 * the ingest server does not have (nginx-rtmp or Icecast crashed or was killed, and on_publish_done or
 * mount_remove never came) is closed, and its `ingest.stopped` goes out, so that its broadcast ends
 * after the grace period. When the server cannot be asked, nothing is closed.
 */
@Injectable()
export class IngestReconciler extends LeaderTask {
  private readonly logger = new Logger(IngestReconciler.name);
  /** Sessions closed by this replica because nginx-rtmp had no such publisher. */
  corrections = 0;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly sessions: IngestSessionsRepository,
    private readonly ingest: IngestService,
    private readonly status: IngestServerStatus,
    private readonly icecast: IcecastStatus,
  ) {
    super(dataSource, 'gateway-ingest-reconciler', EVERY_MS);
  }

  protected async pass(): Promise<void> {
    const settled = (await this.sessions.listOpen()).filter((session) => Date.now() - session.startedAt.getTime() >= SESSION_SETTLES_MS);
    // Each protocol's sessions are checked against their own server; one that cannot be asked closes nothing.
    const rtmp = settled.filter((session) => session.protocol === 'rtmp');
    const icecast = settled.filter((session) => session.protocol === 'icecast');
    const publishing = rtmp.length > 0 ? await this.status.publishingStreams() : null;
    if (publishing) {
      for (const session of rtmp) {
        if (!publishing.has(`${session.environment}/${session.djId}`)) await this.close(session, 'nginx-rtmp has no such publisher');
      }
    }
    const mounts = icecast.length > 0 ? await this.icecast.mountsOnAir() : null;
    if (mounts) {
      for (const session of icecast) {
        if (!mounts.has(session.clientId)) await this.close(session, `Icecast has no source on ${session.clientId}`);
      }
    }
  }

  private async close(session: IngestSessionEntity, why: string): Promise<void> {
    if (!(await this.ingest.closeStale(session.id))) return;
    this.corrections += 1;
    this.logger.warn(`correction (stale-ingest-session): closed DJ ${session.djId}'s session on ${session.environment}: ${why}`);
  }
}
