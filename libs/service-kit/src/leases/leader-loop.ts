import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { LeaderLock } from './leader-lock.js';

/**
 * A pass that one replica of a service runs at a time (the leader, see LeaderLock), at start and
 * every `everyMs`, never two passes at once: the shape of every reconciler.
 */
export class LeaderLoop {
  private readonly logger: Logger;
  private readonly leader: LeaderLock;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    dataSource: DataSource,
    readonly name: string,
    private readonly everyMs: number,
    private readonly pass: () => Promise<void>,
  ) {
    this.logger = new Logger(name);
    this.leader = new LeaderLock(dataSource, name);
  }

  get isLeader(): boolean {
    return this.leader.isLeader;
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.everyMs);
    this.tick();
  }

  /** One pass now, if this replica leads (tests, and the timer). */
  async runOnce(): Promise<void> {
    if (await this.leader.lead()) await this.pass();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.leader.resign();
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.runOnce()
      .catch((error: Error) => this.logger.warn(`${this.name} pass failed: ${error.message}`))
      .finally(() => (this.running = null));
  }
}
