import { Counter, Gauge } from 'prom-client';
import type { FfmpegProgress } from '@streamcaster/contracts';

/** Older than this, a program's last progress says nothing about now (its encoder waits for the DJ). */
const STALE_AFTER_MS = 5_000;

interface ProgramProgress {
  progress: FfmpegProgress;
  at: number;
}

/** The last progress of each program this replica encodes. */
const programs = new Map<object, ProgramProgress>();

/** The slowest program's figure (an alert on speed < 1 wants the worst one), 0 while none runs. */
function slowest(read: (progress: FfmpegProgress) => number): number {
  const now = Date.now();
  const figures = [...programs.values()].map((entry) => (now - entry.at > STALE_AFTER_MS ? 0 : read(entry.progress)));
  return figures.length === 0 ? 0 : Math.min(...figures);
}

export const encoderPrograms = new Gauge({
  name: 'streamcaster_encoder_programs',
  help: 'Programs this transcoder replica encodes now',
  collect() {
    this.set(programs.size);
  },
});

export const encoderFps = new Gauge({
  name: 'streamcaster_encoder_fps',
  help: 'Frames per second encoded, of the slowest program of this replica (0 while it waits for its DJ, or none runs)',
  collect() {
    this.set(slowest((progress) => progress.fps));
  },
});

export const encoderSpeed = new Gauge({
  name: 'streamcaster_encoder_speed_ratio',
  help: 'Encoding speed against real time (1 = keeps up), of the slowest program of this replica',
  collect() {
    this.set(slowest((progress) => progress.speed));
  },
});

export const encoderDroppedFrames = new Counter({
  name: 'streamcaster_encoder_dropped_frames_total',
  help: 'Frames the encoders of this replica dropped (input faster than they keep up with)',
});

export const encoderDuplicatedFrames = new Counter({
  name: 'streamcaster_encoder_duplicated_frames_total',
  help: 'Frames the encoders of this replica duplicated to hold the program frame rate (input slower than it)',
});

export const programSwitches = new Counter({
  name: 'streamcaster_program_switches_total',
  help: "Cuts of the programs of this replica to the slate (the DJ dropped, stalled or their encoder crashed) and back to the DJ",
  labelNames: ['source'] as const,
});

/**
 * Follows one program's encoder: its figures join the gauges, and its dropped and duplicated frames
 * (cumulative per ffmpeg run, from 0 again after a restart) are added to the counters as they grow.
 */
export function trackProgram(): { progress(progress: FfmpegProgress): void; switched(source: 'dj' | 'slate'): void; done(): void } {
  const key = {};
  let dropped = 0;
  let duplicated = 0;
  return {
    progress(progress) {
      // A smaller count than before is a new ffmpeg run: all of its count is new.
      encoderDroppedFrames.inc(progress.droppedFrames >= dropped ? progress.droppedFrames - dropped : progress.droppedFrames);
      encoderDuplicatedFrames.inc(progress.duplicatedFrames >= duplicated ? progress.duplicatedFrames - duplicated : progress.duplicatedFrames);
      dropped = progress.droppedFrames;
      duplicated = progress.duplicatedFrames;
      programs.set(key, { progress, at: Date.now() });
    },
    switched(source) {
      programSwitches.inc({ source });
    },
    done() {
      programs.delete(key);
    },
  };
}
