import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FfmpegProgress } from '@streamcaster/contracts';
import { SEGMENT_NAME } from './recording-args.js';

/**
 * How far a recording is, for `recording.progress.v1`: the size of its segments on disk (every
 * writer's, since a take-over writes into the same folder) and the program time this writer copied,
 * summed over its ffmpeg's restarts (each restart counts its output time from zero again).
 */
export class RecordingProgressMeter {
  /** Closed segments do not grow: their sizes are read once. */
  private readonly closedSizes = new Map<string, number>();
  private earlierRunsSeconds = 0;
  private currentRunSeconds = 0;

  constructor(private readonly directory: string) {}

  /** One progress block of the writer's ffmpeg. */
  onProgress(progress: FfmpegProgress): void {
    this.currentRunSeconds = progress.outTimeSeconds;
  }

  /** The writer's ffmpeg ended (the program dropped, or it crashed): the next run counts from zero. */
  onRunEnded(): void {
    this.earlierRunsSeconds += this.currentRunSeconds;
    this.currentRunSeconds = 0;
  }

  get durationSeconds(): number {
    return this.earlierRunsSeconds + this.currentRunSeconds;
  }

  async sizeBytes(): Promise<number> {
    const names = (await readdir(this.directory).catch(() => [] as string[])).filter((name) => SEGMENT_NAME.test(name)).sort();
    // The last name is the one open now; every other one is closed.
    const open = names.at(-1);
    let total = 0;
    for (const name of names) {
      const known = this.closedSizes.get(name);
      if (known !== undefined) {
        total += known;
        continue;
      }
      const size = (await stat(join(this.directory, name)).catch(() => null))?.size ?? 0;
      if (name !== open) this.closedSizes.set(name, size);
      total += size;
    }
    return total;
  }
}
