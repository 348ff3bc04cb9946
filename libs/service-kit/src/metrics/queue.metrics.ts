import { Gauge } from 'prom-client';
import { readWithin, ScrapeSources } from './scrape-sources.js';

/** The job states a queue's depth is made of. */
export const QUEUE_JOB_STATES = ['waiting', 'delayed', 'active'] as const;
export type QueueJobState = (typeof QUEUE_JOB_STATES)[number];

export interface QueueDepthSource {
  name: string;
  counts(): Promise<Record<QueueJobState, number>>;
}

/** Every open TypedQueue of this process (it adds itself, and leaves when closed). */
export const queueSources = new ScrapeSources<QueueDepthSource>();

export const queueJobs = new Gauge<'queue' | 'state'>({
  name: 'streamcaster_queue_jobs',
  help: 'Jobs in the BullMQ queues this service uses, by queue name and state (waiting, delayed, active); read from Redis at each scrape',
  labelNames: ['queue', 'state'],
  async collect() {
    this.reset();
    for (const source of queueSources.all) {
      const counts = await readWithin(() => source.counts(), 1_000, undefined);
      if (!counts) continue; // Redis did not answer in time: no figure rather than a wrong one
      for (const state of QUEUE_JOB_STATES) this.set({ queue: source.name, state }, counts[state]);
    }
  },
});
