/**
 * What a metric reads when Prometheus scrapes: the instances that registered themselves (a queue, an
 * outbox, a service's repository). Instances come and go with the Nest application that owns them,
 * while the metric itself lives once per process on prom-client's default register.
 */
export class ScrapeSources<S> {
  private readonly sources = new Set<S>();

  /** Returns the function that takes the source out again (at the owner's shutdown). */
  add(source: S): () => void {
    this.sources.add(source);
    return () => {
      this.sources.delete(source);
    };
  }

  get all(): S[] {
    return [...this.sources];
  }
}

/**
 * A scrape must not hang on a backbone server that does not answer, nor fail as a whole for one
 * source: `fallback` after `timeoutMs` or on an error.
 */
export async function readWithin<T>(read: () => Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), timeoutMs);
  });
  try {
    return await Promise.race([read().catch(() => fallback), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sets every value of `keys` (so that a state with nothing in it shows 0, not nothing), then the counts. */
export function countsByKey<K extends string>(keys: readonly K[], values: Iterable<K>): Map<K, number> {
  const counts = new Map<K, number>(keys.map((key) => [key, 0]));
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
