/**
 * Exponential backoff: `initialMs` doubling up to `maxMs`. A process that stayed up for `resetAfterMs`
 * counts as healthy again, so its next failure starts over at `initialMs`.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 30_000 };

/** Delay before restart attempt `attempt` (0-based): 1 s, 2 s, 4 s, ... capped. */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  if (attempt < 0 || !Number.isFinite(attempt)) throw new RangeError(`attempt must be >= 0, got ${attempt}`);
  // Cap the exponent first so that large attempt counts cannot overflow to Infinity.
  const exponent = Math.min(attempt, 30);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
}
