import { Counter, Gauge, Histogram } from 'prom-client';
import type { BroadcastStats, HostStats } from '@streamcaster/contracts';

/** Snapshots this replica published (only the leader publishes: the others stay at 0). */
export const snapshotsPublished = new Counter({
  name: 'streamcaster_stats_snapshots_total',
  help: 'stats.snapshot.v1 messages this replica published (only the leader publishes)',
});

export const snapshotDuration = new Histogram({
  name: 'streamcaster_stats_snapshot_duration_seconds',
  help: 'Time to read nginx-rtmp, the host and the progress, publish one snapshot and write its history',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
});

export const runningBroadcasts = new Gauge({
  name: 'streamcaster_stats_running_broadcasts',
  help: 'Running broadcasts in the last snapshot, by environment',
  labelNames: ['environment'],
});

export const hostCpu = new Gauge({ name: 'streamcaster_host_cpu_ratio', help: 'Busy share of all cores over the last second (0-1), as the last snapshot saw it' });
export const hostMemoryAvailable = new Gauge({ name: 'streamcaster_host_memory_available_bytes', help: 'Memory available on the host' });
export const recordingsDiskFree = new Gauge({ name: 'streamcaster_host_recordings_disk_free_bytes', help: 'Free space of the volume that holds the recordings' });

/** What one published snapshot says, for Prometheus. */
export function recordSnapshot(host: HostStats, broadcasts: readonly BroadcastStats[], seconds: number): void {
  snapshotsPublished.inc();
  snapshotDuration.observe(seconds);
  for (const environment of ['live', 'test'] as const) {
    runningBroadcasts.set({ environment }, broadcasts.filter((broadcast) => broadcast.environment === environment).length);
  }
  hostCpu.set(host.cpuPercent / 100);
  hostMemoryAvailable.set(host.memory.availableBytes);
  if (host.recordingsDisk) recordingsDiskFree.set(host.recordingsDisk.freeBytes);
}
