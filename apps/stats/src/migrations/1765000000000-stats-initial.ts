import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the stats service knows of each broadcast, its relays and its recording (from the durable
 * lifecycle events and the publisher's answers; `state_at` says how recent a row's state is, so an
 * older event never overwrites a newer answer), and the history: one row per broadcast and second,
 * compacted into 10 s buckets after an hour, kept as long as the broadcast.
 */
export class StatsInitial1765000000000 implements MigrationInterface {
  name = 'StatsInitial1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE stats.broadcasts (
        id uuid PRIMARY KEY,
        environment text NOT NULL CHECK (environment IN ('live', 'test')),
        state text NOT NULL,
        state_at timestamptz NOT NULL,
        dj_id uuid,
        ingest_app text,
        ingest_stream text,
        started_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await db.query(`CREATE INDEX broadcasts_running ON stats.broadcasts (state) WHERE state IN ('starting', 'live', 'interrupted')`);
    await db.query(`
      CREATE TABLE stats.relays (
        broadcast_id uuid NOT NULL,
        destination_id uuid NOT NULL,
        name text,
        state text NOT NULL,
        state_at timestamptz NOT NULL,
        reconnects integer NOT NULL DEFAULT 0,
        last_error text,
        live_since timestamptz,
        PRIMARY KEY (broadcast_id, destination_id)
      )`);
    await db.query(`
      CREATE TABLE stats.recordings (
        id uuid PRIMARY KEY,
        broadcast_id uuid NOT NULL,
        state text NOT NULL,
        size_bytes bigint NOT NULL DEFAULT 0,
        duration_seconds double precision NOT NULL DEFAULT 0
      )`);
    await db.query(`CREATE INDEX recordings_by_broadcast ON stats.recordings (broadcast_id)`);
    await db.query(`
      CREATE TABLE stats.history (
        broadcast_id uuid NOT NULL,
        at timestamptz NOT NULL,
        bucket_seconds integer NOT NULL CHECK (bucket_seconds > 0),
        ingest_bitrate_kbps double precision,
        encoder_fps double precision,
        encoder_speed double precision,
        cpu_percent double precision,
        relay_bitrate_kbps jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (broadcast_id, at)
      )`);
    // The compaction's search: fine rows older than an hour.
    await db.query(`CREATE INDEX history_fine_rows ON stats.history (at) WHERE bucket_seconds = 1`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['history', 'recordings', 'relays', 'broadcasts']) await db.query(`DROP TABLE stats.${table}`);
  }
}
