import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { LivenessLocks } from './liveness-locks.js';

/** A claim on one long-running process of a broadcast (its encoder, one relay, its recording). */
export interface Lease {
  resource: string;
  owner: string;
  /**
   * Fencing token: raised by one at every take-over. Writes made on behalf of a lease check it, so
   * that an owner who lost its lease (frozen, cut off) cannot overwrite its successor's work.
   */
  token: number;
}

export interface LeaseTiming {
  /** The owner renews every lease it holds this often. */
  renewEveryMs: number;
  /** A lease not renewed for this long may be taken by another replica. */
  expireAfterMs: number;
}

export const LEASE_TIMING: LeaseTiming = { renewEveryMs: 2_000, expireAfterMs: 6_000 };

/**
 * Leases in the service's own `leases` table. Every time comparison uses the database's clock, so
 * replicas on machines whose clocks differ still agree on who holds what.
 */
export class LeaseStore {
  private readonly liveness: LivenessLocks;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    /** This process as an owner: new at every start, so a restarted replica is a new owner. */
    readonly owner: string = randomUUID(),
    readonly timing: LeaseTiming = LEASE_TIMING,
  ) {
    this.liveness = new LivenessLocks(dataSource);
  }

  private get table(): string {
    return `"${this.schema}".leases`;
  }

  /** Takes a resource that nobody holds, or whose holder stopped renewing; null when it is held. */
  async acquire(resource: string): Promise<Lease | null> {
    const rows = (await this.dataSource.query(
      `INSERT INTO ${this.table} AS lease (resource, owner, token, renewed_at) VALUES ($1, $2, 1, now())
       ON CONFLICT (resource) DO UPDATE SET owner = EXCLUDED.owner, token = lease.token + 1, renewed_at = now()
       WHERE lease.renewed_at < now() - make_interval(secs => $3::double precision)
       RETURNING token`,
      [resource, this.owner, this.timing.expireAfterMs / 1000],
    )) as Array<{ token: string }>;
    const row = rows[0];
    if (!row) return null;
    // Best effort: without its liveness lock the lease still holds; only a take-over waits longer.
    await this.liveness.lock(resource).catch(() => false);
    return { resource, owner: this.owner, token: Number(row.token) };
  }

  /**
   * Takes over a lease whose owner died: it missed a renewal, and its liveness lock is free (its
   * connection to PostgreSQL is gone with it). Seconds sooner than waiting for the lease to run out;
   * a frozen or cut-off owner still holds its lock and is taken over only by `acquire`, once its
   * lease is 6 s old. Null when the owner may be alive.
   */
  async takeOverDead(resource: string): Promise<Lease | null> {
    const missedRenewal = this.missedRenewalSeconds;
    const [held] = (await this.dataSource.query(
      `SELECT token FROM ${this.table} WHERE resource = $1 AND owner <> $2 AND renewed_at < now() - make_interval(secs => $3::double precision)`,
      [resource, this.owner, missedRenewal],
    )) as Array<{ token: string }>;
    if (!held || !(await this.liveness.lock(resource))) return null;
    const rows = updatedRows<{ token: string }>(
      await this.dataSource.query(`UPDATE ${this.table} SET owner = $2, token = token + 1, renewed_at = now() WHERE resource = $1 AND token = $3 RETURNING token`, [
        resource,
        this.owner,
        held.token,
      ]),
    );
    const row = rows[0];
    if (!row) {
      await this.liveness.unlock(resource);
      return null;
    }
    return { resource, owner: this.owner, token: Number(row.token) };
  }

  /** An owner this far behind its renewals may be dead: worth a look at its liveness lock. */
  private get missedRenewalSeconds(): number {
    return (this.timing.renewEveryMs * 1.5) / 1000;
  }

  /**
   * How the leases of one kind stand, in one query: for each held resource, whether its lease ran
   * out (anyone may take it) or its owner missed a renewal (it may be dead). A scan asks this once,
   * then acts only on what is free or suspect.
   */
  async survey(prefix: string): Promise<Map<string, { owner: string; expired: boolean; missedRenewal: boolean }>> {
    const rows = (await this.dataSource.query(
      `SELECT resource, owner,
              renewed_at < now() - make_interval(secs => $2::double precision) AS expired,
              renewed_at < now() - make_interval(secs => $3::double precision) AS missed
       FROM ${this.table} WHERE resource LIKE $1`,
      [`${prefix}%`, this.timing.expireAfterMs / 1000, this.missedRenewalSeconds],
    )) as Array<{ resource: string; owner: string; expired: boolean; missed: boolean }>;
    return new Map(rows.map((row) => [row.resource, { owner: row.owner, expired: row.expired, missedRenewal: row.missed }]));
  }

  /** The lease is not this process's any more (lost, released, dropped): let its liveness lock go. */
  async forget(lease: Lease): Promise<void> {
    await this.liveness.unlock(lease.resource);
  }

  async close(): Promise<void> {
    await this.liveness.close();
  }

  /** Renews the given leases; returns the resources still held. One that is missing is lost. */
  async renew(leases: readonly Lease[]): Promise<Set<string>> {
    if (leases.length === 0) return new Set();
    const rows = updatedRows<{ resource: string }>(await this.dataSource.query(
      `UPDATE ${this.table} AS lease SET renewed_at = now()
       FROM unnest($1::text[], $2::bigint[]) AS held(resource, token)
       WHERE lease.resource = held.resource AND lease.token = held.token AND lease.owner = $3
       RETURNING lease.resource`,
      [leases.map((lease) => lease.resource), leases.map((lease) => lease.token), this.owner],
    ));
    const kept = new Set(rows.map((row) => row.resource));
    await this.liveness.relock(kept);
    return kept;
  }

  /** Gives a resource up so that another replica may take it at once (this one is shutting down). */
  async release(lease: Lease): Promise<void> {
    await this.liveness.unlock(lease.resource);
    await this.dataSource.query(`UPDATE ${this.table} SET renewed_at = '-infinity' WHERE resource = $1 AND owner = $2 AND token = $3`, [
      lease.resource,
      lease.owner,
      lease.token,
    ]);
  }

  /** The work is over for good: forget the resource. */
  async drop(lease: Lease): Promise<void> {
    await this.liveness.unlock(lease.resource);
    await this.dataSource.query(`DELETE FROM ${this.table} WHERE resource = $1 AND owner = $2 AND token = $3`, [lease.resource, lease.owner, lease.token]);
  }

  /** Whether the lease is still this one's: the check a fenced write makes in its own transaction. */
  async holds(lease: Lease, manager?: EntityManager): Promise<boolean> {
    const rows = (await (manager ?? this.dataSource).query(
      `SELECT 1 FROM ${this.table} WHERE resource = $1 AND owner = $2 AND token = $3 AND renewed_at > now() - make_interval(secs => $4::double precision) FOR SHARE`,
      [lease.resource, lease.owner, lease.token, this.timing.expireAfterMs / 1000],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Whether anybody holds a live lease on the resource (e.g. a recording still being written). */
  async isHeld(resource: string): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM ${this.table} WHERE resource = $1 AND renewed_at > now() - make_interval(secs => $2::double precision)`, [
      resource,
      this.timing.expireAfterMs / 1000,
    ])) as unknown[];
    return rows.length > 0;
  }

  /** Every live lease of one kind (`program:`, `relay:`...), for the reconciler and the tests. */
  async list(prefix: string): Promise<Array<Lease & { renewedAt: Date }>> {
    const rows = (await this.dataSource.query(
      `SELECT resource, owner, token, renewed_at FROM ${this.table} WHERE resource LIKE $1 AND renewed_at > now() - make_interval(secs => $2::double precision)`,
      [`${prefix}%`, this.timing.expireAfterMs / 1000],
    )) as Array<{ resource: string; owner: string; token: string; renewed_at: Date }>;
    return rows.map((row) => ({ resource: row.resource, owner: row.owner, token: Number(row.token), renewedAt: row.renewed_at }));
  }
}

/** TypeORM answers an UPDATE ... RETURNING with `[rows, affectedCount]`, other statements with the rows. */
function updatedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result) as T[];
}
