import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The platforms' viewer counts in the history: in total and per platform (issue 7). */
export class HistoryViewers1796900100000 implements MigrationInterface {
  name = 'HistoryViewers1796900100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE stats.history ADD COLUMN viewers_total integer, ADD COLUMN viewers_by_platform jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE stats.history DROP COLUMN viewers_by_platform, DROP COLUMN viewers_total`);
  }
}
