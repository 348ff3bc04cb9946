import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finalizeRecordingJobSchema, RECORDING_QUEUE, RecordingFinalized, type RecordingJobs } from '@streamcaster/contracts';
import { createWorker, DataPaths, LeaseStore, Outbox, type TypedWorker } from '@streamcaster/service-kit';
import { lastLine, runOnce } from '@streamcaster/supervisor';
import { RecorderConfig } from '../config/recorder.config.js';
import { buildFinalizeArgs, concatList, SEGMENT_NAME } from './recording-args.js';
import { RecordingsRepository } from './recordings.repository.js';
import { recordingLease } from './recordings.service.js';

/** Longest wait for the segment writer to close its last segment and let its lease go. */
const WRITER_GONE_WITHIN_MS = 20_000;

/** At least two whole 188-byte MPEG-TS packets, the first starting with the sync byte. */
async function holdsMpegTs(path: string): Promise<boolean> {
  const file = await open(path, 'r').catch(() => null);
  if (!file) return false;
  try {
    const head = Buffer.alloc(1);
    const { bytesRead } = await file.read(head, 0, 1, 0);
    return bytesRead === 1 && head[0] === 0x47 && (await file.stat()).size >= 2 * 188;
  } finally {
    await file.close();
  }
}

/**
 * Turns a recording's segments into one MP4. The segments are deleted only after the MP4 is written
 * and probed, so a failed attempt (disk full, crash) can be retried with nothing lost.
 */
@Injectable()
export class FinalizeProcessor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(FinalizeProcessor.name);
  private worker: TypedWorker<RecordingJobs> | null = null;

  constructor(
    private readonly config: RecorderConfig,
    private readonly recordings: RecordingsRepository,
    private readonly paths: DataPaths,
    private readonly outbox: Outbox,
    private readonly leases: LeaseStore,
  ) {}

  onModuleInit(): void {
    this.worker = createWorker<RecordingJobs>(
      RECORDING_QUEUE,
      { redisUrl: this.config.redisUrl, prefix: this.config.queuePrefix, lockDuration: 120_000 },
      async (job) => {
        const { recordingId } = finalizeRecordingJobSchema.parse(job.data);
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        try {
          await this.finalize(recordingId);
        } catch (error) {
          // Whatever failed (remux, disk full, probe), the last attempt says so on the recording.
          if (lastAttempt) await this.recordings.update(recordingId, { state: 'failed', error: (error as Error).message });
          throw error;
        }
      },
    );
    this.worker.on('failed', (job, error) => this.logger.error(`finalising recording ${job?.id ?? '?'} failed: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  /**
   * Idempotent, so that a retry after any failure is safe: the MP4 is written under a temporary
   * name and renamed once probed; the segments go only after that; the row is marked ready last.
   * A retry that finds the finished MP4 and no segments just completes the row.
   */
  async finalize(recordingId: string): Promise<void> {
    const recording = await this.recordings.findById(recordingId);
    if (!recording || recording.state === 'ready') return;
    // The job is queued just before the transaction that marks the recording finalizing commits.
    if (recording.state === 'recording') throw new Error(`recording ${recordingId} is not marked finalizing yet`);
    await this.writerGone(recordingId);
    const segmentsDir = this.paths.recording(`${recording.directory}/segments`);
    const named = (await readdir(segmentsDir).catch(() => [] as string[]))
      .filter((name) => SEGMENT_NAME.test(name))
      .sort()
      .map((name) => join(segmentsDir, name));
    // A writer killed as it opened a segment leaves it empty: the concat demuxer would stop there and
    // drop everything after it. Such a segment holds nothing; it is left out, and said so.
    const segments: string[] = [];
    for (const path of named) {
      if (await holdsMpegTs(path)) segments.push(path);
      else this.logger.warn(`recording ${recordingId}: left out ${path}, which holds no MPEG-TS packet (its writer died as it opened it)`);
    }
    const relativePath = `${recording.directory}/recording.mp4`;
    const outputPath = this.paths.recording(relativePath);
    const finished = await stat(outputPath).then(() => true, () => false);

    if (segments.length > 0) {
      const partialPath = `${outputPath}.partial.mp4`;
      const listPath = join(segmentsDir, 'concat.txt');
      await writeFile(listPath, concatList(segments));
      const remux = await runOnce(this.config.ffmpegPath, buildFinalizeArgs(listPath, partialPath), 30 * 60_000);
      // The concat demuxer reports a segment it cannot open and goes on with what it has: that would
      // be a recording cut short without a word, so it is a failure (retried, then reported).
      if (remux.code !== 0 || /Impossible to open/.test(remux.stderr)) {
        throw new Error(`joining ${segments.length} segments failed: ${lastLine(remux.stderr)}`);
      }
      await this.probeDuration(partialPath);
      await rename(partialPath, outputPath);
      await rm(segmentsDir, { recursive: true, force: true });
    } else if (!finished) {
      await this.recordings.update(recordingId, { state: 'failed', error: 'no media was recorded (the program never started)' });
      return;
    }

    const durationSeconds = await this.probeDuration(outputPath);
    const { size } = await stat(outputPath);
    await this.recordings.update(recordingId, {
      state: 'ready',
      filePath: relativePath,
      durationSeconds,
      sizeBytes: size,
      segments: segments.length > 0 ? segments.length : recording.segments,
      finalizedAt: new Date(),
      error: null,
    });
    this.logger.log(`recording ${recordingId} ready: ${durationSeconds.toFixed(1)} s, ${(size / 1e6).toFixed(1)} MB`);
    await this.outbox.publish(RecordingFinalized, { recordingId, broadcastId: recording.broadcastId, durationSeconds, sizeBytes: size });
  }

  /** The writer (on whichever replica) stops when it sees the broadcast over; its last segment must be closed. */
  private async writerGone(recordingId: string): Promise<void> {
    const deadline = Date.now() + WRITER_GONE_WITHIN_MS;
    while (await this.leases.isHeld(recordingLease(recordingId))) {
      if (Date.now() > deadline) throw new Error(`recording ${recordingId} is still being written after ${WRITER_GONE_WITHIN_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }


  private async probeDuration(path: string): Promise<number> {
    const result = await runOnce(this.config.ffprobePath, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], 60_000);
    const duration = Number.parseFloat(result.stdout.trim());
    if (!Number.isFinite(duration)) throw new Error(`cannot read the duration of ${path}: ${lastLine(result.stderr)}`);
    return duration;
  }
}
