import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tables of the control plane, the same in every service's own schema: `outbox` (events not yet
 * on JetStream), `inbox` (events already handled, by id), `leases` (who runs which long-running
 * process) and `secret_key_check` (which STREAMCASTER_SECRET_KEY the schema's secrets are sealed with).
 * Each service lists the class this returns among its migrations.
 */
export function controlPlaneMigration(schema: string): new () => MigrationInterface {
  return class ControlPlane1764600000000 implements MigrationInterface {
    name = 'ControlPlane1764600000000';

    async up(db: QueryRunner): Promise<void> {
      await db.query(`CREATE TABLE "${schema}".outbox (
        seq bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        subject text NOT NULL,
        message jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())`);
      await db.query(`CREATE TABLE "${schema}".inbox (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id))`);
      await db.query(`CREATE INDEX inbox_handled_at ON "${schema}".inbox (handled_at)`);
      await db.query(`CREATE TABLE "${schema}".leases (
        resource text PRIMARY KEY,
        owner text NOT NULL,
        token bigint NOT NULL,
        renewed_at timestamptz NOT NULL)`);
      await db.query(`CREATE TABLE "${schema}".secret_key_check (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        check_value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())`);
    }

    async down(db: QueryRunner): Promise<void> {
      for (const table of ['secret_key_check', 'leases', 'inbox', 'outbox']) await db.query(`DROP TABLE "${schema}".${table}`);
    }
  };
}
