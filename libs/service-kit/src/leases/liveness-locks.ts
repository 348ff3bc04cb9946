import type { DataSource, QueryRunner } from 'typeorm';

/** Advisory-lock namespace of lease liveness locks (the first key of the two-key form). */
const NAMESPACE = 'streamcaster-lease';

/**
 * A session advisory lock per held lease, on one connection of this process's own: PostgreSQL lets
 * it go the moment the process (and so its connection) dies. Another replica that finds it free knows
 * the owner is dead, not merely slow, and may take the lease over before it runs out. A frozen owner
 * keeps its connection, and with it its locks: it is taken over only when the lease runs out.
 */
export class LivenessLocks {
  private runner: QueryRunner | null = null;
  /** Resources locked on the current connection; forgotten when it breaks. */
  private readonly locked = new Set<string>();

  constructor(private readonly dataSource: DataSource) {}

  /** Locks the resource for this process; false when another process holds it (it lives). */
  async lock(resource: string): Promise<boolean> {
    if (this.locked.has(resource)) return true;
    const runner = await this.connection();
    try {
      const [row] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked', [NAMESPACE, resource])) as Array<{ locked: boolean }>;
      if (row?.locked) this.locked.add(resource);
      return row?.locked === true;
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  async unlock(resource: string): Promise<void> {
    if (!this.locked.delete(resource) || !this.runner) return;
    await this.runner.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [NAMESPACE, resource]).catch(() => this.reset());
  }

  /** Takes the locks of leases held again after the connection broke (a database restart). */
  async relock(resources: Iterable<string>): Promise<void> {
    for (const resource of resources) {
      if (!this.locked.has(resource)) await this.lock(resource).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.reset();
  }

  private async connection(): Promise<QueryRunner> {
    if (this.runner && !this.runner.isReleased) return this.runner;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    this.runner = runner;
    return runner;
  }

  private async reset(): Promise<void> {
    const runner = this.runner;
    this.runner = null;
    this.locked.clear();
    await runner?.release().catch(() => undefined);
  }
}
