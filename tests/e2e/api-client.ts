/** A thin client of the gateway's REST API, as the dashboard would use it. */
export class ApiClient {
  private token = '';

  constructor(private readonly baseUrl: string) {}

  async login(email: string, password: string): Promise<void> {
    const { body } = await this.call<{ accessToken: string }>('POST', '/api/auth/login', { email, password }, 200);
    this.token = body.accessToken;
  }

  async call<T>(method: string, path: string, body?: unknown, expectStatus?: number): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
    if (expectStatus !== undefined && response.status !== expectStatus) {
      throw new Error(`${method} ${path}: expected ${expectStatus}, got ${response.status}: ${text.slice(0, 500)}`);
    }
    return { status: response.status, body: parsed };
  }

  async download(path: string, file: string): Promise<void> {
    const { writeFile } = await import('node:fs/promises');
    const response = await fetch(`${this.baseUrl}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    await writeFile(file, Buffer.from(await response.arrayBuffer()));
  }
}
