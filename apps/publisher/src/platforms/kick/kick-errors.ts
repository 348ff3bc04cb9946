import type { PlatformErrorAnswer } from '../platform-http.js';
import { PlatformError } from '../platform-error.js';

/**
 * Kick's answers when something is wrong: the API's `{ "data": <detail>, "message": "Unauthorized" }`,
 * the OAuth server's `{ "error": "Invalid request" }`, and its Cloudflare edge's
 * `{ "error": "Request blocked by security policy.", "reference": "…" }` (KickDevDocs issues).
 */
interface KickErrorBody {
  data?: unknown;
  message?: string;
  error?: string;
}

/** The public API's errors in words and as what the publisher does next. */
export function describeKickError(answer: PlatformErrorAnswer): PlatformError {
  const body = (answer.body ?? {}) as KickErrorBody;
  const details = { status: answer.status, code: body.message ?? body.error };
  if (blockedAtTheEdge(answer, body)) return edgeBlock(answer, body);
  const said = `${body.message ?? body.error ?? `HTTP ${answer.status}`}${detailOf(body.data)}`;
  if (answer.status === 401) return new PlatformError('kick', 'auth', `Kick refused the access token (${said})`, details);
  if (answer.status === 403) {
    return new PlatformError('kick', 'refused', `Kick refused (${said}); the account may not have granted everything StreamCaster asks for: reconnect it`, details);
  }
  if (answer.status >= 500) return new PlatformError('kick', 'transient', `Kick had a problem (${said})`, details);
  return new PlatformError('kick', 'refused', `Kick refused the request (${said})`, details);
}

/** The token endpoint refusing a code exchange: the code is bad, used or expired, or the verifier wrong. */
export function describeKickCodeError(answer: PlatformErrorAnswer): PlatformError {
  const body = (answer.body ?? {}) as KickErrorBody;
  if (blockedAtTheEdge(answer, body) || answer.status >= 500) return describeKickError(answer);
  return new PlatformError('kick', 'refused', `Kick refused the sign-in code (${body.error ?? body.message ?? `HTTP ${answer.status}`}); press Connect again`, {
    status: answer.status,
    code: body.error,
  });
}

/**
 * The token endpoint refusing a refresh: Kick answers 400 Invalid request for a refresh token that
 * was revoked, already used (they rotate) or expired; only reconnecting helps.
 */
export function describeKickRefreshError(answer: PlatformErrorAnswer): PlatformError {
  const body = (answer.body ?? {}) as KickErrorBody;
  if (blockedAtTheEdge(answer, body) || answer.status >= 500) return describeKickError(answer);
  return new PlatformError(
    'kick',
    'revoked',
    `Kick refused to renew the sign-in (${body.error ?? body.message ?? `HTTP ${answer.status}`}): it was revoked or has expired; reconnect the Kick account`,
    { status: answer.status, code: body.error },
  );
}

function blockedAtTheEdge(answer: PlatformErrorAnswer, body: KickErrorBody): boolean {
  return answer.status === 403 && typeof body.error === 'string' && body.message === undefined;
}

/** Cloudflare in front of Kick blocks a request now and then; it passes when tried again later. */
function edgeBlock(answer: PlatformErrorAnswer, body: KickErrorBody): PlatformError {
  return new PlatformError('kick', 'transient', `Kick's edge blocked the request (${body.error ?? 'blocked'}); trying again later`, { status: answer.status, code: 'blocked' });
}

function detailOf(data: unknown): string {
  if (typeof data === 'string' && data !== '') return `: ${data}`;
  return '';
}
