import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { BROADCAST_QUEUE, type BroadcastJobs } from '@streamcaster/contracts';
import { TypedQueue } from '@streamcaster/service-kit';
import { PublisherConfig } from '../config/publisher.config.js';

/**
 * Broadcast-end jobs, delayed by the grace period (run by BroadcastEndProcessor). Redis keeps a
 * delay across restarts; the reconciler ends a broadcast whose job was lost all the same.
 */
@Injectable()
export class BroadcastQueues implements OnApplicationShutdown {
  readonly broadcast: TypedQueue<BroadcastJobs>;

  constructor(config: PublisherConfig) {
    this.broadcast = new TypedQueue<BroadcastJobs>(BROADCAST_QUEUE, { redisUrl: config.redisUrl, prefix: config.queuePrefix });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.broadcast.close();
  }
}
