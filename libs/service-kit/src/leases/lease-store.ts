import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

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
  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    /** This process as an owner: new at every start, so a restarted replica is a new owner. */
    readonly owner: string = randomUUID(),
    readonly timing: LeaseTiming = LEASE_TIMING,
  ) {}

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
    return row ? { resource, owner: this.owner, token: Number(row.token) } : null;
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
    return new Set(rows.map((row) => row.resource));
  }

  /** Gives a resource up so that another replica may take it at once (this one is shutting down). */
  async release(lease: Lease): Promise<void> {
    await this.dataSource.query(`UPDATE ${this.table} SET renewed_at = '-infinity' WHERE resource = $1 AND owner = $2 AND token = $3`, [
      lease.resource,
      lease.owner,
      lease.token,
    ]);
  }

  /** The work is over for good: forget the resource. */
  async drop(lease: Lease): Promise<void> {
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
