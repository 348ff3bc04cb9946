/** One answer a scripted platform gives, in order. */
export interface ScriptedAnswer {
  status?: number;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as is, with `contentType` (text/html by default). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/**
 * Stands in for `fetch` in the adapters' unit tests: records every request and answers from a
 * script, so that a test reads exactly what an adapter sent and decides exactly what it gets back.
 * A request beyond the script fails the test (an adapter that calls more than expected).
 */
export class ScriptedFetch {
  readonly requests: RecordedRequest[] = [];
  private readonly answers: ScriptedAnswer[] = [];
  private original: typeof fetch | undefined;

  install(): void {
    this.requests.length = 0;
    this.answers.length = 0;
    this.original = globalThis.fetch;
    globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => this.respond(input, init);
  }

  restore(): void {
    if (this.original) globalThis.fetch = this.original;
  }

  answer(...answers: ScriptedAnswer[]): void {
    this.answers.push(...answers);
  }

  /** The only request sent, or the one at `index`. */
  request(index = 0): RecordedRequest {
    const request = this.requests[index];
    if (!request) throw new Error(`no request #${index} was sent (${this.requests.length} sent)`);
    return request;
  }

  /** The form or query parameters of a request, whichever it carried. */
  params(index = 0): Record<string, string> {
    const request = this.request(index);
    const form = request.headers.get('content-type')?.includes('x-www-form-urlencoded') ? new URLSearchParams(request.body) : new URLSearchParams();
    return Object.fromEntries([...request.url.searchParams, ...form]);
  }

  private async respond(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    this.requests.push({ method: init?.method ?? 'GET', url, headers: new Headers(init?.headers), body: typeof init?.body === 'string' ? init.body : '' });
    const answer = this.answers.shift();
    if (!answer) throw new Error(`unscripted request: ${init?.method ?? 'GET'} ${url.origin}${url.pathname}`);
    const body = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? null);
    const contentType = answer.json !== undefined ? 'application/json' : (answer.contentType ?? 'text/html');
    return new Response(body, { status: answer.status ?? 200, headers: { ...(body === null ? {} : { 'content-type': contentType }), ...answer.headers } });
  }
}
