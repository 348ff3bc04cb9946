import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Role dj linked to a DJ, disabled users, and refresh tokens (hashed, in families, with expiry). */
export class GatewayUsersSessions1796114880000 implements MigrationInterface {
  name = 'GatewayUsersSessions1796114880000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE gateway.users DROP CONSTRAINT users_role_check`);
    await db.query(`ALTER TABLE gateway.users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'operator', 'dj'))`);
    // A DJ that users act for cannot be deleted from under them (NO ACTION).
    await db.query(`ALTER TABLE gateway.users ADD COLUMN dj_id uuid REFERENCES gateway.djs (id)`);
    await db.query(`ALTER TABLE gateway.users ADD COLUMN disabled boolean NOT NULL DEFAULT false`);
    // Exactly the dj role carries a DJ.
    await db.query(`ALTER TABLE gateway.users ADD CONSTRAINT users_dj_link CHECK ((role = 'dj') = (dj_id IS NOT NULL))`);
    await db.query(`
      CREATE TABLE gateway.refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES gateway.users (id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await db.query(`CREATE INDEX refresh_tokens_family ON gateway.refresh_tokens (family_id)`);
    await db.query(`CREATE INDEX refresh_tokens_user ON gateway.refresh_tokens (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE gateway.refresh_tokens`);
    await db.query(`DELETE FROM gateway.users WHERE role = 'dj'`);
    await db.query(`ALTER TABLE gateway.users DROP CONSTRAINT users_dj_link`);
    await db.query(`ALTER TABLE gateway.users DROP COLUMN disabled`);
    await db.query(`ALTER TABLE gateway.users DROP COLUMN dj_id`);
    await db.query(`ALTER TABLE gateway.users DROP CONSTRAINT users_role_check`);
    await db.query(`ALTER TABLE gateway.users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'operator'))`);
  }
}
