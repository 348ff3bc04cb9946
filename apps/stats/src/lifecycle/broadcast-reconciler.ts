import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { broadcastRuns, GetBroadcast, ListBroadcasts } from '@streamcaster/contracts';
import { BusClient, BusRequestError, LeaderTask } from '@streamcaster/service-kit';
import { TrackedBroadcastsRepository } from './tracked-broadcasts.repository.js';

const RECONCILE_EVERY_MS = 10_000;
/**
 * An answer is taken as true this long before it was asked for: an event that happened just before
 * the question may not have been committed when the publisher answered, and must still land after.
 */
const ANSWER_MARGIN_MS = 2_000;

/**
 * Asks the publisher which broadcasts run, at boot and every 10 s (one replica, the leader): a stats
 * service that was down, or started after the broadcast, knows what runs, and gets what the events
 * do not carry (the DJ, the destinations' names). A broadcast it follows that is no longer running
 * is asked for by id.
 */
@Injectable()
export class BroadcastReconciler extends LeaderTask {
  private readonly logger = new Logger(BroadcastReconciler.name);
  private soonTimer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly tracked: TrackedBroadcastsRepository,
    private readonly bus: BusClient,
  ) {
    super(dataSource, 'stats-reconciler', RECONCILE_EVERY_MS);
  }

  override async beforeApplicationShutdown(): Promise<void> {
    if (this.soonTimer) clearTimeout(this.soonTimer);
    await super.beforeApplicationShutdown();
  }

  /** A pass shortly (a new broadcast appeared): its DJ and destinations' names are wanted now. */
  soon(): void {
    this.soonTimer ??= setTimeout(() => {
      this.soonTimer = null;
      void this.runOnce().catch((error: Error) => this.logger.warn(`reconciliation failed: ${error.message}`));
    }, 300);
  }

  /** One pass (the leader's timer, and `soon`). */
  protected async pass(): Promise<void> {
    const at = new Date(Date.now() - ANSWER_MARGIN_MS);
    // `running` filters in the publisher; filtered here too, for a publisher that ignores it.
    const running = (await this.bus.request(ListBroadcasts, { running: true, limit: 500 })).filter((view) => broadcastRuns(view.state));
    await this.tracked.reconcile(running, at);
    const answered = new Set(running.map((view) => view.id));
    for (const broadcast of (await this.tracked.running()).broadcasts) {
      if (answered.has(broadcast.id)) continue;
      try {
        await this.tracked.reconcile([await this.bus.request(GetBroadcast, { id: broadcast.id })], at);
      } catch (error) {
        if (!(error instanceof BusRequestError && error.code === 'not_found')) throw error;
        this.logger.log(`broadcast ${broadcast.id} is unknown to the publisher: no longer followed`);
        await this.tracked.forget(broadcast.id, at);
      }
    }
  }
}
