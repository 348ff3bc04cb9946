import { PLATFORM_RULES } from '@streamcaster/contracts';
import { PlatformError, type PlatformErrorKind } from '../platform-error.js';

/** The scopes StreamCaster asks for: the title and category (`PATCH /channels`) and the ingest key (`GET /streams/key`). */
export const TWITCH_OAUTH_SCOPES = ['channel:manage:broadcast', 'channel:read:stream_key'] as const;

/** What each scope lets StreamCaster do, in the words the dashboard shows. */
const SCOPE_PURPOSES: Record<string, string> = {
  'channel:manage:broadcast': "set the channel's title and category",
  'channel:read:stream_key': "read the channel's stream key",
};

/** The calls StreamCaster makes to Twitch. */
export type TwitchStep = 'exchange' | 'refresh' | 'revoke' | 'identify' | 'channel' | 'stream-key' | 'stream';

const ACTIONS: Record<TwitchStep, string> = {
  exchange: 'signing in',
  refresh: 'renewing the access token',
  revoke: 'revoking the sign-in',
  identify: 'reading the account',
  channel: "setting the channel's title",
  'stream-key': 'reading the stream key',
  stream: 'reading whether the channel is live',
};

/** How long a 429 whose reset is unknown waits, as for the other platforms (platform-http.ts). */
const DEFAULT_RETRY_AFTER_MS = 60_000;

/**
 * What a failed twurple call carries, read without its classes (HttpStatusCodeError belongs to
 * @twurple/api-call, a transitive dependency): Twitch's answer when there was one, what twurple
 * decided locally otherwise, and why no answer came. Never its `message`: for the OAuth calls it
 * holds the whole URL, client secret and refresh token included.
 */
export interface TwitchFailure {
  /** HTTP status; undefined when no answer came or twurple refused locally. */
  status: number | undefined;
  /** Twitch's own words: the `message` of `{ error, status, message }` (Helix) or `{ status, message }` (id.twitch.tv). */
  message: string | undefined;
  /** An answer that is not Twitch's JSON (a front end's HTML page, garbage). */
  notJson: boolean;
  /** twurple's validation of the token found it invalid (`InvalidTokenError`). */
  invalidToken: boolean;
  /** The scope a Helix call needed and the token lacks (Twitch's 401, or twurple's check after validating the token). */
  missingScope: string | undefined;
  /** Why no answer came: a system error code (ECONNREFUSED), `TimeoutError`, or the name of an unexpected error. */
  networkCode: string | undefined;
}

interface FailureShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  statusCode?: unknown;
  body?: unknown;
}

const LOCAL_SCOPE_REFUSAL = /does not have (?:any of )?the requested scopes \(([^)]+)\)/;
const MISSING_SCOPE = /^Missing scope:\s*(\S+)/i;

export function readTwitchFailure(error: unknown): TwitchFailure {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as FailureShape;
  const failure: TwitchFailure = { status: undefined, message: undefined, notJson: false, invalidToken: false, missingScope: undefined, networkCode: undefined };
  if (shape.name === 'InvalidTokenError') return { ...failure, invalidToken: true };
  if (typeof shape.statusCode === 'number') {
    const body = typeof shape.body === 'string' ? parseJson(shape.body) : undefined;
    const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : undefined;
    return {
      ...failure,
      status: shape.statusCode,
      message,
      notJson: typeof body !== 'object' || body === null,
      missingScope: shape.statusCode === 401 && message !== undefined ? MISSING_SCOPE.exec(message)?.[1] : undefined,
    };
  }
  const localScope = typeof shape.message === 'string' ? LOCAL_SCOPE_REFUSAL.exec(shape.message)?.[1] : undefined;
  if (localScope !== undefined) return { ...failure, missingScope: localScope.split(',')[0]?.trim() };
  return { ...failure, networkCode: networkCode(shape) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function networkCode(shape: FailureShape): string {
  if (shape.name === 'TimeoutError' || shape.name === 'AbortError') return 'TimeoutError';
  const cause = (typeof shape.cause === 'object' && shape.cause !== null ? shape.cause : {}) as FailureShape;
  if (typeof cause.code === 'string') return cause.code;
  if (typeof shape.code === 'string') return shape.code;
  return typeof shape.name === 'string' ? shape.name : 'unknown error';
}

export interface TwitchErrorOptions {
  timeoutMs: number;
  /** How long twurple's rate limiter was told to wait (from `Ratelimit-Reset`), when it was. */
  retryAfterMs?: number;
}

/**
 * A failed Twitch call (twurple's Helix or id.twitch.tv calls) as a `PlatformError` in words, with
 * what to do next in its kind. Never carries a token, the client secret or a stream key.
 */
export function twitchError(step: TwitchStep, error: unknown, options: TwitchErrorOptions): PlatformError {
  if (error instanceof PlatformError) return error;
  const failure = readTwitchFailure(error);
  const fail = (kind: PlatformErrorKind, words: string, extra: { retryAfterMs?: number } = {}): PlatformError =>
    new PlatformError('twitch', kind, `Twitch (${ACTIONS[step]}): ${words}`, { status: failure.status, ...extra });

  if (failure.invalidToken) return fail('auth', 'Twitch did not accept the access token (expired or revoked)');
  if (failure.missingScope !== undefined) return missingScope(fail, failure.missingScope);
  const { status, message } = failure;
  if (status === undefined) {
    if (failure.networkCode === 'TimeoutError') return noAnswerError(step, options.timeoutMs);
    if (failure.networkCode === 'SyntaxError') return fail('transient', "Twitch answered something that is not its JSON; it may pass");
    if (failure.networkCode === 'HellFreezesOverError') return fail('transient', 'Twitch answered without the account; it may pass');
    return fail('transient', `cannot reach Twitch (${failure.networkCode ?? 'no answer'})`);
  }
  if (status === 429) return rateLimitedError(step, options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS);
  if (status >= 500) return fail('transient', `Twitch had an internal error (HTTP ${status}); it may pass`);
  if (failure.notJson) return fail('transient', `HTTP ${status} with a page that is not Twitch's JSON answer (Twitch or a proxy in front of it is having trouble)`);
  const says = message ? `: ${message}` : '';

  if (step === 'exchange' || step === 'refresh' || step === 'revoke') {
    if (step === 'refresh' && status === 400 && message === 'Invalid refresh token') {
      return fail('revoked', 'Twitch no longer accepts this sign-in (Invalid refresh token): it was revoked, the password changed, or StreamCaster was disconnected; reconnect the account');
    }
    if (status === 400 && message === 'Invalid authorization code') return fail('refused', `Twitch refused the sign-in code (expired, already used, or not from this sign-in)${says}`);
    if (/client/i.test(message ?? '') || status === 403 || status === 404) {
      return fail('refused', `Twitch does not accept StreamCaster's application; check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET${says}`);
    }
    if (step === 'refresh' && status === 400) return fail('revoked', `Twitch no longer accepts this sign-in${says}; reconnect the account`);
    return fail('refused', `Twitch refused it (HTTP ${status})${says}`);
  }

  if (status === 401) {
    if (/broadcaster_id/i.test(message ?? '')) return fail('refused', 'the connected Twitch account is not the owner of this channel; reconnect the account as the channel owner');
    // An expired or revoked token, or one issued to another Client-Id: refreshing it is the way out
    // (and a refresh that fails makes the account need reconnecting, with Twitch's reason).
    return fail('auth', `Twitch did not accept the access token${says}`);
  }
  if (status === 400 && message === 'Title is too long.') {
    return fail('refused', `Twitch refused the title: Title is too long. (Twitch takes at most ${PLATFORM_RULES.twitch.titleMaxLength} characters)`);
  }
  if (status === 403 && step === 'stream-key') return fail('refused', `Twitch does not let this channel stream yet${says}`);
  return fail('refused', `Twitch refused it (HTTP ${status})${says}`);
}

/** Twitch's bucket is empty: wait as long as its `Ratelimit-Reset` says. */
export function rateLimitedError(step: TwitchStep, waitMs: number): PlatformError {
  const retryAfterMs = Math.max(0, waitMs);
  return new PlatformError('twitch', 'rate-limited', `Twitch (${ACTIONS[step]}): too many requests; Twitch asks to wait ${Math.ceil(retryAfterMs / 1000)} s`, {
    status: 429,
    retryAfterMs,
  });
}

export function noAnswerError(step: TwitchStep, timeoutMs: number): PlatformError {
  return new PlatformError('twitch', 'transient', `Twitch (${ACTIONS[step]}): no answer within ${Math.round(timeoutMs / 1000)} s`);
}

function missingScope(fail: (kind: PlatformErrorKind, words: string) => PlatformError, scope: string): PlatformError {
  const purpose = SCOPE_PURPOSES[scope];
  return fail(
    'refused',
    `StreamCaster was not allowed to ${purpose ?? 'do this'} (Twitch permission ${scope}): reconnect the account and allow every permission asked for`,
  );
}
