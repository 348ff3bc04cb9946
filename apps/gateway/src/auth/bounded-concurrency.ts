/** Thrown when every slot is busy and the queue is full: the caller should come back shortly. */
export class ConcurrencyLimitReached extends Error {
  constructor(readonly what: string) {
    super(`too many ${what} at once`);
    this.name = 'ConcurrencyLimitReached';
  }
}

/**
 * Runs at most `concurrency` tasks at once, queues up to `queueLimit` more in arrival order and
 * refuses the rest at once, so that a flood costs a bounded amount of memory.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly what: string,
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.queueLimit) throw new ConcurrencyLimitReached(this.what);
      // The slot is handed over by the finishing task, so `active` never drops and rises in between.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
