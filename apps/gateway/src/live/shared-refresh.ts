interface Run {
  again: boolean;
  urgent: boolean;
  done: Promise<void>;
}

/**
 * One fetch per key at a time, shared by everyone who asks: a request while one runs makes it run
 * once more when it ends (what changed meanwhile may not be in the answer under way), however many
 * asked. `urgent` is kept for that next run if any asker wanted it.
 */
export class SharedRefresh {
  private readonly runs = new Map<string, Run>();

  run(key: string, urgent: boolean, task: (urgent: boolean) => Promise<void>): Promise<void> {
    const running = this.runs.get(key);
    if (running) {
      running.again = true;
      running.urgent ||= urgent;
      return running.done;
    }
    const run: Run = { again: true, urgent, done: Promise.resolve() };
    this.runs.set(key, run);
    run.done = (async () => {
      try {
        let failure: { error: unknown } | undefined;
        while (run.again) {
          run.again = false;
          const urgentNow = run.urgent;
          run.urgent = false;
          try {
            await task(urgentNow);
            failure = undefined;
          } catch (error) {
            failure = { error };
          }
        }
        // Only the last run's outcome counts: an earlier failure that a later run repaired is over.
        if (failure) throw failure.error;
      } finally {
        this.runs.delete(key);
      }
    })();
    return run.done;
  }
}
