import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import type { EntityManager } from 'typeorm';
import { RECORDING_QUEUE, RecordingProgress, RecordingStarted, type RecordingJobs, type RecordingView } from '@streamcaster/contracts';
import { BusClient, BusException, DataPaths, LeasedWorkers, LeaseStore, Outbox, TypedQueue, type Lease, type LeasedWork, type RunningWork } from '@streamcaster/service-kit';
import { FfmpegProgressParser } from '@streamcaster/supervisor';
import { RecorderConfig } from '../config/recorder.config.js';
import { SegmentBytesMeter } from '../metrics/recorder.metrics.js';
import type { RecordingEntity } from './recording.entity.js';
import { RecordingsRepository } from './recordings.repository.js';
import { RecordingProgressMeter } from './recording-progress.js';
import { createSegmentRecorder } from './segment-recorder.js';

export function toRecordingView(recording: RecordingEntity): RecordingView {
  return {
    id: recording.id,
    broadcastId: recording.broadcastId,
    state: recording.state,
    durationSeconds: recording.durationSeconds,
    sizeBytes: recording.sizeBytes,
    segments: recording.segments,
    startedAt: recording.startedAt.toISOString(),
    finalizedAt: recording.finalizedAt?.toISOString() ?? null,
    error: recording.error,
  };
}

/** The lease of a recording's segment writer; the finaliser waits until nobody holds it. */
export const recordingLease = (recordingId: string) => `recording:${recordingId}`;

/**
 * Every broadcast is recorded: its recording is created when the broadcast starts (durable event),
 * written by whichever recorder replica holds its lease, and handed to the finalize queue when the
 * broadcast is over. A recorder that dies loses at most the segment it had open; another replica
 * takes the lease over and goes on in the same folder, under its own fencing token.
 */
@Injectable()
export class RecordingsService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(RecordingsService.name);
  private readonly finalizeQueue: TypedQueue<RecordingJobs>;
  private readonly workers: LeasedWorkers<RecordingEntity>;

  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly paths: DataPaths,
    private readonly config: RecorderConfig,
    private readonly outbox: Outbox,
    private readonly bus: BusClient,
    leases: LeaseStore,
  ) {
    this.finalizeQueue = new TypedQueue<RecordingJobs>(RECORDING_QUEUE, { redisUrl: config.redisUrl, prefix: config.queuePrefix });
    this.workers = new LeasedWorkers<RecordingEntity>({
      kind: 'recording',
      store: leases,
      desired: async () => (await this.recordings.inState(['recording'])).map((recording) => ({ key: recording.id, spec: recording })),
      run: (work, lease) => this.record(work, lease),
    });
  }

  /** The broadcast runs: make sure it has its recording. */
  async onBroadcastRunning(manager: EntityManager, broadcastId: string): Promise<void> {
    const created = await this.recordings.create(manager, broadcastId);
    if (!created) return;
    await this.outbox.add(manager, RecordingStarted, { recordingId: created.id, broadcastId }, broadcastId);
    this.logger.log(`recording ${created.id} created for broadcast ${broadcastId}`);
  }

  /** The broadcast is over: the writer stops (its work is no longer wanted) and the file is finalised. */
  async onBroadcastOver(manager: EntityManager, broadcastId: string): Promise<void> {
    const recording = await this.recordings.findByBroadcast(broadcastId, manager);
    if (!recording || !(await this.recordings.transition(manager, recording.id, 'recording', 'finalizing'))) return;
    // Added before the commit: a job that finds the recording still `recording` (commit failed) or
    // already done does nothing harmful; the finaliser waits for the writer to let the lease go.
    await this.enqueueFinalize(recording.id);
  }

  nudge(): void {
    this.workers.nudge();
  }

  heldKeys(): string[] {
    return this.workers.heldKeys();
  }

  private async record(work: LeasedWork<RecordingEntity>, lease: Lease): Promise<RunningWork> {
    const recording = work.spec;
    const directory = this.paths.recording(`${recording.directory}/segments`);
    await mkdir(directory, { recursive: true });
    const process = createSegmentRecorder({
      broadcastId: recording.broadcastId,
      programUrl: `${this.config.rtmpInternalUrl}/program/${recording.broadcastId}`,
      directory,
      segmentSeconds: this.config.segmentSeconds,
      ffmpegPath: this.config.ffmpegPath,
      token: lease.token,
    });
    this.reportProgress(process, recording, directory);
    this.logger.log(`recording broadcast ${recording.broadcastId} into ${directory} (lease token ${lease.token})`);
    await process.start();
    const meter = new SegmentBytesMeter(directory, lease.token);
    return {
      stop: async (reason) => {
        this.logger.log(`recording of broadcast ${recording.broadcastId} stops: ${reason}`);
        await process.stop();
        await meter.finish();
      },
      // Its segment stays as far as it was written: the next owner writes under its own token.
      kill: async () => {
        await process.kill();
        await meter.finish();
      },
    };
  }

  /** `recording.progress.v1` on each of the writer's progress blocks (once a second while it writes). */
  private reportProgress(process: ReturnType<typeof createSegmentRecorder>, recording: RecordingEntity, directory: string): void {
    const meter = new RecordingProgressMeter(directory);
    const parser = new FfmpegProgressParser((progress) => {
      meter.onProgress(progress);
      void meter.sizeBytes().then((sizeBytes) =>
        this.bus.emit(RecordingProgress, { recordingId: recording.id, broadcastId: recording.broadcastId, sizeBytes, durationSeconds: meter.durationSeconds }),
      );
    });
    process.on('line', (stream, line) => {
      if (stream === 'stdout') parser.pushLine(line);
    });
    process.on('exit', () => meter.onRunEnded());
  }

  private async enqueueFinalize(recordingId: string): Promise<void> {
    // jobId: one finalisation per recording, however often this runs.
    await this.finalizeQueue.add('finalize', { recordingId }, { jobId: recordingId, delay: 500, attempts: 3, backoff: { type: 'exponential', delay: 2_000 } });
  }

  async list(broadcastId?: string, broadcastIds?: string[]): Promise<RecordingView[]> {
    return (await this.recordings.list(broadcastId, broadcastIds)).map(toRecordingView);
  }

  async get(id: string): Promise<RecordingView> {
    return toRecordingView(await this.require(id));
  }

  async locateFile(id: string): Promise<{ relativePath: string; sizeBytes: number }> {
    const recording = await this.require(id);
    if (recording.state !== 'ready' || !recording.filePath) {
      throw new BusException('conflict', `recording ${id} is ${recording.state}; its file is not ready`);
    }
    return { relativePath: recording.filePath, sizeBytes: recording.sizeBytes ?? 0 };
  }

  /** At boot: writers start for what is being recorded, and no recording waits for a lost finalise job. */
  async onApplicationBootstrap(): Promise<void> {
    this.workers.start();
    for (const recording of await this.recordings.inState(['finalizing'])) await this.enqueueFinalize(recording.id);
  }

  /** Before the database closes: finish the open segment and release the leases for a quick take-over. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.workers.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.finalizeQueue.close();
  }

  private async require(id: string): Promise<RecordingEntity> {
    const recording = await this.recordings.findById(id);
    if (!recording) throw new BusException('not_found', `no recording with id ${id}`);
    return recording;
  }
}
