import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MAX_STATS_HISTORY_POINTS, type StatsHistory } from '@streamcaster/contracts';
import { BusException, LeaderTask } from '@streamcaster/service-kit';
import { TrackedBroadcastsRepository } from '../lifecycle/tracked-broadcasts.repository.js';
import { bucketPoints, bucketStart, fitHistory } from './history-buckets.js';
import { HistoryRepository } from './history.repository.js';

/** One-second rows are kept this long, then averaged into COMPACT_BUCKET_SECONDS. */
export const FINE_HISTORY_MS = 3_600_000;
export const COMPACT_BUCKET_SECONDS = 10;
const COMPACT_EVERY_MS = 60_000;
/** At most this much history per transaction: a broadcast compacted after a long outage goes in steps. */
const COMPACT_WINDOW_MS = 3_600_000;
/** The answer's points as JSON, well inside NATS's default 1 MiB message with its envelope. */
const MAX_ANSWER_BYTES = 900_000;

/**
 * Each broadcast's history: one row per second for the last hour, 10 s averages before that (the
 * leader's compaction, every minute, in one transaction per broadcast and window, aligned on 10 s so
 * that it never splits a bucket), kept as long as the broadcast.
 */
@Injectable()
export class HistoryService extends LeaderTask {
  private readonly logger = new Logger(HistoryService.name);

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly history: HistoryRepository,
    private readonly tracked: TrackedBroadcastsRepository,
  ) {
    super(dataSource, 'stats-history-compaction', COMPACT_EVERY_MS);
  }

  protected async pass(): Promise<void> {
    await this.compact();
  }

  /** Averages every one-second row older than an hour into 10 s buckets; returns how many rows it folded. */
  async compact(now = new Date()): Promise<number> {
    const cutoff = new Date(bucketStart(now.getTime() - FINE_HISTORY_MS, COMPACT_BUCKET_SECONDS));
    let folded = 0;
    for (const { broadcastId, oldest } of await this.history.fineRowsBefore(cutoff)) {
      for (let from = bucketStart(oldest.getTime(), COMPACT_BUCKET_SECONDS); from < cutoff.getTime(); from += COMPACT_WINDOW_MS) {
        const to = new Date(Math.min(from + COMPACT_WINDOW_MS, cutoff.getTime()));
        folded += await this.history.replaceFineRows(broadcastId, new Date(from), to, (points) => bucketPoints(points, COMPACT_BUCKET_SECONDS));
      }
    }
    if (folded > 0) this.logger.log(`history: ${folded} one-second rows older than an hour averaged into ${COMPACT_BUCKET_SECONDS} s buckets`);
    return folded;
  }

  /** `stats.history.v1`: the points of a range in time order, averaged further when too many for one message. */
  async range(broadcastId: string, fromText?: string, toText?: string): Promise<StatsHistory> {
    const [broadcast, extent] = await Promise.all([this.tracked.find(broadcastId), this.history.extent(broadcastId)]);
    if (!broadcast && !extent) throw new BusException('not_found', `no stats for broadcast ${broadcastId}`);
    const from = fromText ? new Date(fromText) : (broadcast?.startedAt ?? extent!.first);
    const to = toText ? new Date(toText) : (broadcast?.endedAt ?? (broadcast ? new Date() : extent!.last));
    const points = await this.history.range(broadcastId, from, to);
    const spanSeconds = Math.max(1, (to.getTime() - from.getTime()) / 1000);
    return {
      broadcastId,
      from: from.toISOString(),
      to: to.toISOString(),
      points: fitHistory(points, spanSeconds, { maxPoints: MAX_STATS_HISTORY_POINTS, maxBytes: MAX_ANSWER_BYTES }),
    };
  }
}
