import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which recorder holds a recording, and until when: a recorder renews its lease while it records;
 * a lease that runs out (the recorder crashed or was restarted) lets another recorder take over.
 */
export class RecordingLease1763920400000 implements MigrationInterface {
  name = 'RecordingLease1763920400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE recorder.recordings ADD COLUMN owner text, ADD COLUMN lease_until timestamptz`);
    await db.query(`CREATE INDEX recordings_expired_leases ON recorder.recordings (lease_until) WHERE state = 'recording'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX recorder.recordings_expired_leases`);
    await db.query(`ALTER TABLE recorder.recordings DROP COLUMN owner, DROP COLUMN lease_until`);
  }
}
