import { apiErrorSchema, sessionSchema, type LoginRequest, type Session } from '@streamcaster/contracts';
import type { z } from 'zod';
import { SessionManager } from './session-manager';

/** What the gateway refused (or could not be reached for): its `{ statusCode, message }`. */
export class ApiRequestError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export interface RequestOptions<T> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Checked with the server's own schema before it is sent. */
  body?: { schema: z.ZodType; value: unknown };
  form?: FormData;
  query?: Record<string, string | boolean | undefined>;
  /** The answer's schema; every answer is checked against it. Omit for 204. */
  response?: z.ZodType<T>;
}

type Fetch = typeof globalThis.fetch;

/** Only one tab renews at a time: the refresh cookie is shared, and a token presented twice ends the session. */
async function oneTabAtATime<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? (locks.request('streamcaster-session-refresh', task) as Promise<T>) : task();
}

/**
 * The gateway's REST API: Bearer token from the in-memory session, one renewal and retry after a 401,
 * every body checked with its contract schema before it leaves and every answer after it arrives.
 */
export class ApiClient {
  readonly session: SessionManager;

  constructor(
    private readonly fetchImpl: Fetch = (input, init) => globalThis.fetch(input, init),
    private readonly base = '/api',
  ) {
    this.session = new SessionManager(() => this.refreshSession());
  }

  async login(credentials: LoginRequest): Promise<Session> {
    const session = await this.unauthenticated('POST', '/auth/login', sessionSchema, credentials);
    this.session.set(session);
    return session;
  }

  /** On load: the refresh cookie, if any, brings the session back (a reload keeps you signed in). */
  async restore(): Promise<Session | null> {
    return this.session.refresh();
  }

  async logout(): Promise<void> {
    try {
      await this.fetchImpl(`${this.base}/auth/logout`, { method: 'POST', credentials: 'same-origin' });
    } finally {
      this.session.clear();
    }
  }

  async request<T = undefined>(path: string, options: RequestOptions<T> = {}): Promise<T> {
    const token = await this.session.token();
    let response = await this.send(path, options, token);
    if (response.status === 401 && token) {
      const renewed = await this.session.refresh();
      if (renewed) response = await this.send(path, options, renewed.accessToken);
    }
    return this.read(response, options.response);
  }

  /** For hls.js and friends that build their own requests. */
  currentToken(): string | null {
    return this.session.current?.accessToken ?? null;
  }

  private async refreshSession(): Promise<Session | null> {
    return oneTabAtATime(async () => {
      try {
        return await this.unauthenticated('POST', '/auth/refresh', sessionSchema);
      } catch (error) {
        if (error instanceof ApiRequestError && (error.statusCode === 401 || error.statusCode === 403)) return null;
        throw error;
      }
    });
  }

  private async unauthenticated<T>(method: 'POST', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const response = await this.fetchImpl(`${this.base}${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return this.read(response, schema);
  }

  private send<T>(path: string, options: RequestOptions<T>, token: string | null): Promise<Response> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (options.body) {
      const parsed = options.body.schema.safeParse(options.body.value);
      if (!parsed.success) throw new ApiRequestError(400, parsed.error.issues.map((issue) => issue.message).join('; '));
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body.value);
    } else if (options.form) {
      body = options.form;
    }
    return this.fetchImpl(`${this.base}${path}${queryString(options.query)}`, { method: options.method ?? 'GET', headers, body, credentials: 'same-origin' });
  }

  private async read<T>(response: Response, schema: z.ZodType<T> | undefined): Promise<T> {
    const text = await response.text();
    let json: unknown = undefined;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    if (!response.ok) {
      const error = apiErrorSchema.safeParse(json);
      throw new ApiRequestError(response.status, error.success ? error.data.message : `the server answered ${response.status} ${response.statusText}`.trim());
    }
    if (!schema) return undefined as T;
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiRequestError(502, `the server's answer does not match its contract: ${parsed.error.issues[0]?.message ?? 'unknown shape'}`);
    }
    return parsed.data;
  }
}

function queryString(query: RequestOptions<unknown>['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
