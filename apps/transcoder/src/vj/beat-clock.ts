import type { TempoEstimate } from './beat-tracker.js';

/** Beat k is at `anchor + k × period` (stream seconds); a phrase starts on every beat k ≡ 0 (mod beats per phrase). */
export interface BeatGrid {
  period: number;
  anchor: number;
}

/**
 * What an estimate did to the clock: it found a tempo (`locked`), confirmed and refined the one it
 * holds (`followed`), replaced it after the music changed (`relocked`: the phrase count starts
 * again), left it running through a passage without a beat (`kept`), or gave it up (`lost`).
 */
export type ClockChange = 'none' | 'locked' | 'followed' | 'kept' | 'relocked' | 'lost';

export interface BeatClockOptions {
  /** An estimate weaker than this says nothing about the beat (a breakdown, speech, noise ≈ 0.2). */
  minStrength: number;
  /** The grid runs on its own through a passage without a beat for this long, then is given up. */
  holdSeconds: number;
}

export const DEFAULT_CLOCK_OPTIONS: BeatClockOptions = { minStrength: 0.35, holdSeconds: 30 };

/** How far an estimate may be from the grid and still be the same beat. */
const PERIOD_TOLERANCE = 0.02;
const PHASE_TOLERANCE_SECONDS = 0.035;
/** Consecutive disagreeing estimates (one a second) before the grid is replaced. */
const RELOCK_AFTER = 3;
/** How much of a confirming estimate moves the grid: smooth, so that a phrase boundary stays put. */
const FOLLOW_GAIN = 0.3;

/**
 * A flywheel over the tracker's estimates: a grid is taken only when two estimates in a row agree,
 * follows the music while they confirm it, survives a breakdown, and is replaced only when the music
 * has clearly changed tempo or phase (a new track) for several seconds.
 */
export class BeatClock {
  private grid: BeatGrid | null = null;
  private candidate: TempoEstimate | null = null;
  private disagreements = 0;
  private confirmedAt = 0;

  constructor(private readonly options: BeatClockOptions = DEFAULT_CLOCK_OPTIONS) {}

  get current(): BeatGrid | null {
    return this.grid;
  }

  update(estimate: TempoEstimate | null, now: number): ClockChange {
    const strong = estimate !== null && estimate.strength >= this.options.minStrength ? estimate : null;
    if (!this.grid) {
      if (!strong) {
        this.candidate = null;
        return 'none';
      }
      const candidate = this.candidate;
      this.candidate = strong;
      if (!candidate || !agrees({ period: candidate.period, anchor: candidate.beat }, strong)) return 'none';
      this.take(strong, now);
      return 'locked';
    }
    if (!strong) {
      if (now - this.confirmedAt <= this.options.holdSeconds) return 'kept';
      this.grid = null;
      this.candidate = null;
      return 'lost';
    }
    if (agrees(this.grid, strong)) {
      this.disagreements = 0;
      this.follow(strong, now);
      return 'followed';
    }
    this.disagreements += 1;
    if (this.disagreements < RELOCK_AFTER) return 'kept';
    this.take(strong, now);
    return 'relocked';
  }

  /** The first phrase start at or after `after`, and its beat number, or null without a grid. */
  nextPhrase(after: number, beatsPerPhrase: number): { time: number; beat: number } | null {
    if (!this.grid) return null;
    const { period, anchor } = this.grid;
    const phrase = period * beatsPerPhrase;
    const index = Math.ceil((after - anchor) / phrase - 1e-9);
    return { time: anchor + index * phrase, beat: index * beatsPerPhrase };
  }

  private take(estimate: TempoEstimate, now: number): void {
    this.grid = { period: estimate.period, anchor: estimate.beat };
    this.disagreements = 0;
    this.confirmedAt = now;
  }

  private follow(estimate: TempoEstimate, now: number): void {
    const grid = this.grid!;
    const beat = Math.round((estimate.beat - grid.anchor) / grid.period);
    const predicted = grid.anchor + beat * grid.period;
    const period = grid.period + FOLLOW_GAIN * (estimate.period - grid.period);
    const beatTime = predicted + FOLLOW_GAIN * (estimate.beat - predicted);
    this.grid = { period, anchor: beatTime - beat * period };
    this.confirmedAt = now;
  }
}

/** Whether an estimate is the grid's beat: the same period, and a beat on (or near) one of the grid's. */
export function agrees(grid: BeatGrid, estimate: TempoEstimate): boolean {
  if (Math.abs(estimate.period - grid.period) / grid.period > PERIOD_TOLERANCE) return false;
  const offset = (estimate.beat - grid.anchor) / grid.period;
  const distance = Math.abs(offset - Math.round(offset)) * grid.period;
  return distance <= Math.max(PHASE_TOLERANCE_SECONDS, 0.07 * grid.period);
}
