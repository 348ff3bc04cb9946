import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { StatsSnapshot, type BroadcastStats, type HostStats } from '@streamcaster/contracts';
import { BusClient, LeaderTask } from '@streamcaster/service-kit';
import { HistoryRepository } from '../history/history.repository.js';
import { HostSampler } from '../host/host-sampler.js';
import { IngestStatReader } from '../ingest/ingest-stat.reader.js';
import { TrackedBroadcastsRepository } from '../lifecycle/tracked-broadcasts.repository.js';
import { ProgressStore } from '../progress/progress-store.js';
import { buildBroadcastStats, historyPointOf } from './snapshot-builder.js';
import { recordSnapshot } from '../metrics/stats.metrics.js';

const SNAPSHOT_EVERY_MS = 1_000;

/**
 * Once a second, on one replica (the leader: two replicas never publish or write twice): reads
 * nginx-rtmp's /stat and the host, builds every running broadcast's figures, publishes
 * `stats.snapshot.v1` and writes a history row per broadcast.
 */
@Injectable()
export class SnapshotService extends LeaderTask {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly tracked: TrackedBroadcastsRepository,
    private readonly ingest: IngestStatReader,
    private readonly host: HostSampler,
    private readonly progress: ProgressStore,
    private readonly history: HistoryRepository,
    private readonly bus: BusClient,
  ) {
    super(dataSource, 'stats-snapshots', SNAPSHOT_EVERY_MS);
  }

  protected async pass(): Promise<void> {
    await this.publish();
  }

  /** One snapshot now: built, published and written to the history. */
  async publish(now = new Date()): Promise<{ host: HostStats; broadcasts: BroadcastStats[] }> {
    const started = performance.now();
    const [running, ingestStreams, host] = await Promise.all([this.tracked.running(), this.ingest.read(), this.host.sample(now)]);
    this.progress.forgetStale(now.getTime());
    const broadcasts = running.broadcasts.map((broadcast) =>
      buildBroadcastStats({
        broadcast,
        relays: running.relays.filter((relay) => relay.broadcastId === broadcast.id),
        recording: running.recordings.find((recording) => recording.broadcastId === broadcast.id),
        ingestStreams,
        encoder: this.progress.encoder(broadcast.id),
        relayProgress: this.progress.relaysOf(broadcast.id),
        recordingProgress: this.progress.recording(broadcast.id),
        viewers: this.progress.viewersOf(broadcast.id),
        now,
      }),
    );
    await this.bus.emit(StatsSnapshot, { at: now.toISOString(), host, broadcasts });
    await this.history.insert(broadcasts.map((stats) => ({ broadcastId: stats.broadcastId, point: historyPointOf(stats, host) })));
    recordSnapshot(host, broadcasts, (performance.now() - started) / 1000);
    return { host, broadcasts };
  }
}
