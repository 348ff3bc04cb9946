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
    withDirectory([], (directory) => assert.equal(nextSegmentNumber(directory, 1), 0));
  });

  it('continues after the highest segment of its own token, not after the count', () => {
    withDirectory(['segment-000001-000000.ts', 'segment-000001-000001.ts', 'segment-000001-000007.ts'], (directory) => {
      assert.equal(nextSegmentNumber(directory, 1), 8);
    });
  });

  it("starts a new token's numbering at 0, whatever an earlier owner wrote", () => {
    withDirectory(['segment-000001-000000.ts', 'segment-000001-000041.ts', 'segment-000003-000002.ts'], (directory) => {
      assert.equal(nextSegmentNumber(directory, 2), 0);
      assert.equal(nextSegmentNumber(directory, 3), 3);
    });
  });

  it('compares numbers, not names', () => {
    withDirectory(['segment-000004-000009.ts', 'segment-000004-000010.ts', 'segment-000004-000100.ts', 'segment-000004-000099.ts'], (directory) => {
      assert.equal(nextSegmentNumber(directory, 4), 101);
    });
  });

  it('ignores files that are not segments', () => {
    withDirectory(['segments.txt', 'segment-000001-000500.ts.part', 'segment-12.ts', 'segment-000007.ts', 'final.mp4', 'segment-000001-000003.ts'], (directory) => {
      mkdirSync(join(directory, 'nested'));
      assert.equal(nextSegmentNumber(directory, 1), 4);
    });
  });

  it('throws when the directory does not exist', () => {
    assert.throws(() => nextSegmentNumber(join(tmpdir(), 'segment-recorder-spec-missing-' + process.pid), 1), { code: 'ENOENT' });
  });
});
