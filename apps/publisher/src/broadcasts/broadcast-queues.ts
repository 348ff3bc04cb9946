import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { BROADCAST_QUEUE, TRANSCODE_QUEUE, type BroadcastJobs, type TranscodeJobs } from '@streamcaster/contracts';
import { TypedQueue } from '@streamcaster/service-kit';
import { PublisherConfig } from '../config/publisher.config.js';

/**
 * What the publisher puts on queues: transcode jobs (run by the transcoder) and broadcast-end jobs,
 * delayed by the grace period (run by BroadcastEndProcessor). Redis keeps a delay across restarts.
 */
@Injectable()
export class BroadcastQueues implements OnApplicationShutdown {
  readonly transcode: TypedQueue<TranscodeJobs>;
  readonly broadcast: TypedQueue<BroadcastJobs>;

  constructor(config: PublisherConfig) {
    const connection = { redisUrl: config.redisUrl, prefix: config.queuePrefix };
    this.transcode = new TypedQueue<TranscodeJobs>(TRANSCODE_QUEUE, connection);
    this.broadcast = new TypedQueue<BroadcastJobs>(BROADCAST_QUEUE, connection);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.transcode.close(), this.broadcast.close()]);
  }
}
