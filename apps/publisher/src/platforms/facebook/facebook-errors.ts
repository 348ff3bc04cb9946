import type { PlatformErrorAnswer } from '../platform-http.js';
import { PlatformError } from '../platform-error.js';

/** Graph's error JSON (developers.facebook.com/docs/graph-api/guides/error-handling). */
export interface GraphErrorBody {
  error?: {
    message?: string;
    type?: string;
    code?: number;
    error_subcode?: number;
    error_user_title?: string;
    error_user_msg?: string;
    is_transient?: boolean;
    fbtrace_id?: string;
  };
}

/** Code 190's subcodes that mean the sign-in itself is gone: only the person can fix it, by reconnecting. */
const SIGN_IN_GONE: Record<number, string> = {
  458: 'StreamCaster was removed from the Facebook account’s apps',
  459: 'Facebook wants the person to log in on facebook.com first (account checkpoint)',
  460: 'the Facebook password was changed',
  463: 'the Facebook sign-in expired (Facebook sign-ins last about 60 days)',
  464: 'the Facebook account is not confirmed',
  467: 'the Facebook sign-in was invalidated (logged out or revoked)',
};
/** Codes of a missing, invalid or expired token: refresh (Facebook: reconnect) and try again. */
const TOKEN_CODES = new Set([102, 104, 190, 2500]);
/** App, user, page and business throttling (4, 17, 32, 613, 80001) and the app limit (341). */
const THROTTLING_CODES = new Set([4, 17, 32, 341, 613, 80001]);
/** Live eligibility (a page under 60 days old or with under 100 followers): code 200 with these subcodes. */
const LIVE_ELIGIBILITY_SUBCODES = new Set([1363120, 1363144]);
const PERMISSION_NAMES = /\b(pages_[a-z_]+|publish_video|business_management)\b/g;

/** Graph's error answer in words and as what the publisher does next. */
export function describeGraphError(answer: PlatformErrorAnswer): PlatformError {
  const error = (answer.body as GraphErrorBody | null)?.error;
  if (!error || typeof error.code !== 'number') {
    return new PlatformError('facebook', answer.status >= 500 ? 'transient' : 'refused', `Facebook answered HTTP ${answer.status} without its error details`, { status: answer.status });
  }
  const code = error.code;
  const subcode = error.error_subcode;
  const said = error.error_user_msg ?? error.message ?? `error ${code}`;
  const details = { status: answer.status, code: subcode === undefined ? String(code) : `${code}/${subcode}` };

  if (code === 200 && subcode !== undefined && LIVE_ELIGIBILITY_SUBCODES.has(subcode)) {
    return new PlatformError('facebook', 'refused', `this page cannot go live: ${said}`, details);
  }
  if (TOKEN_CODES.has(code)) {
    const gone = subcode === undefined ? undefined : SIGN_IN_GONE[subcode];
    if (gone) return new PlatformError('facebook', 'revoked', `${gone}; reconnect the Facebook account (Facebook: ${error.message ?? said})`, details);
    return new PlatformError('facebook', 'auth', `Facebook refused the access token: ${error.message ?? said}`, details);
  }
  if (THROTTLING_CODES.has(code)) {
    const retryAfterMs = answer.retryAfterMs ?? businessUseCaseWaitMs(answer.headers) ?? 60_000;
    return new PlatformError('facebook', 'rate-limited', `Facebook limits the calls of this app or page for now (${said}); waiting ${Math.ceil(retryAfterMs / 1000)} s`, { ...details, retryAfterMs });
  }
  if (code === 1 || code === 2 || error.is_transient === true) {
    return new PlatformError('facebook', 'transient', `Facebook had a temporary problem: ${said}`, details);
  }
  if (code === 10 || (code >= 200 && code <= 299)) {
    const named = [...new Set((error.message ?? '').match(PERMISSION_NAMES) ?? [])];
    const which = named.length > 0 ? ` (${named.join(', ')})` : '';
    return new PlatformError('facebook', 'refused', `Facebook refused for lack of a permission${which}: ${said}; reconnect the account and allow every permission asked for`, details);
  }
  if (code === 368) {
    return new PlatformError('facebook', 'refused', `Facebook has temporarily blocked this account for a policy reason: ${said}`, details);
  }
  if (code === 100 && subcode === 33) {
    return new PlatformError('facebook', 'refused', 'Facebook has no such object (deleted, or this page may not see it)', details);
  }
  return new PlatformError('facebook', answer.status >= 500 ? 'transient' : 'refused', `Facebook refused: ${said}`, details);
}

/**
 * The token endpoint's errors: at this step a code 1 or 101 is about the app's credentials and a
 * code 100 about the authorization code, not a passing failure.
 */
export function describeTokenError(answer: PlatformErrorAnswer): PlatformError {
  const error = (answer.body as GraphErrorBody | null)?.error;
  const said = error?.message ?? `HTTP ${answer.status}`;
  const details = { status: answer.status, code: error?.code === undefined ? undefined : String(error.code) };
  if ((error?.code === 1 || error?.code === 101) && /client secret|application|app id|client_id/i.test(said)) {
    return new PlatformError('facebook', 'refused', `Facebook refused StreamCaster’s app credentials (check FACEBOOK_APP_ID and FACEBOOK_APP_SECRET): ${said}`, details);
  }
  if (error?.code === 100) return new PlatformError('facebook', 'refused', `Facebook refused the sign-in: ${said}`, details);
  return describeGraphError(answer);
}

/**
 * How long Facebook asks to wait, from `X-Business-Use-Case-Usage` (page tokens) or `X-App-Usage`:
 * `estimated_time_to_regain_access` is in minutes.
 */
function businessUseCaseWaitMs(headers: Headers): number | undefined {
  const raw = headers.get('x-business-use-case-usage');
  if (!raw) return undefined;
  try {
    const usage = JSON.parse(raw) as Record<string, Array<{ estimated_time_to_regain_access?: number }>>;
    const minutes = Math.max(0, ...Object.values(usage).flat().map((entry) => entry.estimated_time_to_regain_access ?? 0));
    return minutes > 0 ? minutes * 60_000 : undefined;
  } catch {
    return undefined;
  }
}
