import { supervisedFfmpegPrelude } from '@streamcaster/supervisor';

/** ffmpeg arguments that copy the program into MPEG-TS segments: a crash loses one segment at most. */
export function buildSegmentArgs(options: {
  programUrl: string;
  segmentPattern: string;
  segmentSeconds: number;
  startNumber: number;
}): string[] {
  return [
    // Progress once a second: the recorder reports the recording's size and duration from it.
    ...supervisedFfmpegPrelude(1),
    '-fpsprobesize', '0',
    '-i', options.programUrl,
    '-map', '0:v?',
    '-map', '0:a?',
    '-c', 'copy',
    '-f', 'segment',
    '-segment_time', String(options.segmentSeconds),
    // MPEG-TS needs no index at the end: every closed segment is playable as it lies on disk.
    '-segment_format', 'mpegts',
    // Each packet goes to disk as it comes: stopped while the program is idle (every broadcast's
    // end), ffmpeg is interrupted in its read and can no longer flush, and the open segment's
    // buffered seconds would be lost.
    '-segment_format_options', 'flush_packets=1',
    '-reset_timestamps', '0',
    '-segment_start_number', String(options.startNumber),
    options.segmentPattern,
  ];
}

/** Joins the segments (listed in a concat file) into one MP4 with its index at the front. */
export function buildFinalizeArgs(concatListPath: string, outputPath: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel', 'error',
    '-f', 'concat',
    '-safe', '0',
    '-i', concatListPath,
    '-map', '0:v?',
    '-map', '0:a?',
    '-c', 'copy',
    // ADTS AAC from MPEG-TS must become raw AAC in MP4.
    '-bsf:a', 'aac_adtstoasc',
    // faststart: players can start before the whole file has downloaded.
    '-movflags', '+faststart',
    '-y', outputPath,
  ];
}

/** The concat demuxer's list format; single quotes in a path are escaped as it requires. */
export function concatList(segmentPaths: string[]): string {
  return segmentPaths.map((path) => `file '${path.replace(/'/g, `'\\''`)}'`).join('\n') + '\n';
}

/**
 * `segment-<fencing token>-<number>.ts`: each owner of a recording writes names of its own lease, so
 * two owners can never write one file, and the names sort in recording order across take-overs.
 */
export const SEGMENT_NAME = /^segment-(\d{6})-(\d{6})\.ts$/;
export const segmentPatternIn = (directory: string, token: number) => `${directory}/segment-${String(token).padStart(6, '0')}-%06d.ts`;
