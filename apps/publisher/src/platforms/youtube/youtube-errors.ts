import { PlatformError, type PlatformErrorKind } from '../platform-error.js';
import { retryAfter } from '../platform-http.js';
import type { YouTubeMethod } from './youtube-quota.js';

/** The one scope StreamCaster asks for: it covers every live method (and is what they list first). */
export const YOUTUBE_SCOPE = 'https://www.googleapis.com/auth/youtube';

/** How long a 429 without Retry-After waits, as for the other platforms (platform-http.ts). */
const DEFAULT_RETRY_AFTER_MS = 60_000;

/**
 * What a failed googleapis or google-auth-library call carries, read without their classes
 * (GaxiosError belongs to a transitive dependency): the answer when there was one, and why not
 * otherwise.
 */
export interface GoogleFailure {
  /** HTTP status; undefined when no answer came. */
  status: number | undefined;
  /** The Data API's `errors[0].reason`, or the token endpoint's `error`. */
  reason: string | undefined;
  /** The platform's own words: `error.message`, or the token endpoint's `error_description`. */
  message: string | undefined;
  /** An answer that is not the API's JSON (a front end's HTML page, garbage). */
  notJson: boolean;
  retryAfterMs: number | undefined;
  /** Why no answer came: a system error code (ECONNREFUSED) or `TimeoutError`. */
  networkCode: string | undefined;
}

interface FailureShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

export function readGoogleFailure(error: unknown): GoogleFailure {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as FailureShape;
  const response = shape.response;
  if (response === undefined || typeof response.status !== 'number') {
    return { status: undefined, reason: undefined, message: undefined, notJson: false, retryAfterMs: undefined, networkCode: networkCode(shape) };
  }
  const headers = headersOf(response.headers);
  const data = typeof response.data === 'string' ? parseJson(response.data) : response.data;
  const body = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : undefined;
  let reason: string | undefined;
  let message: string | undefined;
  if (body !== undefined && typeof body['error'] === 'object' && body['error'] !== null) {
    // The Data API: { error: { code, message, errors: [{ reason, domain, message }], status } }.
    const apiError = body['error'] as { message?: unknown; errors?: unknown; status?: unknown };
    const first = Array.isArray(apiError.errors) ? (apiError.errors[0] as { reason?: unknown } | undefined) : undefined;
    reason = typeof first?.reason === 'string' ? first.reason : typeof apiError.status === 'string' ? apiError.status : undefined;
    message = typeof apiError.message === 'string' ? apiError.message : undefined;
  } else if (body !== undefined && typeof body['error'] === 'string') {
    // The OAuth endpoints (RFC 6749): { error, error_description }.
    reason = body['error'];
    message = typeof body['error_description'] === 'string' ? body['error_description'] : undefined;
  }
  return { status: response.status, reason, message, notJson: body === undefined, retryAfterMs: retryAfter(headers), networkCode: undefined };
}

/** gaxios answers with node-fetch's Headers, not the global class: copied over by their entries. */
function headersOf(value: unknown): Headers {
  if (value instanceof Headers) return value;
  const headers = new Headers();
  if (typeof value !== 'object' || value === null) return headers;
  const iterable = value as { forEach?: unknown };
  if (typeof iterable.forEach === 'function') {
    (value as { forEach(each: (content: unknown, name: unknown) => void): void }).forEach((content, name) => {
      if (typeof content === 'string' && typeof name === 'string') headers.set(name, content);
    });
  } else {
    for (const [name, content] of Object.entries(value)) if (typeof content === 'string') headers.set(name, content);
  }
  return headers;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function networkCode(shape: FailureShape): string | undefined {
  if (shape.name === 'TimeoutError' || shape.code === 'TimeoutError') return 'TimeoutError';
  if (typeof shape.message === 'string' && /aborted due to timeout/i.test(shape.message)) return 'TimeoutError';
  const cause = (typeof shape.cause === 'object' && shape.cause !== null ? shape.cause : {}) as FailureShape;
  if (cause.name === 'TimeoutError') return 'TimeoutError';
  const code = typeof shape.code === 'string' ? shape.code : typeof cause.code === 'string' ? cause.code : undefined;
  const nested = (typeof cause.cause === 'object' && cause.cause !== null ? cause.cause : {}) as FailureShape;
  return code ?? (typeof nested.code === 'string' ? nested.code : undefined);
}

/** What each method is doing, in the words the dashboard shows. */
const ACTIONS: Record<YouTubeMethod, string> = {
  'channels.list': 'reading the channel',
  'videos.list': 'reading the viewer count',
  'liveBroadcasts.list': 'reading the broadcast',
  'liveBroadcasts.insert': 'creating the broadcast',
  'liveBroadcasts.update': 'changing the title',
  'liveBroadcasts.bind': 'binding the stream to the broadcast',
  'liveBroadcasts.transition': "changing the broadcast's status",
  'liveBroadcasts.delete': 'deleting the unused broadcast',
  'liveStreams.list': 'reading the stream',
  'liveStreams.insert': 'creating the stream',
  'liveStreams.delete': 'deleting the stream',
};

/** Reasons a Data API call can fail with that a person can act on; the rest are worded generically. */
const REFUSALS: Record<string, string> = {
  liveStreamingNotEnabled: 'live streaming is not enabled on this YouTube channel (enable it in YouTube Studio; it takes 24 hours)',
  livePermissionBlocked: 'YouTube does not let this channel stream live at the moment (see the channel\'s features at https://www.youtube.com/features)',
  insufficientLivePermissions: 'this Google account may not run live broadcasts on the channel (a manager needs the owner to grant live streaming rights)',
  insufficientPermissions: `StreamCaster was not granted the permission to manage your YouTube account (${YOUTUBE_SCOPE}): reconnect the account and allow every permission asked for`,
  liveBroadcastNotFound: 'the broadcast no longer exists on YouTube (it was deleted, in YouTube Studio perhaps)',
  liveStreamNotFound: 'the stream no longer exists on YouTube (it was deleted, in YouTube Studio perhaps)',
  channelNotFound: 'the YouTube channel of this account no longer exists',
  liveBroadcastBindingNotAllowed: 'the broadcast cannot be bound to a stream in its current status',
  liveBroadcastDeletionNotAllowed: 'the broadcast cannot be deleted in its current status',
  invalidTransition: 'the broadcast cannot change to that status from its current one',
  redundantTransition: 'the broadcast already has that status',
};

const RATE_LIMITED = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'userRequestsExceedRateLimit', 'RESOURCE_EXHAUSTED']);
const QUOTA_EXHAUSTED = new Set(['quotaExceeded', 'dailyLimitExceeded']);

/**
 * A failed Data API call as a `PlatformError` in words, with YouTube's reason kept in
 * `details.code` (callers treat `redundantTransition` as success by it). Never carries a token.
 */
export function youtubeApiError(method: YouTubeMethod, error: unknown, timeoutMs: number): PlatformError {
  const failure = readGoogleFailure(error);
  const action = ACTIONS[method];
  const fail = (kind: PlatformErrorKind, words: string, extra: { retryAfterMs?: number } = {}): PlatformError =>
    new PlatformError('youtube', kind, `YouTube (${action}): ${words}`, { status: failure.status, code: failure.reason, ...extra });

  if (failure.status === undefined) return fail('transient', unreachable(failure, timeoutMs, "YouTube's API"));
  const { status, reason } = failure;
  if (status === 429 || (reason !== undefined && RATE_LIMITED.has(reason))) {
    const waitMs = failure.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
    return fail('rate-limited', `too many requests; YouTube asks to wait ${Math.ceil(waitMs / 1000)} s`, { retryAfterMs: waitMs });
  }
  if (failure.notJson) return fail('transient', `HTTP ${status} with a page that is not the API's JSON answer (YouTube or a proxy in front of it is having trouble)`);
  if (status === 401) return fail('auth', 'YouTube did not accept the access token (expired or revoked)');
  if (reason !== undefined && QUOTA_EXHAUSTED.has(reason)) {
    return fail('quota', "YouTube's daily API quota is exhausted (it resets at midnight Pacific time; ask Google for more in the Cloud console)");
  }
  if (reason === 'errorStreamInactive') return fail('transient', 'YouTube does not receive the stream yet');
  if (status >= 500 || reason === 'backendError' || reason === 'internalError' || reason === 'errorExecutingTransition') {
    return fail('transient', `YouTube had an internal error (HTTP ${status}${reason ? ` ${reason}` : ''}); it may pass`);
  }
  const known = reason === undefined ? undefined : REFUSALS[reason];
  if (known !== undefined) return fail('refused', known);
  // Invalid values (invalidTitle, invalidDescription, titleRequired, invalidScheduledStartTime,
  // invalidPrivacyStatus, ...) and anything new: YouTube's own message says what is wrong.
  const words = failure.message ? `YouTube refused it: ${failure.message}` : `YouTube refused it (HTTP ${status})`;
  return fail('refused', `${words}${reason ? ` [${reason}]` : ''}`);
}

/** The three calls to Google's OAuth endpoints. */
export type GoogleTokenStep = 'exchange' | 'refresh' | 'revoke';

const TOKEN_ACTIONS: Record<GoogleTokenStep, string> = {
  exchange: 'signing in',
  refresh: 'renewing the access token',
  revoke: 'revoking the sign-in',
};

/** A failed call to Google's token or revoke endpoint as a `PlatformError` in words. */
export function googleTokenError(step: GoogleTokenStep, error: unknown, timeoutMs: number): PlatformError {
  const failure = readGoogleFailure(error);
  const fail = (kind: PlatformErrorKind, words: string, extra: { retryAfterMs?: number } = {}): PlatformError =>
    new PlatformError('youtube', kind, `Google (${TOKEN_ACTIONS[step]}): ${words}`, { status: failure.status, code: failure.reason, ...extra });

  if (failure.status === undefined) return fail('transient', unreachable(failure, timeoutMs, "Google's sign-in service"));
  const { status, reason } = failure;
  const says = failure.message ? `: ${failure.message}` : '';
  if (status === 429) {
    const waitMs = failure.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
    return fail('rate-limited', `too many requests; Google asks to wait ${Math.ceil(waitMs / 1000)} s`, { retryAfterMs: waitMs });
  }
  if (status >= 500 || failure.notJson) return fail('transient', `Google's sign-in service answered HTTP ${status}${failure.notJson ? ' with a page instead of JSON' : ''}; it may pass`);
  if (reason === 'invalid_grant' && step === 'refresh') return fail('revoked', `Google no longer accepts this sign-in${says}`);
  if (reason === 'invalid_grant') return fail('refused', `Google refused the sign-in code (expired, already used, or not from this sign-in)${says}`);
  if (reason === 'invalid_client' || reason === 'unauthorized_client') {
    return fail('refused', `Google does not accept StreamCaster's OAuth client; check YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET${says}`);
  }
  return fail('refused', `Google refused it${reason ? ` (${reason})` : ` (HTTP ${status})`}${says}`);
}

function unreachable(failure: GoogleFailure, timeoutMs: number, service: string): string {
  if (failure.networkCode === 'TimeoutError') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  return `cannot reach ${service} (${failure.networkCode ?? 'no answer'})`;
}
