import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PublisherInitial1763920100000 implements MigrationInterface {
  name = 'PublisherInitial1763920100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE publisher.destinations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        environment text NOT NULL CHECK (environment IN ('live', 'test')),
        platform text NOT NULL,
        name text NOT NULL,
        url text NOT NULL,
        stream_key_sealed text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE publisher.branding (
        id smallint PRIMARY KEY CHECK (id = 1),
        organization_name text NOT NULL,
        title_template text NOT NULL,
        description_template text NOT NULL,
        logo_position text NOT NULL,
        logo jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      INSERT INTO publisher.branding (id, organization_name, title_template, description_template, logo_position)
      VALUES (1, 'StreamCaster', '{dj} live at {org}', '{dj} plays live for {org} on {date}.', 'top-right')`);
    await db.query(`
      CREATE TABLE publisher.broadcasts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        environment text NOT NULL CHECK (environment IN ('live', 'test')),
        dj_id uuid NOT NULL,
        dj_name text NOT NULL,
        title text NOT NULL,
        description text NOT NULL,
        state text NOT NULL,
        input_app text NOT NULL,
        input_stream text NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        interrupted_by_ingest_id uuid,
        end_reason text
      )`);
    await db.query(`CREATE INDEX broadcasts_by_environment ON publisher.broadcasts (environment, started_at DESC)`);
    // At most one running broadcast per DJ and environment.
    await db.query(`
      CREATE UNIQUE INDEX broadcasts_one_active_per_dj ON publisher.broadcasts (dj_id, environment)
      WHERE state IN ('starting', 'live', 'interrupted', 'ending')`);
    await db.query(`
      CREATE TABLE publisher.broadcast_destinations (
        broadcast_id uuid NOT NULL REFERENCES publisher.broadcasts (id) ON DELETE CASCADE,
        destination_id uuid NOT NULL,
        name text NOT NULL,
        state text NOT NULL,
        reconnects integer NOT NULL DEFAULT 0,
        bitrate_kbps real,
        last_error text,
        PRIMARY KEY (broadcast_id, destination_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE publisher.broadcast_destinations`);
    await db.query(`DROP TABLE publisher.broadcasts`);
    await db.query(`DROP TABLE publisher.branding`);
    await db.query(`DROP TABLE publisher.destinations`);
  }
}
