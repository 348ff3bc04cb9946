import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FfmpegProgress } from '@streamcaster/contracts';
import { RecordingProgressMeter } from './recording-progress.js';

const progress = (outTimeSeconds: number): FfmpegProgress => ({
  frame: 0, fps: 0, bitrateKbps: 0, totalSizeBytes: 0, outTimeSeconds, droppedFrames: 0, duplicatedFrames: 0, speed: 1,
});

describe('RecordingProgressMeter', () => {
  it('adds the sizes of every writer\'s segments, and follows the one still growing', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'recording-progress-'));
    try {
      const meter = new RecordingProgressMeter(directory);
      await writeFile(join(directory, 'segment-000001-000000.ts'), Buffer.alloc(1000));
      await writeFile(join(directory, 'segment-000002-000000.ts'), Buffer.alloc(300));
      await writeFile(join(directory, 'concat.txt'), 'not a segment');
      assert.equal(await meter.sizeBytes(), 1300);
      await appendFile(join(directory, 'segment-000002-000000.ts'), Buffer.alloc(200));
      assert.equal(await meter.sizeBytes(), 1500);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('sums the output time over the writer\'s ffmpeg restarts', () => {
    const meter = new RecordingProgressMeter('/nonexistent');
    meter.onProgress(progress(5));
    meter.onProgress(progress(12.5));
    meter.onRunEnded();
    assert.equal(meter.durationSeconds, 12.5);
    meter.onProgress(progress(3));
    assert.equal(meter.durationSeconds, 15.5);
  });

  it('counts no segment in a folder that does not exist yet', async () => {
    assert.equal(await new RecordingProgressMeter('/nonexistent/segments').sizeBytes(), 0);
  });
});
