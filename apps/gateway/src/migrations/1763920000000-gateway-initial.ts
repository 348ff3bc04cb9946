import type { MigrationInterface, QueryRunner } from 'typeorm';

export class GatewayInitial1763920000000 implements MigrationInterface {
  name = 'GatewayInitial1763920000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE gateway.users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'operator')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE gateway.djs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        stream_key_hash text NOT NULL UNIQUE,
        key_rotated_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE gateway.ingest_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dj_id uuid NOT NULL REFERENCES gateway.djs (id) ON DELETE CASCADE,
        environment text NOT NULL CHECK (environment IN ('live', 'test')),
        client_id text NOT NULL,
        remote_address text NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    // One open session per DJ and environment: a second publisher on a live key is refused.
    await db.query(
      `CREATE UNIQUE INDEX ingest_sessions_one_open ON gateway.ingest_sessions (dj_id, environment) WHERE ended_at IS NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE gateway.ingest_sessions`);
    await db.query(`DROP TABLE gateway.djs`);
    await db.query(`DROP TABLE gateway.users`);
  }
}
