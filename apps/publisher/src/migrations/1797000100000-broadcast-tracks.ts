import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each broadcast's tracklist, and its current track on the broadcast itself. */
export class BroadcastTracks1797000100000 implements MigrationInterface {
  name = 'BroadcastTracks1797000100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE publisher.broadcast_tracks (
      id bigserial PRIMARY KEY,
      broadcast_id uuid NOT NULL REFERENCES publisher.broadcasts (id) ON DELETE CASCADE,
      artist text,
      title text NOT NULL,
      source text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now())`);
    await db.query(`CREATE INDEX broadcast_tracks_by_broadcast ON publisher.broadcast_tracks (broadcast_id, id)`);
    await db.query(`ALTER TABLE publisher.broadcasts ADD COLUMN now_playing jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.broadcasts DROP COLUMN now_playing`);
    await db.query(`DROP TABLE publisher.broadcast_tracks`);
  }
}
