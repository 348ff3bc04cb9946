import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge } from 'prom-client';
import { readWithin, ScrapeSources } from '@streamcaster/service-kit';
import { SEGMENT_NAME } from '../recordings/recording-args.js';

/** The recordings this replica writes now, each with what its segments hold on disk. */
const writers = new ScrapeSources<SegmentBytesMeter>();

export const recordingsInProgress = new Gauge({
  name: 'streamcaster_recordings_in_progress',
  help: 'Recordings this recorder replica writes now',
  collect() {
    this.set(writers.all.length);
  },
});

export const recordingWrittenBytes = new Counter({
  name: 'streamcaster_recording_written_bytes_total',
  help: 'Bytes of program segments this recorder replica wrote to the recordings volume (counted from the files, at each scrape)',
  async collect() {
    await Promise.all(writers.all.map((meter) => readWithin(() => meter.measure(), 1_000, undefined)));
  },
});

/**
 * What one writer (one lease token) has put on disk. ffmpeg's segment muxer reports no size, so the
 * files are measured; a segment is stat'ed until a later one exists (then it is closed).
 */
export class SegmentBytesMeter {
  private readonly closed = new Set<string>();
  private readonly sizes = new Map<string, number>();
  private readonly leave: () => void;

  constructor(
    private readonly directory: string,
    private readonly token: number,
  ) {
    this.leave = writers.add(this);
  }

  /** Adds what the segments grew by since the last look to the counter. */
  async measure(): Promise<void> {
    const names = (await readdir(this.directory))
      .filter((name) => Number(SEGMENT_NAME.exec(name)?.[1]) === this.token && !this.closed.has(name))
      .sort();
    for (const [index, name] of names.entries()) {
      const size = await stat(join(this.directory, name)).then((stats) => stats.size, () => undefined);
      if (size === undefined) continue;
      const grown = size - (this.sizes.get(name) ?? 0);
      if (grown > 0) recordingWrittenBytes.inc(grown);
      this.sizes.set(name, size);
      if (index < names.length - 1) {
        this.closed.add(name);
        this.sizes.delete(name);
      }
    }
  }

  /** The writer stopped: a last look, then it leaves the metrics. */
  async finish(): Promise<void> {
    await this.measure().catch(() => undefined);
    this.leave();
  }
}
