import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A broadcast reads its DJ from nginx-rtmp (OBS) or from an Icecast mount (Traktor). */
export class BroadcastInputProtocol1797000400000 implements MigrationInterface {
  name = 'BroadcastInputProtocol1797000400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.broadcasts ADD COLUMN input_protocol text NOT NULL DEFAULT 'rtmp' CHECK (input_protocol IN ('rtmp', 'icecast'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.broadcasts DROP COLUMN input_protocol`);
  }
}
