import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each broadcast destination keeps its platform (a snapshot, like its name: the destination may be
 * edited or deleted later) and when its relay last went live (the dashboard's uptime per destination).
 */
export class BroadcastDestinationPlatformLiveSince1796200000000 implements MigrationInterface {
  name = 'BroadcastDestinationPlatformLiveSince1796200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.broadcast_destinations ADD COLUMN platform text`);
    await db.query(
      `UPDATE publisher.broadcast_destinations bd SET platform = coalesce((SELECT d.platform FROM publisher.destinations d WHERE d.id = bd.destination_id), 'rtmp')`,
    );
    await db.query(`ALTER TABLE publisher.broadcast_destinations ALTER COLUMN platform SET NOT NULL`);
    await db.query(`ALTER TABLE publisher.broadcast_destinations ADD COLUMN live_since timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.broadcast_destinations DROP COLUMN live_since`);
    await db.query(`ALTER TABLE publisher.broadcast_destinations DROP COLUMN platform`);
  }
}
