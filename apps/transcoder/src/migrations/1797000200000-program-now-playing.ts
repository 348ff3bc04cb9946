import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The track a program draws now ("Artist – Title"), so that a replica taking the program over draws it too. */
export class ProgramNowPlaying1797000200000 implements MigrationInterface {
  name = 'ProgramNowPlaying1797000200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE transcoder.programs ADD COLUMN now_playing text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE transcoder.programs DROP COLUMN now_playing`);
  }
}
