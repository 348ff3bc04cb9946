import type { MigrationInterface, QueryRunner } from 'typeorm';
import { slugify, uniqueSlug } from '../djs/dj-slug.js';

/**
 * Each DJ gets a slug, the name of its Icecast mounts (`/live/<slug>`, `/test/<slug>`), made once from
 * the name and never changed (Traktor keeps it in its settings). Ingest sessions say which protocol
 * the DJ came in with: nginx-rtmp's and Icecast's are checked against different servers.
 */
export class GatewayDjSlugIcecast1797000300000 implements MigrationInterface {
  name = 'GatewayDjSlugIcecast1797000300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE gateway.djs ADD COLUMN slug text`);
    const djs = (await db.query(`SELECT id, name FROM gateway.djs ORDER BY created_at, id`)) as Array<{ id: string; name: string }>;
    const taken = new Set<string>();
    for (const dj of djs) {
      const slug = uniqueSlug(slugify(dj.name), taken);
      taken.add(slug);
      await db.query(`UPDATE gateway.djs SET slug = $1 WHERE id = $2`, [slug, dj.id]);
    }
    await db.query(`ALTER TABLE gateway.djs ALTER COLUMN slug SET NOT NULL`);
    await db.query(`ALTER TABLE gateway.djs ADD CONSTRAINT djs_slug_unique UNIQUE (slug)`);
    await db.query(`ALTER TABLE gateway.ingest_sessions ADD COLUMN protocol text NOT NULL DEFAULT 'rtmp' CHECK (protocol IN ('rtmp', 'icecast'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE gateway.ingest_sessions DROP COLUMN protocol`);
    await db.query(`ALTER TABLE gateway.djs DROP COLUMN slug`);
  }
}
