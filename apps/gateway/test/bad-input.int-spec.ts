import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import pg from 'pg';
import { serviceNameSchema, servicePing } from '@streamcaster/contracts';
import { attachBus, BusClient } from '@streamcaster/service-kit';
import { nginxRtmpProcess } from '@streamcaster/stack';
import { SupervisedProcess } from '@streamcaster/supervisor';
import { createTestEnvironment, freePort, type TestEnvironment, waitFor } from '@streamcaster/testing';
import { GatewayModule } from '../src/app.module.js';
import { loadGatewayConfig } from '../src/config/gateway.config.js';

/**
 * Hostile and unlucky callers of the gateway: malformed ids, traversal, unknown routes, owners that
 * are down, and the health endpoints, first with the gateway alone, then with the real publisher,
 * transcoder and recorder (the compiled services, as child processes) and a real nginx-rtmp.
 */

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const ADMIN_EMAIL = 'admin@club.example';
const ADMIN_PASSWORD = 'correct horse battery staple';
const BUS_SERVICES = ['publisher', 'transcoder', 'recorder', 'stats'] as const;

let env: TestEnvironment;
let app: NestExpressApplication;
let baseUrl: string;
let adminToken: string;
let rtmpPort: number;
let rtmpStatPort: number;
let nginx: SupervisedProcess | undefined;
const services = new Map<string, SupervisedProcess>();
const serviceOutput = new Map<string, string[]>();

/** The gateway's log, kept to check what it says about a failure (warn) and that nothing was a 500 (error). */
const logged = { warn: [] as string[], error: [] as string[] };
const captureLogger: LoggerService = {
  log: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
  warn: (message: unknown, context?: unknown) => void logged.warn.push(`${String(context)}: ${String(message)}`),
  error: (message: unknown, ...rest: unknown[]) => void logged.error.push([message, ...rest].map(String).join(' ')),
};

interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * One request exactly as written: node:http sends the path untouched, where fetch would resolve
 * `..` segments and re-encode what it does not like before the gateway ever saw them.
 */
function send(method: string, path: string, options: { token?: string; json?: unknown } = {}): Promise<ApiResponse> {
  const url = new URL(baseUrl);
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: url.hostname, port: url.port, method, path, headers, timeout: 15_000 }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        const json = (response.headers['content-type'] ?? '').includes('application/json') && text !== '';
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: json ? JSON.parse(text) : text });
      });
    });
    request.on('timeout', () => request.destroy(new Error(`${method} ${path.slice(0, 80)} got no answer in 15 s`)));
    request.on('error', reject);
    request.end(body);
  });
}

const admin = (method: string, path: string, json?: unknown) => send(method, path, { token: adminToken, json });

function assertError(response: ApiResponse, status: number, message: string | RegExp, what = ''): void {
  assert.equal(response.status, status, `${what}: status of ${JSON.stringify(response.body)}`);
  const body = response.body as { statusCode: number; message: string };
  assert.deepEqual(Object.keys(body).sort(), ['message', 'statusCode'], `${what}: ${JSON.stringify(body)}`);
  assert.equal(body.statusCode, status, what);
  if (typeof message === 'string') assert.equal(body.message, message, what);
  else assert.match(body.message, message, what);
}

/** Boots a gateway as apps/gateway/src/main.ts does (and gateway.int-spec.ts); resolves with its base URL. */
async function startGateway(overrides: Record<string, string> = {}): Promise<{ gateway: NestExpressApplication; url: string }> {
  const port = await freePort();
  const config = loadGatewayConfig({
    ...env.env,
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(port),
    STREAMCASTER_ADMIN_EMAIL: ADMIN_EMAIL,
    STREAMCASTER_ADMIN_PASSWORD: ADMIN_PASSWORD,
    RTMP_STAT_URL: `http://127.0.0.1:${rtmpStatPort}/stat`,
    ...overrides,
  });
  const gateway = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config), { bodyParser: true });
  gateway.setGlobalPrefix('api');
  gateway.set('trust proxy', false);
  const document = SwaggerModule.createDocument(gateway, new DocumentBuilder().setTitle('StreamCaster API').setVersion('1').addBearerAuth().build());
  SwaggerModule.setup('api/docs', gateway, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  await attachBus(gateway, 'gateway', config);
  await gateway.listen(config.port, config.host);
  return { gateway, url: `http://127.0.0.1:${port}` };
}

/** A compiled service as `npm start` runs it, in this test's environment. */
async function startService(name: (typeof BUS_SERVICES)[number]): Promise<void> {
  const lines: string[] = [];
  serviceOutput.set(name, lines);
  const service = new SupervisedProcess({
    name,
    command: process.execPath,
    args: [join(ROOT, 'dist/apps', name, 'src/main.js')],
    cwd: ROOT,
    env: {
      ...process.env,
      ...env.env,
      NO_COLOR: '1',
      RTMP_INTERNAL_URL: `rtmp://127.0.0.1:${rtmpPort}`,
      RTMP_STAT_URL: `http://127.0.0.1:${rtmpStatPort}/stat`,
      // The encoder probe of a GPU machine is not what this test is about.
      TRANSCODER_ENCODER: 'libx264',
    },
    restart: 'never',
    readiness: { kind: 'line', pattern: new RegExp(`${name} is ready`) },
    readyTimeoutMs: 60_000,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
  });
  service.on('line', (_stream, line) => lines.push(line));
  services.set(name, service);
  try {
    await service.start();
  } catch (error) {
    throw new Error(`${name} did not start: ${(error as Error).message}\n${lines.slice(-30).join('\n')}`);
  }
}

async function readiness(): Promise<ApiResponse> {
  return send('GET', '/api/health/ready');
}

before(async () => {
  Logger.overrideLogger(captureLogger);
  env = await createTestEnvironment('badinput');
  rtmpPort = await freePort();
  rtmpStatPort = await freePort();
  ({ gateway: app, url: baseUrl } = await startGateway());
  const login = await send('POST', '/api/auth/login', { json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  adminToken = (login.body as { accessToken: string }).accessToken;
});

after(async () => {
  await Promise.all([...services.values()].map((service) => service.stop()));
  await nginx?.stop();
  await app?.close();
  await env?.dispose();
});

describe('gateway alone', () => {
  it('GET /api/health answers 200 { status: "ok" } without a token, never cached', async () => {
    const response = await send('GET', '/api/health');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { status: 'ok' });
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  it('GET /api/health/ready answers 503 naming nginx-rtmp and every service, and what does answer', async () => {
    const response = await readiness();
    assert.equal(response.status, 503);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.deepEqual(response.body, {
      statusCode: 503,
      status: 'not ready',
      checks: {
        postgres: 'ok',
        redis: 'ok',
        nats: 'ok',
        'nginx-rtmp': 'not answering',
        publisher: 'not answering',
        transcoder: 'not answering',
        recorder: 'not answering',
        stats: 'not answering',
      },
      message: 'not ready: nginx-rtmp, publisher, transcoder, recorder, stats',
    });
    // The reasons are for the operator, in the log.
    assert.ok(logged.warn.includes(`Readiness: nginx-rtmp is not answering: http://127.0.0.1:${rtmpStatPort}/stat: ECONNREFUSED`), logged.warn.join('\n'));
    assert.ok(logged.warn.includes('Readiness: publisher is not answering: health.publisher.ping.v1: no publisher is subscribed (no responders)'), logged.warn.join('\n'));
  });

  it('answers concurrent readiness probes alike (they share one run of the checks)', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => readiness()));
    for (const answer of answers) {
      assert.equal(answer.status, 503);
      assert.equal((answer.body as { message: string }).message, 'not ready: nginx-rtmp, publisher, transcoder, recorder, stats');
    }
  });

  it('answers every route whose owner is down with 503 naming the owner, never the bus\'s text', async () => {
    const id = randomUUID();
    const destination = { environment: 'live', platform: 'rtmp', name: 'YouTube', url: 'rtmps://a.rtmp.youtube.com/live2', streamKey: 'abcd-efgh' };
    const routes: Array<[string, string, unknown, string]> = [
      ['GET', '/api/branding', undefined, 'publisher'],
      ['PUT', '/api/branding', { organizationName: 'Club Nimbus' }, 'publisher'],
      ['GET', '/api/destinations?environment=live', undefined, 'publisher'],
      ['POST', '/api/destinations', destination, 'publisher'],
      ['PATCH', `/api/destinations/${id}`, { enabled: false }, 'publisher'],
      ['DELETE', `/api/destinations/${id}`, undefined, 'publisher'],
      ['GET', '/api/broadcasts', undefined, 'publisher'],
      ['GET', `/api/broadcasts/${id}`, undefined, 'publisher'],
      ['POST', `/api/broadcasts/${id}/stop`, undefined, 'publisher'],
      ['GET', '/api/recordings', undefined, 'recorder'],
      ['GET', `/api/recordings/${id}`, undefined, 'recorder'],
      ['GET', `/api/recordings/${id}/file`, undefined, 'recorder'],
    ];
    const warnedBefore = logged.warn.length;
    for (const [method, path, json, owner] of routes) {
      const response = await admin(method, path, json);
      assertError(response, 503, `the ${owner} service is not available`, `${method} ${path}`);
    }
    // The technical cause goes to the gateway's log, at warn, with the subject.
    const warnings = logged.warn.slice(warnedBefore);
    assert.ok(
      warnings.includes('HTTP: the publisher service is not available (destinations.create.v1: no publisher is subscribed (no responders))'),
      warnings.join('\n'),
    );
    assert.ok(warnings.includes('HTTP: the recorder service is not available (recordings.locate-file.v1: no recorder is subscribed (no responders))'), warnings.join('\n'));
  });
});

describe('malformed ids and traversal', () => {
  /** Every documented operation with an {id} in its path, from the gateway's own OpenAPI document. */
  async function routesWithId(): Promise<Array<{ method: string; path: string }>> {
    const document = await send('GET', '/api/docs/openapi.json');
    const paths = (document.body as { paths: Record<string, Record<string, unknown>> }).paths;
    return Object.entries(paths)
      .filter(([path]) => path.includes('{id}'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
  }

  /** A body each route with one would accept, so that only the id can be what is refused. */
  const BODY: Record<string, unknown> = {
    'PATCH /api/users/{id}': { disabled: false },
    'PATCH /api/broadcasts/{id}': { title: 'Any title' },
    'POST /api/broadcasts/{id}/now-playing': { title: 'Any track' },
    'PATCH /api/destinations/{id}': { enabled: false },
    'POST /api/platform-accounts/{id}/page': { pageId: '20000000001' },
  };

  it('refuses a malformed id on every route that takes one with 400, before anything is forwarded', async () => {
    const routes = await routesWithId();
    const seen = routes.map((route) => `${route.method} ${route.path}`);
    for (const expected of ['GET /api/broadcasts/{id}', 'POST /api/broadcasts/{id}/stop', 'PATCH /api/destinations/{id}', 'DELETE /api/destinations/{id}', 'GET /api/recordings/{id}', 'GET /api/recordings/{id}/file', 'POST /api/djs/{id}/rotate-key']) {
      assert.ok(seen.includes(expected), `${expected} is not among the documented routes: ${seen.join(', ')}`);
    }
    // Up to 15 000 characters: beyond Node's 16 KiB header limit its HTTP parser answers 431 and closes.
    const malformed = ['not-a-uuid', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..%2F..%2Fetc%2Fpasswd', '%00', `${randomUUID()}%00`, `${randomUUID()}%2F..`, '%20', 'a'.repeat(15_000)];
    for (const { method, path } of routes) {
      for (const id of malformed) {
        const body = BODY[`${method} ${path}`];
        const response = await admin(method, path.replace('{id}', id), body);
        // The owners are down: a 503 here would mean the id went onto the bus.
        assertError(response, 400, /uuid/i, `${method} ${path} with ${id.slice(0, 50)}`);
      }
    }
  });

  it('names the id and quotes what came, escaped and shortened', async () => {
    const uuid = randomUUID();
    const cases: Array<[string, string, string]> = [
      ['GET', '/api/broadcasts/not-a-uuid', 'broadcast id must be a UUID, got "not-a-uuid"'],
      ['POST', '/api/broadcasts/..%2F..%2Fetc%2Fpasswd/stop', 'broadcast id must be a UUID, got "../../etc/passwd"'],
      ['DELETE', '/api/destinations/%2e%2e', 'destination id must be a UUID, got ".."'],
      ['GET', '/api/recordings/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd/file', 'recording id must be a UUID, got "../../../etc/passwd"'],
      ['GET', `/api/recordings/${uuid}%00/file`, `recording id must be a UUID, got ${JSON.stringify(`${uuid}\u0000`)}`],
      ['GET', `/api/recordings/${uuid}%2F..%2F..%2Fsecret/file`, `recording id must be a UUID, got ${JSON.stringify(`${uuid}/../`)}… (${`${uuid}/../../secret`.length} characters)`],
      ['GET', `/api/broadcasts/${'a'.repeat(5_000)}`, `broadcast id must be a UUID, got "${'a'.repeat(40)}"… (5000 characters)`],
    ];
    for (const [method, path, message] of cases) assertError(await admin(method, path), 400, message, `${method} ${path.slice(0, 60)}`);
  });

  it('answers a percent-encoding that decodes to nothing with 400 naming it', async () => {
    assertError(await admin('GET', '/api/broadcasts/%E0%A4%A'), 400, "Failed to decode param '%E0%A4%A'");
    assertError(await admin('GET', '/api/recordings/%/file'), 400, "Failed to decode param '%'");
  });

  it('answers plain `..` segments with 404: no route matches them and nothing is resolved against the disk', async () => {
    for (const path of ['/api/recordings/../../etc/passwd', '/api/recordings/x/../../../etc/passwd/file', '/api/health/../../../../etc/passwd', '/api/docs/../../../etc/passwd']) {
      assertError(await admin('GET', path), 404, `Cannot GET ${path}`, path);
    }
  });
});

describe('unknown routes', () => {
  it('answer 404 JSON naming the method and path below /api, with and without a token', async () => {
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['GET', '/api'],
      ['DELETE', '/api/branding'],
      ['GET', '/api/broadcasts/x/y/z'],
      ['POST', '/api/health'],
    ] as const) {
      assertError(await send(method, path), 404, `Cannot ${method} ${path}`, `${method} ${path}`);
      assertError(await admin(method, path), 404, `Cannot ${method} ${path}`, `${method} ${path} with a token`);
    }
  });

  it('answer 404 outside /api too (Express\'s page: that space is the dashboard\'s), without a stack trace', async () => {
    for (const path of ['/', '/nope', '/apix', '/../../etc/passwd']) {
      const response = await send('GET', path);
      assert.equal(response.status, 404, path);
      assert.ok(!String(response.body).includes(' at '), `${path}: ${String(response.body)}`);
    }
  });
});

describe('gateway with nginx-rtmp and every service running', () => {
  let database: pg.Client;

  before(async () => {
    nginx = nginxRtmpProcess({
      root: ROOT,
      runDir: join(env.dataDir, 'nginx-rtmp'),
      logDir: join(env.dataDir, 'logs'),
      rtmpPort,
      statPort: rtmpStatPort,
      hookUrl: `${baseUrl}/api/hooks/nginx-rtmp`,
      hookSecret: env.env.INGEST_HOOKS_SECRET!,
      previewDir: join(env.dataDir, 'preview'),
    });
    await nginx.start();
    await Promise.all(BUS_SERVICES.map((name) => startService(name)));
    database = new pg.Client({ connectionString: env.databaseUrl });
    await database.connect();
  });

  after(async () => {
    await database?.end();
  });

  it('GET /api/health/ready turns 200 with every check ok', async () => {
    const ready = await waitFor('the readiness check to pass', async () => {
      const response = await readiness();
      return response.status === 200 ? response : undefined;
    }, 30_000);
    assert.deepEqual(ready.body, {
      status: 'ready',
      checks: { postgres: 'ok', redis: 'ok', nats: 'ok', 'nginx-rtmp': 'ok', publisher: 'ok', transcoder: 'ok', recorder: 'ok', stats: 'ok' },
    });
  });

  it('each service answers its own ping subject, from its own process', async () => {
    const bus = new BusClient('test', env.subjectPrefix, env.natsUrl);
    await bus.connect();
    try {
      for (const service of serviceNameSchema.options) {
        const answer = await bus.request(servicePing(service), {}, 2_000);
        assert.equal(answer.service, service);
        const pid = service === 'gateway' ? process.pid : services.get(service)?.pid;
        assert.equal(answer.instance, `${hostname()}:${pid}`, `${service} answered from another process`);
        assert.ok(Date.parse(answer.startedAt) <= Date.now());
      }
    } finally {
      await bus.close();
    }
  });

  describe('recording files from the shared volume, as the real recorder locates them', () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, index) => index % 251));

    /** A recording row as the recorder keeps it; the recorder answers LocateRecordingFile from it. */
    async function recording(state: 'ready' | 'failed', filePath: string | null): Promise<string> {
      const row = await database.query<{ id: string }>(
        `INSERT INTO recorder.recordings (broadcast_id, state, directory, file_path, size_bytes, started_at, finalized_at)
         VALUES ($1, $2, $3, $4, $5, now(), now()) RETURNING id`,
        [randomUUID(), state, 'somewhere', filePath, bytes.length],
      );
      return row.rows[0]!.id;
    }

    const file = (id: string, headers: Record<string, string> = {}) =>
      fetch(`${baseUrl}/api/recordings/${id}/file`, { headers: { authorization: `Bearer ${adminToken}`, ...headers }, signal: AbortSignal.timeout(15_000) });

    async function assertFileError(id: string, status: number, message: string, headers: Record<string, string> = {}): Promise<Response> {
      const response = await file(id, headers);
      const body = (await response.json()) as unknown;
      assert.equal(response.status, status, JSON.stringify(body));
      assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.deepEqual(body, { statusCode: status, message });
      return response;
    }

    it('serves a ready recording whole and by range', async () => {
      const broadcastDir = randomUUID();
      await mkdir(join(env.dataDir, 'recordings', broadcastDir), { recursive: true });
      await writeFile(join(env.dataDir, 'recordings', broadcastDir, 'recording.mp4'), bytes);
      const id = await recording('ready', `${broadcastDir}/recording.mp4`);
      const whole = await file(id);
      assert.equal(whole.status, 200);
      assert.equal(whole.headers.get('content-type'), 'video/mp4');
      assert.deepEqual(Buffer.from(await whole.arrayBuffer()), bytes);
      const part = await file(id, { range: 'bytes=100-199' });
      assert.equal(part.status, 206);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
    });

    it('refuses a path that leaves the volume, by name or through a symbolic link, with 404', async () => {
      const warnedBefore = logged.warn.length;
      const escaping = await recording('ready', '../../../../../../etc/passwd');
      await assertFileError(escaping, 404, `recording ${escaping} has no file on the recordings volume`);
      const absolute = await recording('ready', '/etc/passwd');
      await assertFileError(absolute, 404, `recording ${absolute} has no file on the recordings volume`);
      const sibling = await recording('ready', '../assets/x.png');
      await mkdir(join(env.dataDir, 'assets'), { recursive: true });
      await writeFile(join(env.dataDir, 'assets', 'x.png'), 'not a recording');
      await assertFileError(sibling, 404, `recording ${sibling} has no file on the recordings volume`);

      const linkDir = randomUUID();
      await mkdir(join(env.dataDir, 'recordings', linkDir), { recursive: true });
      await symlink('/etc/passwd', join(env.dataDir, 'recordings', linkDir, 'recording.mp4'));
      const linked = await recording('ready', `${linkDir}/recording.mp4`);
      await assertFileError(linked, 404, `recording ${linked} has no file on the recordings volume`);

      // Why, for the operator: the recorder's answer is suspicious, not the caller's request.
      const warnings = logged.warn.slice(warnedBefore).join('\n');
      assert.match(warnings, new RegExp(`recording ${escaping}: refused to serve "\\.\\./\\.\\./\\.\\./\\.\\./\\.\\./\\.\\./etc/passwd": recording path escapes the volume`));
      assert.match(warnings, new RegExp(`recording ${linked}: refused to serve .*: it leads to /etc/passwd, outside `));
    });

    it('answers a ready recording whose file is gone with 404, and a range beyond its end with 416', async () => {
      const gone = await recording('ready', `${randomUUID()}/recording.mp4`);
      await assertFileError(gone, 404, `the file of recording ${gone} is missing from the recordings volume`);

      const broadcastDir = randomUUID();
      await mkdir(join(env.dataDir, 'recordings', broadcastDir), { recursive: true });
      await writeFile(join(env.dataDir, 'recordings', broadcastDir, 'recording.mp4'), bytes);
      const id = await recording('ready', `${broadcastDir}/recording.mp4`);
      const beyond = await assertFileError(id, 416, 'range not satisfiable: the file has 4096 bytes', { range: 'bytes=5000-6000' });
      assert.equal(beyond.headers.get('content-range'), 'bytes */4096');
      assert.equal(beyond.headers.get('last-modified'), null, 'no header of the file goes out with the error');
      assert.equal(beyond.headers.get('accept-ranges'), null, 'no header of the file goes out with the error');
    });

    it('passes on the recorder\'s own answers: 404 for an unknown recording, 409 for one without a file', async () => {
      const unknown = randomUUID();
      assertError(await admin('GET', `/api/recordings/${unknown}/file`), 404, `no recording with id ${unknown}`);
      const failed = await recording('failed', null);
      assertError(await admin('GET', `/api/recordings/${failed}/file`), 409, `recording ${failed} is failed; its file is not ready`);
    });
  });

  it('names Redis when it does not answer (a gateway given a Redis address where nothing listens)', async () => {
    const deadRedis = await freePort();
    const { gateway, url } = await startGateway({ REDIS_URL: `redis://127.0.0.1:${deadRedis}` });
    try {
      const response = await fetch(`${url}/api/health/ready`, { signal: AbortSignal.timeout(15_000) });
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), {
        statusCode: 503,
        status: 'not ready',
        checks: { postgres: 'ok', redis: 'not answering', nats: 'ok', 'nginx-rtmp': 'ok', publisher: 'ok', transcoder: 'ok', recorder: 'ok', stats: 'ok' },
        message: 'not ready: redis',
      });
      assert.ok(logged.warn.some((line) => line.startsWith('Readiness: redis is not answering: ') && line.includes(String(deadRedis))), logged.warn.join('\n'));
    } finally {
      await gateway.close();
    }
  });

  it('names a service that stops: readiness 503 naming it, and its routes 503 naming it', async () => {
    await services.get('publisher')!.stop();
    const response = await waitFor('the readiness check to miss the publisher', async () => {
      const answer = await readiness();
      return answer.status === 503 ? answer : undefined;
    });
    assert.deepEqual(response.body, {
      statusCode: 503,
      status: 'not ready',
      checks: { postgres: 'ok', redis: 'ok', nats: 'ok', 'nginx-rtmp': 'ok', publisher: 'not answering', transcoder: 'ok', recorder: 'ok', stats: 'ok' },
      message: 'not ready: publisher',
    });
    assertError(await admin('GET', '/api/destinations'), 503, 'the publisher service is not available');
    assert.equal((await admin('GET', '/api/recordings')).status, 200, 'the recorder still answers');
  });

  it('logged no error: nothing above was a 500', () => {
    assert.deepEqual(logged.error, []);
  });
});
