import { Logger } from '@nestjs/common';
import type { Lease, LeaseStore } from './lease-store.js';

/** One piece of work that should be running somewhere, e.g. the encoder of broadcast X. */
export interface LeasedWork<S> {
  key: string;
  spec: S;
}

/** What `run` hands back: the running process of one piece of work. */
export interface RunningWork {
  /** Stops the process; resolves when it is gone. */
  stop(reason: string): Promise<void>;
  /** Kills it at once: its lease is someone else's now, so not one more moment of it (fencing). */
  kill(reason: string): Promise<void>;
}

export interface LeasedWorkersOptions<S> {
  /** `program`, `relay`, `recording`: the lease resource is `<kind>:<key>`. */
  kind: string;
  store: LeaseStore;
  /** Everything that should be running now, on any replica. Asked at every scan. */
  desired: () => Promise<Array<LeasedWork<S>>>;
  /** Starts the work on this replica, which holds its lease. */
  run: (work: LeasedWork<S>, lease: Lease) => Promise<RunningWork>;
  /** How often desired work is looked for (a nudge looks at once); 500 ms by default. */
  scanEveryMs?: number;
  /** Most pieces of this kind one replica runs at once. */
  capacity?: number;
}

interface Held {
  lease: Lease;
  running: RunningWork | null;
  renewedAt: number;
  /** Set when the work was stopped (or is being stopped) here. */
  ended: boolean;
}

/**
 * The one ownership model for every long-running per-broadcast process (encoder, relay, recording):
 * each replica looks for desired work nobody holds, takes its lease and runs it; it renews its leases
 * every 2 s; a renewal that updates nothing (the lease was taken over, because this replica froze or
 * was cut off) stops the process at once; work that is no longer desired is stopped and its lease
 * dropped. A replica that dies loses its liveness locks with its database connection, and another
 * takes its work over once it has missed a renewal (2.5 s); one that freezes, after 6 s.
 */
export class LeasedWorkers<S> {
  private readonly logger: Logger;
  private readonly held = new Map<string, Held>();
  private scanTimer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private rescan = false;
  private stopped = false;

  constructor(private readonly options: LeasedWorkersOptions<S>) {
    this.logger = new Logger(`leases:${options.kind}`);
  }

  private resource(key: string): string {
    return `${this.options.kind}:${key}`;
  }

  start(): void {
    this.stopped = false;
    this.scanTimer ??= setInterval(() => this.nudge(), this.options.scanEveryMs ?? 500);
    this.renewTimer ??= setInterval(() => void this.renew(), this.options.store.timing.renewEveryMs);
    this.nudge();
  }

  /** Looks for work now (something was just requested or ended). Coalesced: one scan at a time. */
  nudge(): void {
    if (this.stopped) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = this.scan().finally(() => {
      this.scanning = null;
      if (this.rescan) {
        this.rescan = false;
        this.nudge();
      }
    });
  }

  /** Waits for the scan in progress, if any (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.scanning) await this.scanning;
  }

  /** Keys of the work this replica runs now. */
  heldKeys(): string[] {
    return [...this.held.entries()].filter(([, held]) => !held.ended).map(([key]) => key);
  }

  leaseOf(key: string): Lease | undefined {
    const held = this.held.get(key);
    return held && !held.ended ? held.lease : undefined;
  }

  /**
   * Shutting down: stop every process and release the leases, so that another replica (or this one
   * restarted) takes the work over at once instead of after the lease runs out.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.scanTimer) clearInterval(this.scanTimer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.scanTimer = this.renewTimer = null;
    await this.settled();
    await Promise.all(
      [...this.held.entries()].map(async ([key, held]) => {
        await this.end(key, held, 'this replica is shutting down');
        await this.options.store.release(held.lease).catch((error: Error) => this.logger.warn(`could not release ${held.lease.resource}: ${error.message}`));
      }),
    );
    this.held.clear();
  }

  private async scan(): Promise<void> {
    let desired: Array<LeasedWork<S>>;
    try {
      desired = await this.options.desired();
    } catch (error) {
      // Not knowing what is wanted is no reason to stop what runs: keep it, look again next time.
      this.logger.warn(`cannot tell which ${this.options.kind} work is wanted: ${(error as Error).message}`);
      return;
    }
    const wanted = new Set(desired.map((work) => work.key));
    for (const [key, held] of this.held) {
      if (wanted.has(key) || held.ended) continue;
      await this.end(key, held, 'it is no longer wanted');
      this.held.delete(key);
      await this.options.store.drop(held.lease).catch((error: Error) => this.logger.warn(`could not drop ${held.lease.resource}: ${error.message}`));
    }
    let leases: Awaited<ReturnType<LeaseStore['survey']>>;
    try {
      leases = await this.options.store.survey(`${this.options.kind}:`);
    } catch (error) {
      this.logger.warn(`cannot read the ${this.options.kind} leases: ${(error as Error).message}`);
      return;
    }
    // Shuffled, so that replicas scanning at once spread the work instead of racing for the same row.
    for (const work of shuffle(desired)) {
      if (this.stopped) return;
      if (this.held.has(work.key)) continue;
      if (this.options.capacity !== undefined && this.heldKeys().length >= this.options.capacity) return;
      const resource = this.resource(work.key);
      const standing = leases.get(resource);
      // Held by a live owner that renews in time: nothing to do, and no query spent on it.
      if (standing && !standing.expired && !standing.missedRenewal) continue;
      let lease: Lease | null;
      try {
        lease = !standing || standing.expired ? await this.options.store.acquire(resource) : await this.options.store.takeOverDead(resource);
      } catch (error) {
        this.logger.warn(`cannot take ${resource}: ${(error as Error).message}`);
        return;
      }
      if (!lease) continue; // another replica runs it
      const held: Held = { lease, running: null, renewedAt: Date.now(), ended: false };
      this.held.set(work.key, held);
      if (lease.token > 1) this.logger.warn(`took over ${lease.resource} (token ${lease.token}): its last owner died or stopped renewing`);
      try {
        const running = await this.options.run(work, lease);
        if (held.ended) await running.kill('its lease was lost while it started');
        else held.running = running;
      } catch (error) {
        this.logger.error(`could not start ${lease.resource}: ${(error as Error).message}`);
        this.held.delete(work.key);
        // Let any replica (this one included) try again at once.
        await this.options.store.release(lease).catch(() => undefined);
      }
    }
  }

  private async renew(): Promise<void> {
    const startedAt = Date.now();
    // A renewal that hangs (the database stalls) confirms nothing and reports nothing: a lease not
    // confirmed for a renewal and a half must stop here, before another replica may take it.
    const timing = this.options.store.timing;
    for (const [key, held] of [...this.held.entries()]) {
      if (!held.ended && startedAt - held.renewedAt > timing.expireAfterMs - 1.5 * timing.renewEveryMs) {
        this.lose(key, held, `its lease was not confirmed for ${startedAt - held.renewedAt} ms`, true);
      }
    }
    const entries = [...this.held.entries()].filter(([, held]) => !held.ended);
    if (entries.length === 0) return;
    let kept: Set<string>;
    try {
      kept = await this.options.store.renew(entries.map(([, held]) => held.lease));
    } catch (error) {
      // The database cannot confirm: once the lease may have run out, another replica may run the
      // work, so this one stops it rather than risk two owners.
      for (const [key, held] of entries) {
        if (startedAt - held.renewedAt >= timing.expireAfterMs - timing.renewEveryMs) {
          this.lose(key, held, `its lease could not be renewed (${(error as Error).message})`, true);
        }
      }
      return;
    }
    for (const [key, held] of entries) {
      if (kept.has(held.lease.resource)) held.renewedAt = startedAt;
      else this.lose(key, held, 'its lease was taken over by another replica');
    }
  }

  /**
   * The lease is gone, or may be: kill at once, and do not release or drop what may be someone
   * else's. The liveness lock goes once the process is gone; when the lease was only not confirmed
   * (the database may still count it as this replica's), it stays until the lease has run out, so
   * that nobody takes the work over sooner than expiry from a replica that is alive.
   */
  private lose(key: string, held: Held, reason: string, mayStillHoldLease = false): void {
    this.logger.warn(`killing ${held.lease.resource} now: ${reason}`);
    this.held.delete(key);
    const keepLockMs = mayStillHoldLease ? this.options.store.timing.expireAfterMs : 0;
    void this.end(key, held, reason, 'kill')
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, keepLockMs).unref()))
      .then(() => this.options.store.forget(held.lease))
      .catch(() => undefined);
  }

  private async end(_key: string, held: Held, reason: string, how: 'stop' | 'kill' = 'stop'): Promise<void> {
    if (held.ended) return;
    held.ended = true;
    try {
      await (how === 'kill' ? held.running?.kill(reason) : held.running?.stop(reason));
    } catch (error) {
      this.logger.error(`stopping ${held.lease.resource} failed: ${(error as Error).message}`);
    }
  }
}

function shuffle<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}
