import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { LeaderLoop } from './leader-loop.js';

/**
 * A Nest provider whose `pass` is a LeaderLoop: started when the application has booted, stopped
 * (the pass under way awaited, the lock given up) before it shuts down. A subclass names its lock and
 * period in `super(...)` and implements `pass`.
 */
export abstract class LeaderTask implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: LeaderLoop;

  protected constructor(dataSource: DataSource, name: string, everyMs: number) {
    // `pass` is looked up at each call: a subclass's fields are set by then.
    this.loop = new LeaderLoop(dataSource, name, everyMs, () => this.pass());
  }

  /** One pass: only ever run on the leader, never two at once. */
  protected abstract pass(): Promise<void>;

  get isLeader(): boolean {
    return this.loop.isLeader;
  }

  /** One pass now, if this replica leads (tests, and a subclass that wants one sooner than the timer). */
  runOnce(): Promise<void> {
    return this.loop.runOnce();
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
