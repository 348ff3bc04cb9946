import type { PublisherConfig } from '../../config/publisher.config.js';
import { callPlatform, type DescribeError } from '../platform-http.js';
import { describeGraphError } from './facebook-errors.js';

export interface GraphRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Below the Graph base (FACEBOOK_GRAPH_URL, version included): `me/accounts`, `<page-id>/live_videos`. */
  path: string;
  /** Sent as `Authorization: Bearer`, so that it stays out of URLs; null for the token endpoint. */
  token: string | null;
  query?: Record<string, string | number | boolean | undefined>;
  form?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** Plain HTTP calls to the Graph API, each a `PlatformError` in words when it fails. */
export class FacebookGraph {
  constructor(private readonly config: Pick<PublisherConfig, 'facebookGraphUrl' | 'platformRequestTimeoutMs'>) {}

  call<T>(label: string, request: GraphRequest, describe: DescribeError = describeGraphError): Promise<T> {
    return callPlatform<T>(
      'facebook',
      `Facebook (${label})`,
      {
        method: request.method ?? 'GET',
        url: `${this.config.facebookGraphUrl}/${request.path}`,
        query: request.query,
        form: request.form,
        bearer: request.token ?? undefined,
        timeoutMs: this.config.platformRequestTimeoutMs,
        signal: request.signal,
      },
      describe,
    );
  }
}
