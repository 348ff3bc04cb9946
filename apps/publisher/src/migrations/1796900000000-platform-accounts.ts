import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Platforms through their APIs (issue 7): connected accounts, the OAuth attempts that connect them,
 * YouTube's daily units per account, destinations that name an account instead of a URL and key, and
 * each broadcast destination's platform side (state, ids, sealed ingest, viewers).
 */
export class PlatformAccounts1796900000000 implements MigrationInterface {
  name = 'PlatformAccounts1796900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE publisher.platform_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        platform text NOT NULL,
        environment text NOT NULL,
        external_id text NOT NULL,
        display_name text NOT NULL,
        channel_url text,
        scopes text[] NOT NULL DEFAULT '{}',
        status text NOT NULL,
        status_reason text,
        access_token_sealed text NOT NULL,
        refresh_token_sealed text,
        access_token_expires_at timestamptz,
        details jsonb NOT NULL DEFAULT '{}',
        secrets_sealed text,
        connected_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per platform identity and environment: connecting the same channel again updates it.
    await db.query(
      `CREATE UNIQUE INDEX platform_accounts_identity ON publisher.platform_accounts (platform, environment, external_id) WHERE external_id <> ''`,
    );
    await db.query(`
      CREATE TABLE publisher.oauth_attempts (
        id text PRIMARY KEY,
        platform text NOT NULL,
        environment text NOT NULL,
        user_id uuid NOT NULL,
        code_verifier_sealed text,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await db.query(`
      CREATE TABLE publisher.platform_quota_usage (
        account_id uuid NOT NULL,
        day text NOT NULL,
        units integer NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, day)
      )`);
    await db.query(`ALTER TABLE publisher.destinations ALTER COLUMN url DROP NOT NULL`);
    await db.query(`ALTER TABLE publisher.destinations ALTER COLUMN stream_key_sealed DROP NOT NULL`);
    await db.query(`ALTER TABLE publisher.destinations ADD COLUMN account_id uuid REFERENCES publisher.platform_accounts (id) ON DELETE RESTRICT`);
    await db.query(`ALTER TABLE publisher.destinations ADD COLUMN privacy text`);
    await db.query(`
      ALTER TABLE publisher.broadcast_destinations
        ADD COLUMN account_id uuid,
        ADD COLUMN platform_state text,
        ADD COLUMN platform_reason text,
        ADD COLUMN platform_refs jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN platform_ingest_sealed text,
        ADD COLUMN watch_url text,
        ADD COLUMN viewers integer,
        ADD COLUMN platform_finished boolean NOT NULL DEFAULT false`);
    // Every destination before this one is `rtmp`: its platform side is finished by definition.
    await db.query(`UPDATE publisher.broadcast_destinations SET platform_finished = true WHERE platform = 'rtmp'`);
    await db.query(
      `CREATE INDEX broadcast_destinations_platform_open ON publisher.broadcast_destinations (broadcast_id) WHERE NOT platform_finished`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX publisher.broadcast_destinations_platform_open`);
    await db.query(`
      ALTER TABLE publisher.broadcast_destinations
        DROP COLUMN account_id, DROP COLUMN platform_state, DROP COLUMN platform_reason, DROP COLUMN platform_refs,
        DROP COLUMN platform_ingest_sealed, DROP COLUMN watch_url, DROP COLUMN viewers, DROP COLUMN platform_finished`);
    await db.query(`ALTER TABLE publisher.destinations DROP COLUMN privacy`);
    await db.query(`ALTER TABLE publisher.destinations DROP COLUMN account_id`);
    await db.query(`DELETE FROM publisher.destinations WHERE url IS NULL OR stream_key_sealed IS NULL`);
    await db.query(`ALTER TABLE publisher.destinations ALTER COLUMN stream_key_sealed SET NOT NULL`);
    await db.query(`ALTER TABLE publisher.destinations ALTER COLUMN url SET NOT NULL`);
    await db.query(`DROP TABLE publisher.platform_quota_usage`);
    await db.query(`DROP TABLE publisher.oauth_attempts`);
    await db.query(`DROP TABLE publisher.platform_accounts`);
  }
}
