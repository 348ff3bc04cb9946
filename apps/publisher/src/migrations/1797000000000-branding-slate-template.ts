import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What the slate says while the DJ is away: a template like the title's ("{dj} will be right back"). */
export class BrandingSlateTemplate1797000000000 implements MigrationInterface {
  name = 'BrandingSlateTemplate1797000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.branding ADD COLUMN slate_template text NOT NULL DEFAULT '{dj} will be right back'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.branding DROP COLUMN slate_template`);
  }
}
