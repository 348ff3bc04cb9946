import type { ApiPlatform } from '@streamcaster/contracts';

/**
 * What went wrong at a platform, sorted by what StreamCaster should do about it:
 * - `auth`: the access token was refused; refresh it and try once more (a refresh that fails makes
 *   the account `needs-reconnect`);
 * - `revoked`: the grant itself is gone (refresh token refused, app removed): reconnect the account;
 * - `quota`: the daily quota or StreamCaster's own budget is spent; retrying today is pointless;
 * - `rate-limited`: too many calls now; wait `retryAfterMs` and retry;
 * - `transient`: the platform was down, slow, answered HTML or garbage; retry with backoff;
 * - `refused`: the platform says no for a reason a retry cannot fix (live streaming not enabled,
 *   title too long, missing permission, no such broadcast); the message says which.
 */
export type PlatformErrorKind = 'auth' | 'revoked' | 'quota' | 'rate-limited' | 'transient' | 'refused';

export class PlatformError extends Error {
  constructor(
    readonly platform: ApiPlatform,
    readonly kind: PlatformErrorKind,
    /** In words, for the dashboard: "YouTube: the channel is not enabled for live streaming". */
    message: string,
    readonly details: { status?: number; code?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'PlatformError';
  }

  /** Whether the same call may succeed later without anyone doing anything. */
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate-limited' || this.kind === 'auth';
  }
}

export function isPlatformError(error: unknown): error is PlatformError {
  return error instanceof PlatformError;
}

/** Any error as a PlatformError: what is not one already is a transient failure of that platform. */
export function asPlatformError(platform: ApiPlatform, label: string, error: unknown): PlatformError {
  if (error instanceof PlatformError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PlatformError(platform, 'transient', `${label}: ${message}`);
}
