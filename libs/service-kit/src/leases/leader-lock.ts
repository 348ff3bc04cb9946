import { Logger } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';

/**
 * One leader among a service's replicas: a PostgreSQL session advisory lock held on a connection of
 * its own. A leader that dies loses its connection, and with it the lock, to the next contender.
 */
export class LeaderLock {
  private readonly logger = new Logger(LeaderLock.name);
  private runner: QueryRunner | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly name: string,
  ) {}

  get isLeader(): boolean {
    return this.runner !== null;
  }

  /** True while this replica leads: checks the held connection, or contends once if it holds none. */
  async lead(): Promise<boolean> {
    if (this.runner) {
      try {
        await this.runner.query('SELECT 1');
        return true;
      } catch {
        await this.resign(); // the connection, and the lock with it, is gone
      }
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [row] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.name])) as Array<{ locked: boolean }>;
      if (row?.locked) {
        this.runner = runner;
        this.logger.log(`this replica leads ${this.name}`);
        return true;
      }
    } catch (error) {
      this.logger.warn(`cannot contend for ${this.name}: ${(error as Error).message}`);
    }
    await runner.release().catch(() => undefined);
    return false;
  }

  async resign(): Promise<void> {
    const runner = this.runner;
    this.runner = null;
    if (!runner) return;
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [this.name]).catch(() => undefined);
    await runner.release().catch(() => undefined);
  }
}
