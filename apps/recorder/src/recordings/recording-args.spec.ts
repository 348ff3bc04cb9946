import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildFinalizeArgs, buildSegmentArgs, concatList, SEGMENT_NAME, segmentPatternIn } from './recording-args.js';

const valueAfter = (args: string[], flag: string) => {
  const index = args.indexOf(flag);
  assert.ok(index >= 0, `${flag} missing`);
  return args[index + 1];
};

describe('buildSegmentArgs', () => {
  const args = buildSegmentArgs({
    programUrl: 'rtmp://127.0.0.1:1935/program/broadcast-7',
    segmentPattern: '/data/recordings/b7/segment-%06d.ts',
    segmentSeconds: 6,
    startNumber: 42,
  });

  it('copies the program into MPEG-TS segments of the given length', () => {
    assert.equal(valueAfter(args, '-i'), 'rtmp://127.0.0.1:1935/program/broadcast-7');
    assert.equal(valueAfter(args, '-c'), 'copy');
    assert.equal(valueAfter(args, '-f'), 'segment');
    assert.equal(valueAfter(args, '-segment_format'), 'mpegts');
    assert.equal(valueAfter(args, '-segment_time'), '6');
  });

  it('numbers segments from the given start, and writes to the pattern (last)', () => {
    assert.equal(valueAfter(args, '-segment_start_number'), '42');
    assert.equal(args.at(-1), '/data/recordings/b7/segment-%06d.ts');
  });

  it('writes every packet to disk as it comes, so a stop while the program idles loses nothing', () => {
    assert.equal(valueAfter(args, '-segment_format_options'), 'flush_packets=1');
  });

  it('keeps timestamps continuous across segments', () => {
    assert.equal(valueAfter(args, '-reset_timestamps'), '0');
  });

  it('puts every output option after the input', () => {
    const input = args.indexOf('-i');
    for (const flag of ['-c', '-f', '-segment_time', '-segment_format', '-segment_start_number']) {
      assert.ok(args.indexOf(flag) > input, `${flag} before -i`);
    }
  });
});

describe('buildFinalizeArgs', () => {
  const args = buildFinalizeArgs('/data/recordings/b7/segments.txt', '/data/recordings/b7.mp4');

  it('reads the concat list with absolute paths allowed', () => {
    assert.equal(valueAfter(args, '-f'), 'concat');
    assert.equal(valueAfter(args, '-safe'), '0');
    assert.equal(valueAfter(args, '-i'), '/data/recordings/b7/segments.txt');
    assert.ok(args.indexOf('-f') < args.indexOf('-i'), '-f concat must be an input option');
  });

  it('copies streams, converts ADTS AAC for MP4, and moves the index to the front', () => {
    assert.equal(valueAfter(args, '-c'), 'copy');
    assert.equal(valueAfter(args, '-bsf:a'), 'aac_adtstoasc');
    assert.equal(valueAfter(args, '-movflags'), '+faststart');
  });

  it('overwrites the output, given last', () => {
    assert.equal(args.at(-2), '-y');
    assert.equal(args.at(-1), '/data/recordings/b7.mp4');
  });
});

describe('concatList', () => {
  it('writes one quoted file line per segment, in order, ending with a newline', () => {
    assert.equal(concatList(['/r/segment-000000.ts', '/r/segment-000001.ts']), "file '/r/segment-000000.ts'\nfile '/r/segment-000001.ts'\n");
  });

  it("escapes single quotes the concat demuxer's way: close, \\', reopen", () => {
    assert.equal(concatList(["/r/DJ's set/segment-000000.ts"]), "file '/r/DJ'\\''s set/segment-000000.ts'\n");
    assert.equal(concatList(["/a''b"]), "file '/a'\\'''\\''b'\n");
  });

  it('keeps spaces and other characters inside the quotes as they are', () => {
    assert.equal(concatList(['/r/a b\\c$d.ts']), "file '/r/a b\\c$d.ts'\n");
  });
});

describe('SEGMENT_NAME and segmentPatternIn', () => {
  it('matches the names the pattern produces and captures the token and the number', () => {
    assert.equal(segmentPatternIn('/data/rec/b7', 3), '/data/rec/b7/segment-000003-%06d.ts');
    assert.deepEqual(SEGMENT_NAME.exec('segment-000003-000000.ts')?.slice(1), ['000003', '000000']);
    assert.deepEqual(SEGMENT_NAME.exec('segment-000012-001234.ts')?.slice(1), ['000012', '001234']);
  });

  it('sorts the names of a later owner after those of an earlier one', () => {
    const names = ['segment-000002-000000.ts', 'segment-000001-000010.ts', 'segment-000001-000002.ts', 'segment-000010-000000.ts'];
    assert.deepEqual([...names].sort(), ['segment-000001-000002.ts', 'segment-000001-000010.ts', 'segment-000002-000000.ts', 'segment-000010-000000.ts']);
  });

  it('rejects anything else', () => {
    for (const name of ['segment-000001.ts', 'segment-1-1234.ts', 'segment-000001-0012345.ts', 'segment-000001-000001.ts.tmp', 'xsegment-000001-000001.ts', 'segment-000001-000001.mp4', 'segment-abcdef-000001.ts', 'segments.txt']) {
      assert.equal(SEGMENT_NAME.test(name), false, name);
    }
  });
});
