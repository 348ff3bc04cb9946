import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ffmpegProgressSchema, type FfmpegProgress } from '@streamcaster/contracts';
import { FfmpegProgressParser } from './ffmpeg-progress.parser.js';

interface Report {
  progress: FfmpegProgress;
  ended: boolean;
}

function collect(): { reports: Report[]; parser: FfmpegProgressParser } {
  const reports: Report[] = [];
  return { reports, parser: new FfmpegProgressParser((progress, ended) => reports.push({ progress, ended })) };
}

/** One block as `ffmpeg -progress pipe:1` prints it while relaying at a little over real time. */
const RUNNING_BLOCK = [
  'frame=1502',
  'fps=25.00',
  'stream_0_0_q=23.0',
  'bitrate=6012.3kbits/s',
  'total_size=45137920',
  'out_time_us=60080000',
  'out_time_ms=60080000',
  'out_time=00:01:00.080000',
  'dup_frames=2',
  'drop_frames=5',
  'speed=1.01x',
  'progress=continue',
];

/** The first block ffmpeg 7 prints, before any packet was muxed (captured from a real run). */
const FIRST_BLOCK = [
  'frame=1',
  'fps=0.00',
  'stream_0_0_q=0.0',
  'bitrate=N/A',
  'total_size=278',
  'out_time_us=N/A',
  'out_time_ms=N/A',
  'out_time=N/A',
  'dup_frames=0',
  'drop_frames=0',
  'speed=N/A',
  'progress=continue',
];

describe('FfmpegProgressParser', () => {
  it('reads every field of a complete block, once, when progress=continue closes it', () => {
    const { reports, parser } = collect();
    for (const line of RUNNING_BLOCK.slice(0, -1)) {
      assert.equal(parser.pushLine(line), true, line);
      assert.equal(reports.length, 0, `no report before the block is closed (at ${line})`);
    }
    assert.equal(parser.pushLine('progress=continue'), true);
    assert.deepEqual(reports, [
      {
        progress: {
          frame: 1502,
          fps: 25,
          bitrateKbps: 6012.3,
          totalSizeBytes: 45_137_920,
          outTimeSeconds: 60.08,
          droppedFrames: 5,
          duplicatedFrames: 2,
          speed: 1.01,
        },
        ended: false,
      },
    ]);
    assert.equal(ffmpegProgressSchema.safeParse(reports[0]?.progress).success, true);
  });

  it('reads N/A values and zero rates as 0, still matching the contract', () => {
    const { reports, parser } = collect();
    for (const line of FIRST_BLOCK) parser.pushLine(line);
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0]?.progress, {
      frame: 1,
      fps: 0,
      bitrateKbps: 0,
      totalSizeBytes: 278,
      outTimeSeconds: 0,
      droppedFrames: 0,
      duplicatedFrames: 0,
      speed: 0,
    });
    assert.equal(ffmpegProgressSchema.safeParse(reports[0]?.progress).success, true);
  });

  it('tolerates the padding ffmpeg puts in speed ("speed=   0x")', () => {
    const { reports, parser } = collect();
    for (const line of ['frame=13', 'speed=   0x', 'progress=continue', 'frame=14', 'speed=  2.5x', 'progress=continue']) {
      parser.pushLine(line);
    }
    assert.deepEqual(
      reports.map((report) => report.progress.speed),
      [0, 2.5],
    );
  });

  it('falls back to out_time_ms (also microseconds) when out_time_us is missing', () => {
    const { reports, parser } = collect();
    for (const line of ['out_time_ms=1500000', 'progress=continue']) parser.pushLine(line);
    assert.equal(reports[0]?.progress.outTimeSeconds, 1.5);
  });

  it('flags the last block with progress=end', () => {
    const { reports, parser } = collect();
    for (const line of RUNNING_BLOCK) parser.pushLine(line);
    for (const line of RUNNING_BLOCK.slice(0, -1)) parser.pushLine(line.replace('frame=1502', 'frame=1527'));
    parser.pushLine('progress=end');
    assert.deepEqual(
      reports.map((report) => [report.progress.frame, report.ended]),
      [
        [1502, false],
        [1527, true],
      ],
    );
  });

  it('starts every block empty: a field missing from the next block is not carried over', () => {
    const { reports, parser } = collect();
    for (const line of RUNNING_BLOCK) parser.pushLine(line);
    for (const line of ['frame=1600', 'progress=continue']) parser.pushLine(line);
    assert.equal(reports.length, 2);
    assert.deepEqual(reports[1]?.progress, {
      frame: 1600,
      fps: 0,
      bitrateKbps: 0,
      totalSizeBytes: 0,
      outTimeSeconds: 0,
      droppedFrames: 0,
      duplicatedFrames: 0,
      speed: 0,
    });
  });

  it('returns false for lines that are not part of the progress protocol, and reports nothing', () => {
    const { reports, parser } = collect();
    const noise = [
      '',
      'Press [q] to stop, [?] for help',
      "Input #0, lavfi, from 'testsrc=size=320x240:rate=25':",
      '[libx264 @ 0x55d0c8a3c040] 264 - core 164 - H.264/MPEG-4 AVC codec - options: cabac=1 ref=3',
      '  Duration: N/A, start: 0.000000, bitrate: N/A',
      '=orphan value',
      'Frame=12',
      'progress',
    ];
    for (const line of noise) assert.equal(parser.pushLine(line), false, JSON.stringify(line));
    assert.deepEqual(reports, []);
  });

  it('is not disturbed by a foreign line in the middle of a block', () => {
    const { reports, parser } = collect();
    for (const line of RUNNING_BLOCK.slice(0, 4)) parser.pushLine(line);
    assert.equal(parser.pushLine('Press [q] to stop, [?] for help'), false);
    for (const line of RUNNING_BLOCK.slice(4)) parser.pushLine(line);
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.progress.frame, 1502);
    assert.equal(reports[0]?.progress.bitrateKbps, 6012.3);
    assert.equal(reports[0]?.progress.speed, 1.01);
  });
});
