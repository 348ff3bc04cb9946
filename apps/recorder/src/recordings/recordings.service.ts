import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { RECORDING_QUEUE, type RecordingJobs, type RecordingView } from '@streamcaster/contracts';
import { broadcastStillRuns, BusClient, BusException, DataPaths, TypedQueue } from '@streamcaster/service-kit';
import type { SupervisedProcess } from '@streamcaster/supervisor';
import { RecorderConfig } from '../config/recorder.config.js';
import type { RecordingEntity } from './recording.entity.js';
import { RecordingsRepository } from './recordings.repository.js';
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

/** A recorder renews its leases this often; one that misses three renewals is taken over. */
const RENEW_EVERY_MS = 10_000;
const LEASE_MS = 30_000;

type Entry = { recording?: RecordingEntity; process?: SupervisedProcess; finished: boolean };

@Injectable()
export class RecordingsService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(RecordingsService.name);
  /**
   * Broadcasts this recorder holds. An entry is made before the first await of a start, so that an
   * `ending` arriving while the claim is still in flight is not lost: it marks the entry finished.
   */
  private readonly active = new Map<string, Entry>();
  private readonly finalizeQueue: TypedQueue<RecordingJobs>;
  /** This process, as the owner of the recordings it holds. */
  private readonly instance = randomUUID();
  private leaseTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly paths: DataPaths,
    private readonly config: RecorderConfig,
    private readonly bus: BusClient,
  ) {
    this.finalizeQueue = new TypedQueue<RecordingJobs>(RECORDING_QUEUE, { redisUrl: config.redisUrl, prefix: config.queuePrefix });
  }

  /** Every recorder hears a new broadcast; the one whose claim succeeds records it. */
  async startRecording(broadcastId: string): Promise<void> {
    if (this.active.has(broadcastId)) return;
    const entry: Entry = { finished: false };
    this.active.set(broadcastId, entry);
    const recording = await this.recordings.claim(broadcastId, broadcastId, this.instance, LEASE_MS);
    if (!recording) {
      this.active.delete(broadcastId); // another recorder has it
      return;
    }
    await this.record(broadcastId, entry, recording);
  }

  /** Records into the recording's folder; segment numbering continues after what is already there. */
  private async record(broadcastId: string, entry: Entry, recording: RecordingEntity): Promise<void> {
    entry.recording = recording;
    if (entry.finished) {
      // The broadcast ended before we began: hand over what there is, which says so if it is nothing.
      this.active.delete(broadcastId);
      await this.handOver(recording);
      return;
    }
    const directory = this.paths.recording(`${recording.directory}/segments`);
    entry.process = createSegmentRecorder({
      broadcastId,
      programUrl: `${this.config.rtmpInternalUrl}/program/${broadcastId}`,
      directory,
      segmentSeconds: this.config.segmentSeconds,
      ffmpegPath: this.config.ffmpegPath,
    });
    await mkdir(directory, { recursive: true });
    // The `ending` event may be lost (core NATS): each time the program drops, ask whether it is over.
    entry.process.on('restartScheduled', () => void this.finishIfOver(broadcastId));
    // Checked and started in one tick: an `ending` that came during mkdir has already handed over.
    if (entry.finished) return;
    this.logger.log(`recording broadcast ${broadcastId} into ${directory}`);
    await entry.process.start();
  }

  /** The broadcast is over: close the last segment, then hand the recording to the finalize queue. */
  async finishRecording(broadcastId: string): Promise<void> {
    const entry = this.active.get(broadcastId);
    if (!entry) return; // another recorder holds it
    entry.finished = true;
    if (!entry.recording) return; // the claim is in flight; startRecording hands it over
    this.active.delete(broadcastId);
    await entry.process?.stop();
    await this.handOver(entry.recording);
  }

  private async handOver(recording: RecordingEntity): Promise<void> {
    await this.recordings.update(recording.id, { state: 'finalizing' });
    // jobId: one finalisation per recording, however often this runs.
    await this.finalizeQueue.add('finalize', { recordingId: recording.id }, { jobId: recording.id, attempts: 3, backoff: { type: 'exponential', delay: 2_000 } });
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

  onModuleInit(): void {
    this.leaseTimer = setInterval(() => void this.tendLeases(), RENEW_EVERY_MS);
  }

  /** At boot: take over at once what a recorder that just stopped (this one, restarted) released. */
  async onApplicationBootstrap(): Promise<void> {
    await this.tendLeases();
  }

  private async finishIfOver(broadcastId: string): Promise<void> {
    if ((await broadcastStillRuns(this.bus, broadcastId)) === false) await this.finishRecording(broadcastId);
  }

  /**
   * Keeps this recorder's leases alive and takes over the recordings of a recorder that died: it
   * resumes a broadcast that still runs (the crash lost at most the open segment) and finalises one
   * that ended meanwhile.
   */
  async tendLeases(): Promise<void> {
    try {
      const held = [...this.active.values()].flatMap((entry) => (entry.recording ? [entry.recording.id] : []));
      await this.recordings.renewLeases(held, this.instance, LEASE_MS);
      for (const recording of await this.recordings.takeOverExpired(this.instance, LEASE_MS)) {
        const running = await broadcastStillRuns(this.bus, recording.broadcastId);
        // The publisher could not say: leave it; the unrenewed lease brings it back next round.
        if (running === undefined) continue;
        this.logger.warn(`took over recording ${recording.id} of a recorder that stopped; ${running ? 'resuming it' : 'finalising it'}`);
        if (running && !this.active.has(recording.broadcastId)) {
          const entry: Entry = { finished: false };
          this.active.set(recording.broadcastId, entry);
          await this.record(recording.broadcastId, entry, recording);
        } else if (!running) {
          await this.handOver(recording);
        }
      }
    } catch (error) {
      this.logger.error(`lease upkeep failed: ${(error as Error).message}`);
    }
  }

  /**
   * Shutting down mid-broadcast (before the database closes): finish the segment on disk and release
   * the leases, so that the next recorder, or this one restarted, resumes at once instead of waiting
   * for them to run out.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    await Promise.all([...this.active.values()].map((entry) => entry.process?.stop()));
    const held = [...this.active.values()].flatMap((entry) => (entry.recording ? [entry.recording.id] : []));
    await this.recordings.releaseLeases(held, this.instance).catch((error: Error) => this.logger.warn(`could not release leases: ${error.message}`));
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
