import type { PublisherConfig } from '../../config/publisher.config.js';
import { callPlatform, type DescribeError } from '../platform-http.js';
import { describeKickError } from './kick-errors.js';

export interface KickRequest {
  method?: 'GET' | 'POST' | 'PATCH';
  /** Below KICK_API_URL (`users`, `channels`, `livestreams`), or a whole URL (the OAuth server). */
  path: string;
  token?: string;
  query?: Record<string, string | number | undefined>;
  form?: Record<string, string | undefined>;
  json?: unknown;
  signal?: AbortSignal;
}

/** Plain HTTP calls to Kick's public API and its OAuth server, each a `PlatformError` in words when it fails. */
export class KickApi {
  constructor(private readonly config: Pick<PublisherConfig, 'kickApiUrl' | 'platformRequestTimeoutMs'>) {}

  call<T>(label: string, request: KickRequest, describe: DescribeError = describeKickError): Promise<T> {
    return callPlatform<T>(
      'kick',
      `Kick (${label})`,
      {
        method: request.method ?? 'GET',
        url: /^https?:\/\//.test(request.path) ? request.path : `${this.config.kickApiUrl}/${request.path}`,
        query: request.query,
        form: request.form,
        json: request.json,
        bearer: request.token,
        timeoutMs: this.config.platformRequestTimeoutMs,
        signal: request.signal,
      },
      describe,
    );
  }
}

/** Kick wraps every answer: `{ "data": …, "message": "OK" }`. */
export interface KickAnswer<T> {
  data?: T;
  message?: string;
}
