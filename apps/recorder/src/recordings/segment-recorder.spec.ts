import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextSegmentNumber } from './segment-recorder.js';

function withDirectory(files: string[], check: (directory: string) => void) {
  const directory = mkdtempSync(join(tmpdir(), 'segment-recorder-spec-'));
  try {
    for (const file of files) writeFileSync(join(directory, file), '');
    check(directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

describe('nextSegmentNumber', () => {
  it('starts at 0 in an empty directory', () => {
    withDirectory([], (directory) => assert.equal(nextSegmentNumber(directory), 0));
  });

  it('continues after the highest segment, not after the count', () => {
    withDirectory(['segment-000000.ts', 'segment-000001.ts', 'segment-000007.ts'], (directory) => {
      assert.equal(nextSegmentNumber(directory), 8);
    });
  });

  it('compares numbers, not names', () => {
    withDirectory(['segment-000009.ts', 'segment-000010.ts', 'segment-000100.ts', 'segment-000099.ts'], (directory) => {
      assert.equal(nextSegmentNumber(directory), 101);
    });
  });

  it('ignores files that are not segments', () => {
    withDirectory(['segments.txt', 'segment-000500.ts.part', 'segment-12.ts', 'final.mp4', 'segment-000003.ts'], (directory) => {
      mkdirSync(join(directory, 'nested'));
      assert.equal(nextSegmentNumber(directory), 4);
    });
  });

  it('throws when the directory does not exist', () => {
    assert.throws(() => nextSegmentNumber(join(tmpdir(), 'segment-recorder-spec-missing-' + process.pid)), { code: 'ENOENT' });
  });
});
