import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { StatsHistoryPoint } from '@streamcaster/contracts';

interface HistoryRow {
  at: Date;
  bucket_seconds: number;
  ingest_bitrate_kbps: number | null;
  encoder_fps: number | null;
  encoder_speed: number | null;
  cpu_percent: number | null;
  relay_bitrate_kbps: Record<string, number>;
  viewers_total: number | null;
  viewers_by_platform: Record<string, number>;
}

const COLUMNS = 'at, bucket_seconds, ingest_bitrate_kbps, encoder_fps, encoder_speed, cpu_percent, relay_bitrate_kbps, viewers_total, viewers_by_platform';

@Injectable()
export class HistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One statement for all broadcasts; a second already written (two leaders for a moment) is kept as it was. */
  async insert(points: Array<{ broadcastId: string; point: StatsHistoryPoint }>, manager: EntityManager = this.dataSource.manager): Promise<void> {
    if (points.length === 0) return;
    const values: unknown[] = [];
    const rows = points.map(({ broadcastId, point }, index) => {
      values.push(
        broadcastId,
        point.at,
        point.bucketSeconds,
        point.ingestBitrateKbps,
        point.encoderFps,
        point.encoderSpeed,
        point.cpuPercent,
        JSON.stringify(point.relayBitrateKbps),
        point.viewersTotal ?? null,
        JSON.stringify(point.viewersByPlatform ?? {}),
      );
      const base = index * 10;
      return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7}, $${base + 8}::jsonb, $${base + 9}, $${base + 10}::jsonb)`;
    });
    await manager.query(`INSERT INTO stats.history (broadcast_id, ${COLUMNS}) VALUES ${rows.join(', ')} ON CONFLICT (broadcast_id, at) DO NOTHING`, values);
  }

  async range(broadcastId: string, from: Date, to: Date): Promise<StatsHistoryPoint[]> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM stats.history WHERE broadcast_id = $1 AND at >= $2 AND at <= $3 ORDER BY at`, [
      broadcastId,
      from,
      to,
    ])) as HistoryRow[];
    return rows.map(toPoint);
  }

  /** The first and last second of a broadcast's history; null when it has none. */
  async extent(broadcastId: string): Promise<{ first: Date; last: Date } | null> {
    const [row] = (await this.dataSource.query(`SELECT min(at) AS first, max(at) AS last FROM stats.history WHERE broadcast_id = $1`, [broadcastId])) as Array<{
      first: Date | null;
      last: Date | null;
    }>;
    return row?.first && row.last ? { first: row.first, last: row.last } : null;
  }

  /** Broadcasts with one-second rows before `cutoff`, each with its oldest one. */
  async fineRowsBefore(cutoff: Date): Promise<Array<{ broadcastId: string; oldest: Date }>> {
    const rows = (await this.dataSource.query(
      `SELECT broadcast_id, min(at) AS oldest FROM stats.history WHERE bucket_seconds = 1 AND at < $1 GROUP BY broadcast_id`,
      [cutoff],
    )) as Array<{ broadcast_id: string; oldest: Date }>;
    return rows.map((row) => ({ broadcastId: row.broadcast_id, oldest: row.oldest }));
  }

  /**
   * Replaces a broadcast's one-second rows in [from, to) by what `compact` makes of them, in one
   * transaction; rows locked first, so that a second compactor at the same time finds none left.
   */
  async replaceFineRows(broadcastId: string, from: Date, to: Date, compact: (points: StatsHistoryPoint[]) => StatsHistoryPoint[]): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT ${COLUMNS} FROM stats.history WHERE broadcast_id = $1 AND bucket_seconds = 1 AND at >= $2 AND at < $3 ORDER BY at FOR UPDATE`,
        [broadcastId, from, to],
      )) as HistoryRow[];
      if (rows.length === 0) return 0;
      await manager.query(`DELETE FROM stats.history WHERE broadcast_id = $1 AND bucket_seconds = 1 AND at >= $2 AND at < $3`, [broadcastId, from, to]);
      await this.insert(compact(rows.map(toPoint)).map((point) => ({ broadcastId, point })), manager);
      return rows.length;
    });
  }
}

function toPoint(row: HistoryRow): StatsHistoryPoint {
  return {
    at: row.at.toISOString(),
    bucketSeconds: row.bucket_seconds,
    ingestBitrateKbps: row.ingest_bitrate_kbps,
    encoderFps: row.encoder_fps,
    encoderSpeed: row.encoder_speed,
    cpuPercent: row.cpu_percent,
    relayBitrateKbps: row.relay_bitrate_kbps,
    viewersTotal: row.viewers_total,
    viewersByPlatform: row.viewers_by_platform,
  };
}
