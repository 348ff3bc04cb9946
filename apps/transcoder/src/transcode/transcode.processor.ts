import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EncoderProgress, TRANSCODE_QUEUE, transcodeJobSchema, type TranscodeJobs } from '@streamcaster/contracts';
import { broadcastStillRuns, BusClient, createWorker, DataPaths, type TypedWorker } from '@streamcaster/service-kit';
import { TranscoderConfig } from '../config/transcoder.config.js';
import { EncoderRegistry } from '../encoders/encoder-registry.js';
import { scratchDirectory, TranscodeSession } from './transcode-session.js';


/**
 * The transcode queue's worker: one job per live broadcast, held for the broadcast's whole life.
 * If this worker dies, BullMQ sees the job stalled and another worker takes it over.
 */
@Injectable()
export class TranscodeProcessor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TranscodeProcessor.name);
  private readonly sessions = new Map<string, TranscodeSession>();
  private worker: TypedWorker<TranscodeJobs> | null = null;
  private shuttingDown = false;

  constructor(
    private readonly config: TranscoderConfig,
    private readonly encoders: EncoderRegistry,
    private readonly paths: DataPaths,
    private readonly bus: BusClient,
  ) {}

  onModuleInit(): void {
    this.worker = createWorker<TranscodeJobs>(
      TRANSCODE_QUEUE,
      { redisUrl: this.config.redisUrl, prefix: this.config.queuePrefix, concurrency: this.config.concurrency },
      async (job) => this.run(transcodeJobSchema.parse(job.data)),
    );
    this.worker.on('failed', (job, error) => this.logger.error(`transcode job ${job?.id ?? '?'} failed: ${error.message}`));
  }

  /** Called when the publisher says the broadcast is over; a no-op on workers that do not hold it. */
  async stop(broadcastId: string, reason: string): Promise<void> {
    await this.sessions.get(broadcastId)?.stop(reason);
  }

  async onApplicationShutdown(): Promise<void> {
    // Close the worker first so that no new job starts, then end the running encoders; their jobs
    // fail (see run) and are retried, by another worker or by this one after its restart.
    this.shuttingDown = true;
    const closing = this.worker?.close();
    await Promise.all([...this.sessions.values()].map((session) => session.stop('the transcoder is shutting down')));
    await closing;
  }

  private async run(job: ReturnType<typeof transcodeJobSchema.parse>): Promise<void> {
    if (this.sessions.has(job.broadcastId)) return;
    const encoder = await this.encoders.choice();
    const session = new TranscodeSession({
      job,
      encoder,
      profile: this.encoders.profile,
      rtmpInternalUrl: this.config.rtmpInternalUrl,
      ffmpegPath: this.config.ffmpegPath,
      fontFile: this.config.fontFile,
      scratchDir: scratchDirectory(this.paths.scratch, job.broadcastId),
      logoPath: job.logo ? this.paths.asset(job.logo.assetName) : null,
      onProgress: (progress) => void this.bus.emit(EncoderProgress, { broadcastId: job.broadcastId, encoder: encoder.kind, progress }),
      stillWanted: () => this.stillWanted(job.broadcastId),
    });
    // Registered before the first await that follows, so that an `ending` arriving meanwhile finds it.
    this.sessions.set(job.broadcastId, session);
    try {
      if (!(await this.stillWanted(job.broadcastId))) return;
      await session.start();
      await session.done;
    } finally {
      this.sessions.delete(job.broadcastId);
    }
    // A job that ends because this worker stops must not count as done: the broadcast still runs.
    if (this.shuttingDown) throw new Error('this transcoder shut down during the broadcast; the job is retried');
  }

  private async stillWanted(broadcastId: string): Promise<boolean> {
    const runs = await broadcastStillRuns(this.bus, broadcastId);
    if (runs !== undefined) return runs;
    // Unknown is not "over": keep encoding rather than cut a live set because the bus hiccupped.
    this.logger.warn(`could not ask the publisher about broadcast ${broadcastId}; encoding on`);
    return true;
  }
}
