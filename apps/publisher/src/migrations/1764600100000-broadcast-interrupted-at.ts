import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When the current interruption began: the reconciler ends a broadcast whose grace job was lost. */
export class BroadcastInterruptedAt1764600100000 implements MigrationInterface {
  name = 'BroadcastInterruptedAt1764600100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.broadcasts ADD COLUMN interrupted_at timestamptz`);
    await db.query(`UPDATE publisher.broadcasts SET interrupted_at = now() WHERE state = 'interrupted'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.broadcasts DROP COLUMN interrupted_at`);
  }
}
