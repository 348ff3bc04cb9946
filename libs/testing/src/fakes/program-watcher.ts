import { spawn, type ChildProcess } from 'node:child_process';

/** One decoded frame as a viewer sees it: when it arrived, and what its middle shows. */
export interface WatchedFrame {
  /** Date.now() when the frame came out of the decoder. */
  at: number;
  /** Share (0–1) of bright pixels (luma > 150) in the middle band, where the slate's message is. */
  brightShare: number;
  /** Mean RGB of the whole frame. */
  mean: [number, number, number];
  /** Mean luma of each cell of an 8 × 4 grid, row by row: what moves where. */
  grid: number[];
}

/** The largest change of a grid cell's luma between two frames: 0 for the same picture. */
export function pictureChange(a: WatchedFrame, b: WatchedFrame): number {
  return Math.max(...a.grid.map((value, cell) => Math.abs(value - b.grid[cell]!)));
}

const WIDTH = 160;
const HEIGHT = 90;

/**
 * Plays a live RTMP stream as a platform's viewer would, decoding it as it arrives (small frames,
 * no buffering) and stamping each frame with the wall clock: how long a switch takes to be seen at a
 * sink is read from these stamps. Decoder errors are kept too: a splice that breaks the stream shows
 * up there.
 */
export class ProgramWatcher {
  readonly frames: WatchedFrame[] = [];
  /** What the decoder said, each with its time and the frames decoded before it. */
  readonly decodeErrors: Array<{ at: number; afterFrames: number; line: string }> = [];
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(url: string) {
    this.child = spawn(
      'ffmpeg',
      [
        '-hide_banner', '-nostdin', '-loglevel', 'error',
        '-fflags', 'nobuffer', '-flags', 'low_delay',
        '-i', url,
        '-an', '-vf', `scale=${WIDTH}:${HEIGHT}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const frameBytes = WIDTH * HEIGHT * 3;
    let pending = Buffer.alloc(0);
    this.child.stdout!.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        this.frames.push(describeFrame(pending.subarray(0, frameBytes)));
        pending = pending.subarray(frameBytes);
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      // With the time and the frame count, to find what they followed.
      for (const line of text.split('\n')) if (line.trim()) this.decodeErrors.push({ at: Date.now(), afterFrames: this.frames.length, line: line.trim() });
    });
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
  }

  /** The first frame at or after `since` that passes `test`, or undefined. */
  firstFrame(since: number, test: (frame: WatchedFrame) => boolean): WatchedFrame | undefined {
    return this.frames.find((frame) => frame.at >= since && test(frame));
  }

  async stop(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

function describeFrame(frame: Buffer): WatchedFrame {
  let bright = 0;
  let band = 0;
  const sum = [0, 0, 0];
  const grid = new Array<number>(32).fill(0);
  for (let y = 0; y < HEIGHT; y += 1) {
    for (let x = 0; x < WIDTH; x += 1) {
      const at = (y * WIDTH + x) * 3;
      const [r, g, b] = [frame[at]!, frame[at + 1]!, frame[at + 2]!];
      sum[0]! += r;
      sum[1]! += g;
      sum[2]! += b;
      grid[Math.floor((y * 4) / HEIGHT) * 8 + Math.floor((x * 8) / WIDTH)]! += 0.299 * r + 0.587 * g + 0.114 * b;
      if (y >= HEIGHT * 0.38 && y < HEIGHT * 0.62 && x >= WIDTH * 0.15 && x < WIDTH * 0.85) {
        band += 1;
        if (0.299 * r + 0.587 * g + 0.114 * b > 150) bright += 1;
      }
    }
  }
  const pixels = WIDTH * HEIGHT;
  const cellPixels = pixels / grid.length;
  return {
    at: Date.now(),
    brightShare: bright / band,
    mean: sum.map((value) => Math.round(value / pixels)) as [number, number, number],
    grid: grid.map((value) => value / cellPixels),
  };
}
