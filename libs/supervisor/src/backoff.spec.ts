import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';

describe('backoffDelay', () => {
  it('starts at 1 s and doubles up to the 30 s cap with the default policy', () => {
    const delays = Array.from({ length: 8 }, (_, attempt) => backoffDelay(DEFAULT_BACKOFF, attempt));
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('follows the initial delay and cap of a custom policy', () => {
    const policy: BackoffPolicy = { initialMs: 50, maxMs: 150, resetAfterMs: 1_000 };
    const delays = [0, 1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt));
    assert.deepEqual(delays, [50, 100, 150, 150, 150]);
  });

  it('stays at the cap for very large attempt counts instead of overflowing', () => {
    for (const attempt of [31, 64, 1_024, 1e9, Number.MAX_SAFE_INTEGER]) {
      assert.equal(backoffDelay(DEFAULT_BACKOFF, attempt), 30_000, `attempt ${attempt}`);
    }
  });

  it('returns a finite delay even when the cap itself is unbounded', () => {
    const policy: BackoffPolicy = { initialMs: 1, maxMs: Number.POSITIVE_INFINITY, resetAfterMs: 1_000 };
    const delay = backoffDelay(policy, 10_000);
    assert.ok(Number.isFinite(delay), `expected a finite delay, got ${delay}`);
    assert.equal(delay, 2 ** 30);
  });

  it('rejects negative, NaN and infinite attempts with a RangeError', () => {
    for (const attempt of [-1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assert.throws(() => backoffDelay(DEFAULT_BACKOFF, attempt), RangeError, `attempt ${attempt}`);
    }
    assert.throws(() => backoffDelay(DEFAULT_BACKOFF, -3), { message: 'attempt must be >= 0, got -3' });
  });
});
