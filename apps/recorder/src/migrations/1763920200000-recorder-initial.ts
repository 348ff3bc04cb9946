import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RecorderInitial1763920200000 implements MigrationInterface {
  name = 'RecorderInitial1763920200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE recorder.recordings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        broadcast_id uuid NOT NULL UNIQUE,
        state text NOT NULL CHECK (state IN ('recording', 'finalizing', 'ready', 'failed')),
        directory text NOT NULL,
        file_path text,
        duration_seconds double precision,
        size_bytes bigint,
        segments integer NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL,
        finalized_at timestamptz,
        error text
      )`);
    await db.query(`CREATE INDEX recordings_by_start ON recorder.recordings (started_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE recorder.recordings`);
  }
}
