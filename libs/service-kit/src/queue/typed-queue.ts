import { Queue, Worker, type Job, type JobsOptions, type RedisOptions, type WorkerOptions } from 'bullmq';
import { QUEUE_JOB_STATES, queueSources, type QueueJobState } from '../metrics/queue.metrics.js';

export interface QueueConnectionOptions {
  redisUrl: string;
  /** Key prefix in Redis, so that test runs sharing a Redis stay apart. */
  prefix: string;
}

/**
 * Connection options, not a client: BullMQ closes only the connections it made itself, so a client
 * handed to it would keep the process alive after shutdown.
 */
function connection(redisUrl: string): RedisOptions {
  // BullMQ's blocking commands need unlimited retries per request on the worker side.
  return { url: redisUrl, maxRetriesPerRequest: null };
}

/**
 * A BullMQ queue whose job names and payloads are paired at compile time:
 * `add('finalize', { recordingId })` type-checks only with the payload of `finalize`.
 */
export class TypedQueue<Jobs extends object> {
  private readonly queue: Queue;
  private readonly leaveMetrics: () => void;

  constructor(
    readonly name: string,
    options: QueueConnectionOptions,
  ) {
    this.queue = new Queue(name, { connection: connection(options.redisUrl), prefix: options.prefix });
    // Its depth is in `streamcaster_queue_jobs` for as long as it is open.
    this.leaveMetrics = queueSources.add({ name, counts: () => this.counts() });
  }

  /** Jobs waiting, delayed (e.g. grace periods running) and being worked on. */
  async counts(): Promise<Record<QueueJobState, number>> {
    const counts = await this.queue.getJobCounts(...QUEUE_JOB_STATES);
    return { waiting: counts['waiting'] ?? 0, delayed: counts['delayed'] ?? 0, active: counts['active'] ?? 0 };
  }

  async add<N extends keyof Jobs & string>(jobName: N, data: Jobs[N], options?: JobsOptions): Promise<void> {
    await this.queue.add(jobName, data, { removeOnComplete: 1000, removeOnFail: 5000, ...options });
  }

  /** Removes a waiting or delayed job (e.g. a broadcast end that is no longer wanted). */
  async remove(jobId: string): Promise<void> {
    await this.queue.remove(jobId);
  }

  async close(): Promise<void> {
    this.leaveMetrics();
    await this.queue.close();
  }
}

export type TypedWorker<Jobs extends object> = Worker<Jobs[keyof Jobs], unknown, keyof Jobs & string>;

/** One worker per queue; the handler gets `job.name` narrowed to the queue's job names. */
export function createWorker<Jobs extends object>(
  name: string,
  options: QueueConnectionOptions & Pick<WorkerOptions, 'concurrency' | 'lockDuration'>,
  handler: (job: Job<Jobs[keyof Jobs], unknown, keyof Jobs & string>) => Promise<unknown>,
): TypedWorker<Jobs> {
  return new Worker<Jobs[keyof Jobs], unknown, keyof Jobs & string>(name, handler, {
    connection: connection(options.redisUrl),
    prefix: options.prefix,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDuration ?? 30_000,
  });
}
