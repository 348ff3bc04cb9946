import type { ApiPlatform } from '@streamcaster/contracts';
import { PlatformError } from './platform-error.js';

export interface PlatformRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string | undefined>;
  /** Sent as application/json. */
  json?: unknown;
  /** A bearer token for Authorization. */
  bearer?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A platform's error answer, read: what the adapter maps to a `PlatformError` in its own words. */
export interface PlatformErrorAnswer {
  status: number;
  /** The parsed JSON body, or null when it was not JSON. */
  body: unknown;
  /** Seconds from `Retry-After`, or the platform's own reset header, as milliseconds. */
  retryAfterMs: number | undefined;
  headers: Headers;
}

export type DescribeError = (answer: PlatformErrorAnswer) => PlatformError;

/**
 * One HTTP call to a platform (Facebook Graph, Kick, token endpoints). Every way a call can fail
 * becomes a `PlatformError` with words a person understands: no answer in time, an HTML page or
 * garbage instead of JSON, a 429 (with how long to wait), or the platform's own error, worded by
 * `describe`. Tokens never appear in a message: the URL shown has no query string.
 */
export async function callPlatform<T>(platform: ApiPlatform, label: string, request: PlatformRequest, describe: DescribeError): Promise<T> {
  const url = new URL(request.url);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(Object.entries(request.form).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
  } else if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  }
  if (request.bearer) headers.authorization = `Bearer ${request.bearer}`;

  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: request.method ?? 'GET', headers, body, signal });
    text = await response.text();
  } catch (error) {
    if (timeout.aborted) {
      throw new PlatformError(platform, 'transient', `${label}: no answer within ${Math.round(request.timeoutMs / 1000)} s`);
    }
    if (request.signal?.aborted) throw error;
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    throw new PlatformError(platform, 'transient', `${label}: cannot reach ${url.host} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
  }

  const parsed = parseJson(text);
  const retryAfterMs = retryAfter(response.headers);
  if (response.ok) {
    if (text.trim() === '') return undefined as T;
    if (parsed === NOT_JSON) {
      throw new PlatformError(platform, 'transient', `${label}: answered ${describeNonJson(text, response)} instead of JSON (HTTP ${response.status})`, {
        status: response.status,
      });
    }
    return parsed as T;
  }
  if (response.status === 429) {
    throw new PlatformError(platform, 'rate-limited', `${label}: too many requests; the platform asks to wait ${Math.ceil((retryAfterMs ?? 60_000) / 1000)} s`, {
      status: 429,
      retryAfterMs: retryAfterMs ?? 60_000,
    });
  }
  if (parsed === NOT_JSON) {
    // A proxy's or CDN's page, not the API's answer: nothing in it to word, and it may pass.
    const kind = response.status >= 500 || response.status === 403 ? 'transient' : 'refused';
    throw new PlatformError(platform, kind, `${label}: HTTP ${response.status} with ${describeNonJson(text, response)} instead of the API's JSON error`, {
      status: response.status,
    });
  }
  const error = describe({ status: response.status, body: parsed, retryAfterMs, headers: response.headers });
  throw error.message.startsWith(label) ? error : new PlatformError(error.platform, error.kind, `${label}: ${error.message}`, error.details);
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function describeNonJson(text: string, response: Response): string {
  const type = response.headers.get('content-type') ?? '';
  if (/html/i.test(type) || /^\s*</.test(text)) return 'an HTML page';
  return `${text.length} bytes of ${type || 'unknown content'}`;
}

/** `Retry-After` in seconds or as a date; else a reset time in epoch seconds (Twitch's `Ratelimit-Reset`). */
export function retryAfter(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (value) {
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(value);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const reset = Number(headers.get('ratelimit-reset'));
  if (headers.get('ratelimit-remaining') === '0' && Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  return undefined;
}
