import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The DJ connection a broadcast currently runs on, so that a late "stopped" of an older one is ignored. */
export class BroadcastCurrentIngest1763920300000 implements MigrationInterface {
  name = 'BroadcastCurrentIngest1763920300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.broadcasts ADD COLUMN current_ingest_id uuid`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.broadcasts DROP COLUMN current_ingest_id`);
  }
}
