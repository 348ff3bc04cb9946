import { readdirSync } from 'node:fs';
import { SupervisedProcess } from '@streamcaster/supervisor';
import { buildSegmentArgs, SEGMENT_NAME, segmentPatternIn } from './recording-args.js';

/** Highest segment number of this lease's token on disk + 1: a restarted ffmpeg appends, never overwrites. */
export function nextSegmentNumber(directory: string, token: number): number {
  let next = 0;
  for (const name of readdirSync(directory)) {
    const match = SEGMENT_NAME.exec(name);
    if (match && Number(match[1]) === token) next = Math.max(next, Number(match[2]) + 1);
  }
  return next;
}

/**
 * Copies one broadcast's program into segments for as long as the broadcast lasts. It may start
 * before the program exists (nginx-rtmp holds a player until the publisher comes), so the first
 * frames are not missed; when the program drops, it restarts and waits for it again.
 */
export function createSegmentRecorder(options: {
  broadcastId: string;
  programUrl: string;
  directory: string;
  segmentSeconds: number;
  ffmpegPath: string;
  /** The fencing token of the recording's lease held by this recorder. */
  token: number;
}): SupervisedProcess {
  return new SupervisedProcess({
    name: `recorder:${options.broadcastId}`,
    command: options.ffmpegPath,
    args: () =>
      buildSegmentArgs({
        programUrl: options.programUrl,
        segmentPattern: segmentPatternIn(options.directory, options.token),
        segmentSeconds: options.segmentSeconds,
        startNumber: nextSegmentNumber(options.directory, options.token),
      }),
    restart: 'always',
    backoff: { initialMs: 250, maxMs: 2_000, resetAfterMs: 10_000 },
    // SIGTERM makes ffmpeg close the current segment properly.
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 5_000,
    repeatStopSignalAfterMs: 300,
  });
}
