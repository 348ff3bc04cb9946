import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { BROADCAST_QUEUE, endBroadcastJobSchema, type BroadcastJobs } from '@streamcaster/contracts';
import { createWorker, type TypedWorker } from '@streamcaster/service-kit';
import { PublisherConfig } from '../config/publisher.config.js';
import { BroadcastsService } from './broadcasts.service.js';

/** Runs the delayed `end` jobs: exactly once per interruption, retried if the database hiccups. */
@Injectable()
export class BroadcastEndProcessor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(BroadcastEndProcessor.name);
  private worker: TypedWorker<BroadcastJobs> | null = null;

  constructor(
    private readonly config: PublisherConfig,
    private readonly broadcasts: BroadcastsService,
  ) {}

  onModuleInit(): void {
    this.worker = createWorker<BroadcastJobs>(
      BROADCAST_QUEUE,
      { redisUrl: this.config.redisUrl, prefix: this.config.queuePrefix },
      async (job) => {
        const { broadcastId, ingestId, interruptedAt } = endBroadcastJobSchema.parse(job.data);
        await this.broadcasts.onGraceExpired(broadcastId, ingestId, interruptedAt);
      },
    );
    this.worker.on('failed', (job, error) => this.logger.error(`broadcast job ${job?.id ?? '?'} failed: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
