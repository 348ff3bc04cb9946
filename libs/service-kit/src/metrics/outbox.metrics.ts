import { Gauge } from 'prom-client';
import { readWithin, ScrapeSources } from './scrape-sources.js';

/** Every running Outbox of this process. */
export const outboxSources = new ScrapeSources<{ pending(): Promise<number> }>();

export const outboxPending = new Gauge({
  name: 'streamcaster_outbox_pending',
  help: 'Durable events committed but not yet on JetStream (the outbox backlog); grows while NATS is unreachable',
  async collect() {
    const counts = await Promise.all(outboxSources.all.map((source) => readWithin(() => source.pending(), 1_000, undefined)));
    // PostgreSQL did not answer in time: the last figure stays rather than a wrong 0.
    if (counts.some((count) => count === undefined)) return;
    this.set(counts.reduce<number>((sum, count) => sum + (count ?? 0), 0));
  },
});
