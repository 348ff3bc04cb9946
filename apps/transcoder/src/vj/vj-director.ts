import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { BeatClock, type BeatGrid, type ClockChange } from './beat-clock.js';
import { BeatTracker } from './beat-tracker.js';
import { accentCommand, lookCommands, type FilterCommand, type VjLook, type VjScene } from './vj-picture.js';

/** A change the director made, for the log, the metrics and the tests. */
export type VjEvent =
  | { kind: 'tempo'; change: Extract<ClockChange, 'locked' | 'relocked' | 'lost'>; bpm: number | null; at: number }
  /** A new look from stream time `at`: on a phrase start of the beat grid (`beat`), or by the clock when there is no beat. */
  | { kind: 'look'; at: number; look: number; beat: number | null; grid: BeatGrid | null; queuedAt: number };

export interface VjDirectorOptions {
  scene: () => VjScene;
  /** The looks in turn (the branding's palette); the encoder starts on the first. */
  looks: readonly VjLook[];
  /** Beats per phrase: the look changes every this many beats (16 or 32 in most dance music). */
  beatsPerPhrase: number;
  /** Writes to the running encoder's stdin (ffmpeg's command console); false when no encoder runs. */
  send: (text: string) => boolean;
  onEvent?: (event: VjEvent) => void;
}

/** The tracker's estimate is read once a second of sound. */
const ANALYSIS_EVERY_SECONDS = 1;
/**
 * A phrase's look is queued this long before it is due: ffmpeg reads one console command per
 * 100 ms, and the sound reaches us a little after the encoder's filters have it.
 */
const QUEUE_AHEAD_SECONDS = 2;
/** A look is never queued for less than this ahead (a grid taken just before a phrase start waits for the next). */
const MIN_AHEAD_SECONDS = 1;
/** Without a beat (ambient, a breakdown that lost the grid), the look changes every phrase of this tempo. */
const UNBEATEN_BPM = 120;

/**
 * The automated VJ's director: reads the program's sound from the encoder (a second output of the
 * same ffmpeg, raw mono floats over a loopback socket, whose sample n is at stream time n ÷ rate),
 * follows its beat, and queues the next look in the encoder's filters for the stream time of the next
 * phrase start, and an accent expression on the beat grid. ffmpeg's console command `C` queues a
 * filter command for a stream time, so the change lands on the frame of the beat, whatever the
 * delay between the encoder and us; the encoder never restarts for it. Each encoder run connects
 * afresh and its stream time starts at 0: the beat is followed afresh, the looks go on in turn.
 */
export class VjDirector {
  private server: Server | null = null;
  private connection: Socket | null = null;
  private lookIndex = 0;
  private closed = false;

  constructor(private readonly options: VjDirectorOptions) {}

  /** The look on air now: an encoder that starts (again) starts on it. */
  currentLook(): VjLook {
    return this.options.looks[this.lookIndex]!;
  }

  /** Listens for the encoder's sound; the URL is its second output. */
  async listen(): Promise<string> {
    const server = createServer((socket) => this.follow(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    // Closed while it started listening (the session stopped meanwhile): nothing may stay open.
    if (this.closed) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw new Error('the VJ director was closed');
    }
    return `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connection?.destroy();
    const server = this.server;
    this.server = null;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private follow(socket: Socket): void {
    // One encoder at a time: a new run replaces the last (whose socket may linger a moment).
    this.connection?.destroy();
    this.connection = socket;
    const run = new DirectedRun(this.options, {
      next: () => (this.lookIndex + 1) % this.options.looks.length,
      onAir: (index) => (this.lookIndex = index),
    });
    let remainder: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const bytes = remainder.length ? Buffer.concat([remainder, chunk]) : chunk;
      const usable = bytes.length - (bytes.length % 4);
      remainder = bytes.subarray(usable);
      // Copied: a Buffer's bytes need not be aligned for a Float32Array.
      const samples = new Float32Array(new Uint8Array(bytes.subarray(0, usable)).buffer);
      run.push(samples);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.connection === socket) this.connection = null;
    });
  }
}

/** One encoder run: its stream time, its beat, and what has been queued in it. */
class DirectedRun {
  private readonly tracker = new BeatTracker();
  private readonly clock = new BeatClock();
  private analysedAt = 0;
  /** Stream time of the last look queued (looks are at least half a phrase apart). */
  private lastLookAt = 0;
  private accentGrid: BeatGrid | null = null;

  constructor(
    private readonly options: VjDirectorOptions,
    /** The director's turn of looks: the next one, and the one that went on air (only once it was sent). */
    private readonly looks: { next: () => number; onAir: (index: number) => void },
  ) {}

  push(samples: Float32Array): void {
    this.tracker.push(samples);
    const now = this.tracker.now;
    if (now - this.analysedAt >= ANALYSIS_EVERY_SECONDS) {
      this.analysedAt = now;
      this.analyse(now);
    }
    this.schedule(now);
  }

  private analyse(now: number): void {
    const change = this.clock.update(this.tracker.estimate(), now);
    const grid = this.clock.current;
    if (change === 'locked' || change === 'relocked' || change === 'lost') {
      this.options.onEvent?.({ kind: 'tempo', change, bpm: grid ? 60 / grid.period : null, at: now });
    }
    if (change === 'locked' || change === 'relocked' || change === 'lost' || (change === 'followed' && moved(this.accentGrid, grid))) {
      // Immediately (time -1): the expression itself puts each flash on its beat.
      if (this.send(-1, [accentCommand(grid)])) this.accentGrid = grid;
    }
  }

  private schedule(now: number): void {
    const grid = this.clock.current;
    const phraseSeconds = grid ? grid.period * this.options.beatsPerPhrase : (60 / UNBEATEN_BPM) * this.options.beatsPerPhrase;
    if (grid) {
      const next = this.clock.nextPhrase(now + MIN_AHEAD_SECONDS, this.options.beatsPerPhrase);
      if (!next || next.time - now > QUEUE_AHEAD_SECONDS || next.time - this.lastLookAt < phraseSeconds / 2) return;
      this.queueLook(next.time, next.beat, grid, now);
      return;
    }
    // Every phrase from the last look, or as soon as it can be queued when that time has passed.
    const due = this.lastLookAt + phraseSeconds;
    if (due - now <= QUEUE_AHEAD_SECONDS) this.queueLook(Math.max(due, now + MIN_AHEAD_SECONDS), null, null, now);
  }

  private queueLook(at: number, beat: number | null, grid: BeatGrid | null, now: number): void {
    const look = this.looks.next();
    if (!this.send(at, lookCommands(this.options.scene(), this.options.looks[look]!))) return;
    this.looks.onAir(look);
    this.lastLookAt = at;
    this.options.onEvent?.({ kind: 'look', at, look, beat, grid: grid ? { ...grid } : null, queuedAt: now });
  }

  /** ffmpeg's console: `C` + target, stream time (-1: now), command, argument; one line each. */
  private send(at: number, commands: readonly FilterCommand[]): boolean {
    const time = at < 0 ? '-1' : at.toFixed(4);
    return this.options.send(commands.map((command) => `C${command.target} ${time} ${command.command} ${command.argument}\n`).join(''));
  }
}

/** Whether a followed grid has moved enough to send the accent again (a flash 5 ms off is not seen). */
function moved(sent: BeatGrid | null, grid: BeatGrid | null): boolean {
  if (!sent || !grid) return sent !== grid;
  const drift = Math.abs(sent.anchor + Math.round((grid.anchor - sent.anchor) / sent.period) * sent.period - grid.anchor);
  const beatsAhead = 64;
  return drift > 0.005 || Math.abs(sent.period - grid.period) * beatsAhead > 0.005;
}

