import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The automated VJ's settings (scenes, palette, beats per look), with the defaults a DJ had before them. */
export class BrandingVj1797000500000 implements MigrationInterface {
  name = 'BrandingVj1797000500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.branding ADD COLUMN vj jsonb NOT NULL DEFAULT '{"scenes":["spectrum","scope","histogram"],"palette":"rainbow","phraseBeats":16}'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE publisher.branding DROP COLUMN vj`);
  }
}
