import assert from 'node:assert/strict';

/** One answer of the gateway's HTTP API, its body parsed when it is JSON. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
  /** The body as it came (a media segment, say). */
  bytes: Buffer;
}

export interface ApiOptions {
  token?: string;
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
}

/** Calls the gateway as the dashboard does (bearer token, JSON); never hangs past the bus timeout. */
export async function callApi(base: string, method: string, path: string, options: ApiOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
    redirect: 'manual',
    // A forwarded command must fail after the bus timeout (5 s; 30 s for a stop), never hang.
    signal: AbortSignal.timeout(40_000),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  const body = (response.headers.get('content-type') ?? '').includes('application/json') && text ? (JSON.parse(text) as unknown) : text;
  return { status: response.status, headers: response.headers, body, bytes };
}

/** The API's error shape, `{ statusCode, message }` and nothing else, with this status and message. */
export function assertApiError(response: Pick<ApiResponse, 'status' | 'body'>, status: number, message: string | RegExp): void {
  assert.equal(response.status, status, `status of ${JSON.stringify(response.body)}`);
  const body = response.body as { statusCode: number; message: string };
  assert.deepEqual(Object.keys(body).sort(), ['message', 'statusCode']);
  assert.equal(body.statusCode, status);
  if (typeof message === 'string') assert.equal(body.message, message);
  else assert.match(body.message, message);
}
