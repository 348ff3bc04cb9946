import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { LeaderTask } from '@streamcaster/service-kit';
import { IngestServerStatus } from './ingest-server-status.js';
import { IngestSessionsRepository } from './ingest-sessions.repository.js';
import { IngestService } from './ingest.service.js';

const EVERY_MS = 5_000;
/** A young session may be a publish still held for the transcoder: not in /stat yet. */
const SESSION_SETTLES_MS = 15_000;

/**
 * One leader among the gateway replicas, at boot and every 5 s: an open DJ session whose stream
 * nginx-rtmp does not have (nginx crashed or was killed, and on_publish_done never came) is closed,
 * and its `ingest.stopped` goes out, so that its broadcast ends after the grace period. When nginx
 * cannot be asked, nothing is closed.
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
  ) {
    super(dataSource, 'gateway-ingest-reconciler', EVERY_MS);
  }

  protected async pass(): Promise<void> {
    const settled = (await this.sessions.listOpen()).filter((session) => Date.now() - session.startedAt.getTime() >= SESSION_SETTLES_MS);
    if (settled.length === 0) return;
    const publishing = await this.status.publishingStreams();
    if (!publishing) return;
    for (const session of settled) {
      if (publishing.has(`${session.environment}/${session.djId}`)) continue;
      if (!(await this.ingest.closeStale(session.id))) continue;
      this.corrections += 1;
      this.logger.warn(`correction (stale-ingest-session): closed DJ ${session.djId}'s session on ${session.environment}: nginx-rtmp has no such publisher`);
    }
  }
}
