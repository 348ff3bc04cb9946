import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The programs the transcoder was asked for: the work its replicas share through leases. */
export class TranscoderInitial1764600200000 implements MigrationInterface {
  name = 'TranscoderInitial1764600200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE transcoder.programs (
      broadcast_id uuid PRIMARY KEY,
      job jsonb NOT NULL,
      wanted boolean NOT NULL DEFAULT true,
      requested_at timestamptz NOT NULL DEFAULT now(),
      ended_at timestamptz)`);
    await db.query(`CREATE INDEX programs_wanted ON transcoder.programs (broadcast_id) WHERE wanted`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE transcoder.programs`);
  }
}
