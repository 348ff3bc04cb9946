import { join } from 'node:path';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EncoderProgress, ProgramSourceChanged, type IngestStream, type TranscodeJob } from '@streamcaster/contracts';
import { BusClient, DataPaths, LeasedWorkers, LeaseStore, Outbox, type Lease, type LeasedWork, type RunningWork } from '@streamcaster/service-kit';
import { TranscoderConfig } from '../config/transcoder.config.js';
import { EncoderRegistry } from '../encoders/encoder-registry.js';
import { VjScenes } from '../vj/vj-scenes.js';
import { trackProgram } from '../metrics/transcoder.metrics.js';
import { ProgramsRepository } from '../programs/programs.repository.js';
import { scratchDirectory, TranscodeSession } from './transcode-session.js';

/**
 * The encoders of every wanted program, each run by the transcoder replica that holds its lease
 * (`program:<broadcastId>`), at most TRANSCODER_CONCURRENCY per replica. A replica that dies stops
 * renewing, and another takes the program over within seconds.
 */
@Injectable()
export class ProgramWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProgramWorkers.name);
  private readonly workers: LeasedWorkers<TranscodeJob>;
  /** The sessions this replica runs, by broadcast: where a new track is drawn. */
  private readonly sessions = new Map<string, TranscodeSession>();

  constructor(
    private readonly config: TranscoderConfig,
    private readonly encoders: EncoderRegistry,
    private readonly vjScenes: VjScenes,
    private readonly paths: DataPaths,
    private readonly bus: BusClient,
    private readonly programs: ProgramsRepository,
    private readonly outbox: Outbox,
    leases: LeaseStore,
  ) {
    this.workers = new LeasedWorkers<TranscodeJob>({
      kind: 'program',
      store: leases,
      capacity: config.concurrency,
      desired: async () => {
        const wanted = await this.programs.wanted();
        // Reconciled at every scan: a program whose DJ came back through another input reads that one.
        for (const program of wanted) this.sessions.get(program.broadcastId)?.follow(program.job.input);
        return wanted.map((program) => ({ key: program.broadcastId, spec: program.job }));
      },
      run: (work, lease) => this.run(work, lease),
    });
  }

  onApplicationBootstrap(): void {
    this.workers.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.workers.stop();
  }

  nudge(): void {
    this.workers.nudge();
  }

  /** Draws a new track on the program of a broadcast, when this replica runs it (others ignore it). */
  trackChanged(broadcastId: string, line: string): void {
    this.sessions.get(broadcastId)?.setNowPlaying(line);
  }

  /** A title from the DJ's source: drawn by the session that reads that stream, if it runs here. */
  trackOnInput(stream: IngestStream, line: string): void {
    for (const session of this.sessions.values()) {
      if (session.reads(stream)) session.setNowPlaying(line);
    }
  }

  heldKeys(): string[] {
    return this.workers.heldKeys();
  }

  private async run(work: LeasedWork<TranscodeJob>, lease: Lease): Promise<RunningWork> {
    const job = work.spec;
    const encoder = await this.encoders.choice();
    const metrics = trackProgram();
    const nowPlaying = await this.programs.nowPlaying(job.broadcastId);
    const session = new TranscodeSession({
      job,
      encoder,
      profile: this.encoders.profile,
      rtmpInternalUrl: this.config.rtmpInternalUrl,
      icecastInternalUrl: this.config.icecastInternalUrl,
      icecastReaderPassword: this.config.icecastReaderPassword ?? null,
      ffmpegPath: this.config.ffmpegPath,
      fontFile: this.config.fontFile,
      scratchDir: scratchDirectory(this.paths.scratch, job.broadcastId, lease.token),
      logoPath: job.logo ? this.paths.asset(job.logo.assetName) : null,
      stallMs: this.config.stallMs,
      vjScene: (allowed) => this.vjScenes.current(allowed),
      nowPlaying,
      slateAudioPath: this.config.slateAudioFile ?? null,
      slateCacheDir: join(this.paths.root, 'slates', job.broadcastId),
      onSourceChanged: (source, reason) => {
        metrics.switched(source);
        // Durable: the broadcast's state (interrupted / live) follows it.
        this.outbox
          .publish(ProgramSourceChanged, { broadcastId: job.broadcastId, source, reason: reason.slice(0, 500), at: new Date().toISOString() }, job.broadcastId)
          .catch((error: unknown) => this.logger.error(`program ${job.broadcastId} → ${source} not recorded: ${String(error)}`));
      },
      onProgress: (progress) => {
        metrics.progress(progress);
        void this.bus.emit(EncoderProgress, { broadcastId: job.broadcastId, encoder: encoder.kind, progress });
      },
    });
    this.sessions.set(job.broadcastId, session);
    const forget = () => {
      if (this.sessions.get(job.broadcastId) === session) this.sessions.delete(job.broadcastId);
      metrics.done();
    };
    try {
      await session.start();
    } catch (error) {
      forget();
      throw error;
    }
    return {
      stop: (reason) => session.stop(reason).finally(forget),
      kill: (reason) => session.kill(reason).finally(forget),
    };
  }
}
