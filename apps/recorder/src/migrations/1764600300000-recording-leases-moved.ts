import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Recordings are owned through the control plane's `leases` table now, with a fencing token. */
export class RecordingLeasesMoved1764600300000 implements MigrationInterface {
  name = 'RecordingLeasesMoved1764600300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS recorder.recordings_expired_leases`);
    await db.query(`ALTER TABLE recorder.recordings DROP COLUMN owner, DROP COLUMN lease_until`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE recorder.recordings ADD COLUMN owner text, ADD COLUMN lease_until timestamptz`);
  }
}
