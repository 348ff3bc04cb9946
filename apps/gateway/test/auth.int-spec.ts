import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type BroadcastView, type RecordingView } from '@streamcaster/contracts';
import { attachBus, CONSOLE_ONLY_MARKER } from '@streamcaster/service-kit';
import { SupervisedProcess } from '@streamcaster/supervisor';
import { createTestEnvironment, freePort, LifecyclePublisher, type TestEnvironment, waitFor } from '@streamcaster/testing';
import { GatewayModule } from '../src/app.module.js';
import type { GatewayConfig } from '../src/config/gateway.config.js';
import { assertApiError } from './api-client.js';
import { putOnAir, testGatewayConfig } from './gateway-fixtures.js';

const ADMIN_EMAIL = 'chief@club.example';
const ADMIN_PASSWORD = 'the chief knows this one';
const PUBLIC_RTMP_URL = 'rtmp://ingest.club.example:1935';
const REFRESH_COOKIE = 'streamcaster_refresh';

let env: TestEnvironment;
let app: NestExpressApplication;
let baseUrl: string;
let adminToken: string;
let database: pg.Client;
const services: SupervisedProcess[] = [];
const serviceOutput: string[] = [];

/** Boots the gateway as apps/gateway/src/main.ts does. */
async function startGateway(config: GatewayConfig): Promise<NestExpressApplication> {
  const gateway = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config), { bodyParser: true });
  gateway.setGlobalPrefix('api');
  gateway.set('trust proxy', false);
  const document = SwaggerModule.createDocument(gateway, new DocumentBuilder().setTitle('StreamCaster API').setVersion('1').addBearerAuth().build());
  SwaggerModule.setup('api/docs', gateway, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  await attachBus(gateway, 'gateway', config);
  await gateway.listen(config.port, config.host);
  return gateway;
}

const gatewayConfig = (environment: TestEnvironment, overrides: Record<string, string | undefined> = {}): Promise<GatewayConfig> =>
  testGatewayConfig(environment, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { PUBLIC_RTMP_URL, ...overrides });

/** The real publisher or recorder, as `npm start` runs them, in this test's environment. */
async function startService(name: 'publisher' | 'recorder', extraEnv: Record<string, string>): Promise<void> {
  const service = new SupervisedProcess({
    name,
    command: process.execPath,
    args: [resolve('dist/apps', name, 'src/main.js')],
    env: { ...process.env, ...env.env, ...extraEnv, NO_COLOR: '1' },
    restart: 'never',
    readiness: { kind: 'line', pattern: new RegExp(`${name} is ready`) },
    readyTimeoutMs: 60_000,
    stopTimeoutMs: 10_000,
  });
  service.on('line', (_stream, line) => serviceOutput.push(`${name}: ${line}`));
  services.push(service);
  await service.start();
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** The Set-Cookie line of the refresh cookie, if the response set one. */
  refreshCookieLine?: string;
  /** Its value. */
  refreshCookie?: string;
}

interface CallOptions {
  token?: string;
  json?: unknown;
  /** A refresh token to send in the Cookie header. */
  cookie?: string;
  /** The local address to call from (any of 127.0.0.0/8), for the per-address limits. */
  from?: string;
  headers?: Record<string, string>;
  base?: string;
}

/** HTTP with a chosen source address (fetch cannot pick one) and the cookies visible. */
function call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const url = new URL(path, options.base ?? baseUrl);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie !== undefined) headers.cookie = `${REFRESH_COOKIE}=${options.cookie}`;
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolvePromise, reject) => {
    const request = httpRequest(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, headers, localAddress: options.from ?? '127.0.0.1', timeout: 20_000 },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const refreshCookieLine = (response.headers['set-cookie'] ?? []).find((line) => line.startsWith(`${REFRESH_COOKIE}=`));
          const refreshCookie = refreshCookieLine ? decodeURIComponent(refreshCookieLine.split(';')[0]!.slice(REFRESH_COOKIE.length + 1)) : undefined;
          const json = (response.headers['content-type'] ?? '').includes('application/json') && text !== '';
          resolvePromise({ status: response.statusCode ?? 0, headers: response.headers, body: json ? JSON.parse(text) : text, refreshCookieLine, refreshCookie });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
    request.on('error', reject);
    request.end(body);
  });
}

const assertError = assertApiError;

interface Session {
  accessToken: string;
  refreshCookie: string;
  user: { id: string; email: string; role: string; djId: string | null };
}

async function login(email: string, password: string, from?: string): Promise<Session> {
  const reply = await call('POST', '/api/auth/login', { json: { email, password }, from });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.ok(reply.refreshCookie, 'login sets the refresh cookie');
  return { ...(reply.body as Omit<Session, 'refreshCookie'>), refreshCookie: reply.refreshCookie };
}

interface CreatedUser {
  id: string;
  email: string;
  role: string;
  djId: string | null;
  disabled: boolean;
  createdAt: string;
  password?: string;
}

async function createUser(user: { email: string; role: string; djId?: string; password?: string }): Promise<CreatedUser> {
  const reply = await call('POST', '/api/users', { token: adminToken, json: user });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body as CreatedUser;
}

/** A user of that role, logged in. */
async function userWithRole(role: 'admin' | 'operator' | 'dj', djId?: string): Promise<Session & { password: string }> {
  const email = `${role}-${randomUUID().slice(0, 8)}@club.example`;
  const password = `${role} password ${randomUUID()}`;
  await createUser({ email, role, djId, password });
  return { ...(await login(email, password)), password };
}

async function createDj(name: string): Promise<{ id: string; name: string; streamKey: string; ingest: { live: string; test: string } }> {
  const reply = await call('POST', '/api/djs', { token: adminToken, json: { name } });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body as { id: string; name: string; streamKey: string; ingest: { live: string; test: string } };
}

function claimsOf(accessToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

before(async () => {
  Logger.overrideLogger(['error']);
  env = await createTestEnvironment('gatewayauth');
  const config = await gatewayConfig(env, { INGEST_ATTACH_TIMEOUT_MS: '200' });
  app = await startGateway(config);
  baseUrl = `http://127.0.0.1:${config.port}`;
  adminToken = (await login(ADMIN_EMAIL, ADMIN_PASSWORD)).accessToken;
  database = new pg.Client({ connectionString: env.databaseUrl });
  await database.connect();
});

after(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await database?.end();
  await app?.close();
  await env?.dispose();
});

describe('users', () => {
  it('never removes, disables or demotes the last enabled admin', async () => {
    const adminId = claimsOf(adminToken).sub as string;
    assertError(await call('PATCH', `/api/users/${adminId}`, { token: adminToken, json: { role: 'operator' } }), 409, `${ADMIN_EMAIL} is the last enabled admin; make another user admin first`);
    assertError(await call('PATCH', `/api/users/${adminId}`, { token: adminToken, json: { disabled: true } }), 409, `${ADMIN_EMAIL} is the last enabled admin; make another user admin first`);
    assertError(await call('DELETE', `/api/users/${adminId}`, { token: adminToken }), 409, `${ADMIN_EMAIL} is the last enabled admin and cannot be deleted`);

    // A disabled admin does not count: the first is still the last enabled one.
    const second = await createUser({ email: 'second.admin@club.example', role: 'admin', password: 'second admin password' });
    assert.equal((await call('PATCH', `/api/users/${second.id}`, { token: adminToken, json: { disabled: true } })).status, 200);
    assertError(await call('PATCH', `/api/users/${adminId}`, { token: adminToken, json: { role: 'operator' } }), 409, /last enabled admin/);
    assert.equal((await call('PATCH', `/api/users/${second.id}`, { token: adminToken, json: { disabled: false } })).status, 200);
    const demoted = await call('PATCH', `/api/users/${second.id}`, { token: adminToken, json: { role: 'operator' } });
    assert.equal(demoted.status, 200);
    assert.equal((demoted.body as CreatedUser).role, 'operator');
    assert.deepEqual((await call('DELETE', `/api/users/${second.id}`, { token: adminToken })).body, { id: second.id });
    const users = (await call('GET', '/api/users', { token: adminToken })).body as CreatedUser[];
    assert.deepEqual(users.map((user) => user.email), [ADMIN_EMAIL]);
  });

  it('lets two admins demoting each other at once leave one admin, not none', async () => {
    const adminId = claimsOf(adminToken).sub as string;
    const other = await userWithRole('admin');
    const [demoteFirst, demoteOther] = await Promise.all([
      call('PATCH', `/api/users/${adminId}`, { token: other.accessToken, json: { role: 'operator' } }),
      call('PATCH', `/api/users/${other.user.id}`, { token: adminToken, json: { role: 'operator' } }),
    ]);
    // One wins. The other is refused: 409 when its check ran under the lock, or 403 when its caller
    // had already lost the admin role by the time its request was authorised.
    const outcome = `${JSON.stringify(demoteFirst.body)} ${JSON.stringify(demoteOther.body)}`;
    assert.equal([demoteFirst, demoteOther].filter((reply) => reply.status === 200).length, 1, outcome);
    assert.ok([demoteFirst, demoteOther].some((reply) => reply.status === 409 || reply.status === 403), outcome);
    const admins = await database.query(`SELECT 1 FROM gateway.users WHERE role = 'admin' AND NOT disabled`);
    assert.equal(admins.rowCount, 1, 'exactly one enabled admin is left');
    // Put things back: the first admin stays, the other goes.
    if (demoteFirst.status === 200) {
      assert.equal((await call('PATCH', `/api/users/${adminId}`, { token: other.accessToken, json: { role: 'admin' } })).status, 200);
    }
    assert.equal((await call('DELETE', `/api/users/${other.user.id}`, { token: adminToken })).status, 200);
  });

  it('creates a user with a generated password shown once, e-mail lowercased, stored as a scrypt hash', async () => {
    const reply = await call('POST', '/api/users', { token: adminToken, json: { email: 'Op.One@Club.Example', role: 'operator' } });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    const created = reply.body as CreatedUser;
    assert.deepEqual(Object.keys(created).sort(), ['createdAt', 'disabled', 'djId', 'email', 'id', 'password', 'role']);
    assert.equal(created.email, 'op.one@club.example');
    assert.equal(created.role, 'operator');
    assert.equal(created.djId, null);
    assert.equal(created.disabled, false);
    assert.match(created.password!, /^[A-Za-z0-9_-]{24}$/);

    const listed = ((await call('GET', '/api/users', { token: adminToken })).body as CreatedUser[]).find((user) => user.id === created.id);
    assert.deepEqual(Object.keys(listed!).sort(), ['createdAt', 'disabled', 'djId', 'email', 'id', 'role']);
    const row = (await database.query<{ email: string; password_hash: string }>('SELECT email, password_hash FROM gateway.users WHERE id = $1', [created.id])).rows[0]!;
    assert.equal(row.email, 'op.one@club.example');
    assert.match(row.password_hash, /^scrypt\$32768\$/);
    assert.ok(!row.password_hash.includes(created.password!));

    const session = await login('OP.ONE@club.example', created.password!);
    assert.equal(session.user.role, 'operator');

    const given = await createUser({ email: 'op.two@club.example', role: 'operator', password: 'a password of my own' });
    assert.equal('password' in given, false, 'a password that was given is not echoed');
    await login('op.two@club.example', 'a password of my own');
  });

  it('refuses a duplicate e-mail, a dj without its DJ, a DJ for another role and bad fields, each with its reason', async () => {
    const dj = await createDj('DJ Linked');
    const unknownDj = randomUUID();
    const refused = async (json: unknown, status: number, message: string | RegExp) =>
      assertError(await call('POST', '/api/users', { token: adminToken, json }), status, message);
    await refused({ email: 'OP.one@club.example', role: 'admin' }, 409, 'a user with e-mail op.one@club.example already exists');
    await refused({ email: 'dj.nobody@club.example', role: 'dj' }, 400, 'djId: a user with role dj needs the djId of its DJ');
    await refused({ email: 'dj.nobody@club.example', role: 'dj', djId: null }, 400, 'djId: a user with role dj needs the djId of its DJ');
    await refused({ email: 'dj.nobody@club.example', role: 'dj', djId: unknownDj }, 400, `djId: no DJ with id ${unknownDj}`);
    await refused({ email: 'dj.nobody@club.example', role: 'dj', djId: 'not-a-uuid' }, 400, 'djId: djId must be a UUID');
    await refused({ email: 'op.dj@club.example', role: 'operator', djId: dj.id }, 400, 'djId: only role dj is linked to a DJ, not role operator');
    await refused({ email: 'short@club.example', role: 'operator', password: 'too short' }, 400, 'password: must be at least 12 characters');
    await refused({ email: 'not an address', role: 'operator' }, 400, 'email: email must be an e-mail address');
    await refused({ email: 'root@club.example', role: 'root' }, 400, /^role: /);
    await refused({ email: 'extra@club.example', role: 'operator', disabled: true }, 400, /Unrecognized key.*disabled/);
    await refused({}, 400, 'request body is missing or empty');
    const users = (await call('GET', '/api/users', { token: adminToken })).body as CreatedUser[];
    assert.ok(!users.some((user) => ['dj.nobody@club.example', 'op.dj@club.example', 'short@club.example', 'root@club.example', 'extra@club.example'].includes(user.email)));
  });

  it('changes role, DJ link and disabled, keeping role dj and its DJ together', async () => {
    const first = await createDj('DJ First');
    const second = await createDj('DJ Second');
    const user = await createUser({ email: 'dj.mover@club.example', role: 'dj', djId: first.id, password: 'dj mover password' });
    assert.equal(user.djId, first.id);
    const patch = (json: unknown) => call('PATCH', `/api/users/${user.id}`, { token: adminToken, json });

    const moved = await patch({ djId: second.id });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal((moved.body as CreatedUser).djId, second.id);
    const operator = await patch({ role: 'operator' });
    assert.deepEqual({ role: (operator.body as CreatedUser).role, djId: (operator.body as CreatedUser).djId }, { role: 'operator', djId: null });
    assertError(await patch({ role: 'dj' }), 400, 'djId: a user with role dj needs the djId of its DJ');
    assertError(await patch({ djId: first.id }), 400, 'djId: only role dj is linked to a DJ, not role operator');
    const unknownDj = randomUUID();
    assertError(await patch({ role: 'dj', djId: unknownDj }), 400, `djId: no DJ with id ${unknownDj}`);
    const back = await patch({ role: 'dj', djId: first.id });
    assert.equal((back.body as CreatedUser).djId, first.id);
    assertError(await patch({ djId: null }), 400, 'djId: a user with role dj needs the djId of its DJ');
    assertError(await patch({}), 400, 'request body is missing or empty');
    assertError(await patch({ email: 'new@club.example' }), 400, /Unrecognized key.*email/);
    assertError(await patch({ disabled: 'yes' }), 400, /^disabled: /);

    const unknown = randomUUID();
    assertError(await call('PATCH', `/api/users/${unknown}`, { token: adminToken, json: { disabled: true } }), 404, `no user with id ${unknown}`);
    assertError(await call('PATCH', '/api/users/not-a-uuid', { token: adminToken, json: { disabled: true } }), 400, /UUID/);
    assertError(await call('DELETE', `/api/users/${unknown}`, { token: adminToken }), 404, `no user with id ${unknown}`);
    assertError(await call('DELETE', '/api/users/..%2F..%2Fetc', { token: adminToken }), 400, /UUID/);

    const row = (await database.query<{ role: string; dj_id: string | null }>('SELECT role, dj_id FROM gateway.users WHERE id = $1', [user.id])).rows[0]!;
    assert.deepEqual(row, { role: 'dj', dj_id: first.id });
  });

  it('deletes a user: its access token stops working at once, its refresh tokens are gone', async () => {
    const doomed = await userWithRole('operator');
    assert.equal((await call('GET', '/api/auth/me', { token: doomed.accessToken })).status, 200);
    assert.deepEqual((await call('DELETE', `/api/users/${doomed.user.id}`, { token: adminToken })).body, { id: doomed.user.id });
    assertError(await call('GET', '/api/djs', { token: doomed.accessToken }), 401, 'authentication required: the user no longer exists');
    assertError(await call('POST', '/api/auth/refresh', { cookie: doomed.refreshCookie }), 401, 'authentication required: refresh token is unknown; log in again');
    assert.equal((await database.query('SELECT 1 FROM gateway.refresh_tokens WHERE user_id = $1', [doomed.user.id])).rowCount, 0);
  });

  it('applies a role change from the next request on', async () => {
    const promoted = await userWithRole('operator');
    assertError(await call('GET', '/api/users', { token: promoted.accessToken }), 403, 'role operator may not do this; needs admin');
    assert.equal((await call('PATCH', `/api/users/${promoted.user.id}`, { token: adminToken, json: { role: 'admin' } })).status, 200);
    assert.equal((await call('GET', '/api/users', { token: promoted.accessToken })).status, 200, 'the same token, now as admin');
    assert.equal((await call('PATCH', `/api/users/${promoted.user.id}`, { token: adminToken, json: { role: 'operator' } })).status, 200);
    assertError(await call('GET', '/api/users', { token: promoted.accessToken }), 403, 'role operator may not do this; needs admin');
  });
});

describe('a disabled user', () => {
  it('cannot log in or refresh, and its access tokens are refused at once; enabling it again needs a new login', async () => {
    const user = await userWithRole('operator');
    assert.equal((await call('PATCH', `/api/users/${user.user.id}`, { token: adminToken, json: { disabled: true } })).status, 200);
    assertError(await call('GET', '/api/djs', { token: user.accessToken }), 401, 'authentication required: the account is disabled');
    assertError(await call('POST', '/api/auth/refresh', { cookie: user.refreshCookie }), 401, 'authentication required: refresh token was revoked (account disabled); log in again');
    assertError(await call('POST', '/api/auth/login', { json: { email: user.user.email, password: user.password } }), 403, 'this account is disabled; ask an admin');
    assertError(await call('POST', '/api/auth/login', { json: { email: user.user.email, password: 'wrong password' } }), 401, 'e-mail or password is wrong');

    assert.equal((await call('PATCH', `/api/users/${user.user.id}`, { token: adminToken, json: { disabled: false } })).status, 200);
    assertError(await call('POST', '/api/auth/refresh', { cookie: user.refreshCookie }), 401, /refresh token was revoked/);
    assertError(await call('GET', '/api/djs', { token: user.accessToken }), 401, /the session has ended/);
    const again = await login(user.user.email, user.password);
    assert.equal((await call('GET', '/api/djs', { token: again.accessToken })).status, 200);
  });
});

describe('roles on every route', () => {
  type Role = 'admin' | 'operator' | 'dj';
  const ALL: Role[] = ['admin', 'operator', 'dj'];
  /** Who may call each documented route; public ones (login, refresh, logout) take no bearer token. */
  const allowed: Record<string, Role[] | 'public'> = {
    'POST /api/auth/login': 'public',
    'POST /api/auth/refresh': 'public',
    'POST /api/auth/logout': 'public',
    'GET /api/health': 'public',
    'GET /api/health/ready': 'public',
    'POST /api/auth/password': ALL,
    'GET /api/auth/me': ALL,
    'POST /api/users': ['admin'],
    'GET /api/users': ['admin'],
    'PATCH /api/users/{id}': ['admin'],
    'DELETE /api/users/{id}': ['admin'],
    'POST /api/djs': ['admin'],
    'GET /api/djs': ALL,
    'GET /api/djs/{id}': ALL,
    'POST /api/djs/{id}/rotate-key': ['admin', 'dj'],
    'POST /api/destinations': ['admin'],
    'GET /api/destinations': ['admin', 'operator'],
    'PATCH /api/destinations/{id}': ['admin'],
    'DELETE /api/destinations/{id}': ['admin'],
    'GET /api/platforms': ['admin', 'operator'],
    'GET /api/platform-accounts': ['admin', 'operator'],
    'POST /api/platform-accounts': ['admin'],
    // The platform sends the browser back here: the signed, single-use state is the proof.
    'GET /api/platform-accounts/callback/{platform}': 'public',
    'POST /api/platform-accounts/{id}/page': ['admin'],
    'DELETE /api/platform-accounts/{id}': ['admin'],
    'GET /api/branding': ['admin', 'operator'],
    'PUT /api/branding': ['admin'],
    'PUT /api/branding/logo': ['admin'],
    'GET /api/branding/logo': ['admin', 'operator'],
    'GET /api/broadcasts': ALL,
    'GET /api/broadcasts/{id}': ALL,
    'POST /api/broadcasts/{id}/stop': ['admin', 'operator'],
    'PATCH /api/broadcasts/{id}': ['admin', 'operator'],
    'GET /api/broadcasts/{id}/stats': ALL,
    'POST /api/broadcasts/{id}/now-playing': ALL,
    'GET /api/broadcasts/{id}/tracks': ALL,
    'GET /api/broadcasts/{id}/preview/{file}': ALL,
    'GET /api/recordings': ALL,
    'GET /api/recordings/{id}': ALL,
    'GET /api/recordings/{id}/file': ALL,
    'POST /api/recordings/{id}/file-url': ALL,
  };

  it('lets each role reach exactly its routes: operators no users or secrets, DJs only their own things', async () => {
    const dj = await createDj('DJ Roles');
    const tokens: Record<Role, string> = {
      admin: adminToken,
      operator: (await userWithRole('operator')).accessToken,
      dj: (await userWithRole('dj', dj.id)).accessToken,
    };
    const document = (await call('GET', '/api/docs/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    assert.deepEqual(operations.filter((operation) => !(operation in allowed)), [], 'a documented route is missing from this table: decide who may call it');
    assert.deepEqual(Object.keys(allowed).filter((operation) => !operations.includes(operation)), [], 'the table names a route that does not exist');

    for (const operation of operations) {
      const roles = allowed[operation]!;
      if (roles === 'public') continue;
      const [method, path] = operation.split(' ') as [string, string];
      // Random ids and no body: an allowed call ends in 400 or 404, never changes anything.
      const concrete = path.replace(/\{[^}]+\}/g, randomUUID());
      for (const role of ALL) {
        const reply = await call(method, concrete, { token: tokens[role] });
        if (roles.includes(role)) {
          assert.notEqual(reply.status, 403, `${role} may ${operation}: ${JSON.stringify(reply.body)}`);
          assert.notEqual(reply.status, 401, `${role} on ${operation}: ${JSON.stringify(reply.body)}`);
        } else {
          assertError(reply, 403, `role ${role} may not do this; needs ${roles.join(' or ')}`);
        }
      }
    }
  });
});

describe('what a dj user sees (real publisher and recorder)', () => {
  let djA: Awaited<ReturnType<typeof createDj>>;
  let djB: Awaited<ReturnType<typeof createDj>>;
  let userA: Session;
  let operator: Session;
  let broadcastA: BroadcastView;
  let broadcastB: BroadcastView;
  let recordingA: RecordingView;
  let recordingB: RecordingView;

  before(async () => {
    // No nginx-rtmp: the recorder's ffmpeg finds nobody at this port and retries, which is all we need.
    const nowhere = `rtmp://127.0.0.1:${await freePort()}`;
    await Promise.all([startService('publisher', { RTMP_INTERNAL_URL: nowhere }), startService('recorder', { RTMP_INTERNAL_URL: nowhere })]);
    djA = await createDj('DJ Alpha');
    djB = await createDj('DJ Beta');
    userA = await userWithRole('dj', djA.id);
    operator = await userWithRole('operator');
    const lifecycle = await LifecyclePublisher.connect(env.natsUrl, env.subjectPrefix, 'gateway');
    try {
      [broadcastA, broadcastB] = (await putOnAir(lifecycle, [djA, djB], { base: baseUrl, token: adminToken })) as [BroadcastView, BroadcastView];
    } finally {
      await lifecycle.close();
    }
    const recordingOf = (broadcastId: string) =>
      waitFor(`the recording of ${broadcastId}`, async () => {
        const reply = await call('GET', '/api/recordings', { token: adminToken });
        return reply.status === 200 ? (reply.body as RecordingView[]).find((recording) => recording.broadcastId === broadcastId) : undefined;
      }, 30_000);
    [recordingA, recordingB] = await Promise.all([recordingOf(broadcastA.id), recordingOf(broadcastB.id)]);
  });

  after(async () => {
    // End both, so that the recorder stops retrying.
    for (const broadcast of [broadcastA, broadcastB]) {
      if (broadcast) await call('POST', `/api/broadcasts/${broadcast.id}/stop`, { token: adminToken });
    }
  });

  it('sees only its own DJ, with the ingest URLs for OBS, and rotates only its key', async () => {
    const own = await call('GET', '/api/djs', { token: userA.accessToken });
    assert.equal(own.status, 200);
    assert.deepEqual((own.body as Array<{ id: string }>).map((dj) => dj.id), [djA.id]);
    assert.deepEqual((own.body as Array<{ ingest: unknown }>)[0]!.ingest, { live: `${PUBLIC_RTMP_URL}/live`, test: `${PUBLIC_RTMP_URL}/test` });
    assert.deepEqual(djA.ingest, { live: `${PUBLIC_RTMP_URL}/live`, test: `${PUBLIC_RTMP_URL}/test` }, 'creating a DJ shows them too');
    const all = (await call('GET', '/api/djs', { token: operator.accessToken })).body as Array<{ id: string }>;
    assert.ok([djA.id, djB.id].every((id) => all.some((dj) => dj.id === id)), 'an operator sees every DJ');

    const single = await call('GET', `/api/djs/${djA.id}`, { token: userA.accessToken });
    assert.equal(single.status, 200);
    assert.deepEqual((single.body as { ingest: unknown }).ingest, { live: `${PUBLIC_RTMP_URL}/live`, test: `${PUBLIC_RTMP_URL}/test` });
    assertError(await call('GET', `/api/djs/${djB.id}`, { token: userA.accessToken }), 404, `no DJ with id ${djB.id}`);
    assert.equal((await call('GET', `/api/djs/${djB.id}`, { token: operator.accessToken })).status, 200);

    assertError(await call('POST', `/api/djs/${djB.id}/rotate-key`, { token: userA.accessToken }), 404, `no DJ with id ${djB.id}`);
    const rotated = await call('POST', `/api/djs/${djA.id}/rotate-key`, { token: userA.accessToken });
    assert.equal(rotated.status, 200);
    assert.match((rotated.body as { streamKey: string }).streamKey, /^sk_/);
    const row = (await database.query<{ stream_key_hash: string }>('SELECT stream_key_hash FROM gateway.djs WHERE id = $1', [djB.id])).rows[0]!;
    assert.equal(row.stream_key_hash, sha256(djB.streamKey), "the other DJ's key is untouched");
    assertError(await call('POST', `/api/djs/${djA.id}/rotate-key`, { token: operator.accessToken }), 403, 'role operator may not do this; needs admin or dj');
  });

  it("sees only its DJ's broadcasts; another DJ's answers 404 as if it did not exist", async () => {
    assert.equal(broadcastA.djId, djA.id);
    const own = (await call('GET', '/api/broadcasts', { token: userA.accessToken })).body as BroadcastView[];
    assert.deepEqual(own.map((broadcast) => broadcast.id), [broadcastA.id]);
    assert.deepEqual((await call('GET', '/api/broadcasts?environment=test', { token: userA.accessToken })).body, []);
    assert.equal((await call('GET', `/api/broadcasts/${broadcastA.id}`, { token: userA.accessToken })).status, 200);
    assertError(await call('GET', `/api/broadcasts/${broadcastB.id}`, { token: userA.accessToken }), 404, `no broadcast with id ${broadcastB.id}`);
    const unknown = randomUUID();
    assertError(await call('GET', `/api/broadcasts/${unknown}`, { token: userA.accessToken }), 404, `no broadcast with id ${unknown}`);
    assertError(await call('POST', `/api/broadcasts/${broadcastA.id}/stop`, { token: userA.accessToken }), 403, 'role dj may not do this; needs admin or operator');

    const seen = ((await call('GET', '/api/broadcasts', { token: operator.accessToken })).body as BroadcastView[]).map((broadcast) => broadcast.id);
    assert.ok(seen.includes(broadcastA.id) && seen.includes(broadcastB.id), 'an operator sees every broadcast');
    assert.equal((await call('GET', `/api/broadcasts/${broadcastB.id}`, { token: operator.accessToken })).status, 200);
  });

  it("tells what its own broadcast plays and reads its tracklist; another DJ's answers 404; a bad track gets a precise 400", async () => {
    const first = await call('POST', `/api/broadcasts/${broadcastA.id}/now-playing`, { token: userA.accessToken, json: { artist: 'Artist\u0007 A', title: 'Track\nOne\u001b[31m' } });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const track = first.body as { artist: string; title: string; source: string; startedAt: string };
    assert.deepEqual({ artist: track.artist, title: track.title, source: track.source }, { artist: 'Artist A', title: 'Track One [31m', source: 'api' });
    // The same track told again (DJ software repeats itself) starts no new one.
    const again = await call('POST', `/api/broadcasts/${broadcastA.id}/now-playing`, { token: userA.accessToken, json: { artist: 'Artist A', title: 'Track One [31m' } });
    assert.equal((again.body as { startedAt: string }).startedAt, track.startedAt);
    assert.equal((await call('POST', `/api/broadcasts/${broadcastA.id}/now-playing`, { token: operator.accessToken, json: { title: 'Track Two' } })).status, 201);
    const tracks = (await call('GET', `/api/broadcasts/${broadcastA.id}/tracks`, { token: userA.accessToken })).body as Array<{ artist: string | null; title: string }>;
    assert.deepEqual(tracks.map((entry) => [entry.artist, entry.title]), [['Artist A', 'Track One [31m'], [null, 'Track Two']]);
    const view = (await call('GET', `/api/broadcasts/${broadcastA.id}`, { token: userA.accessToken })).body as BroadcastView;
    assert.deepEqual({ artist: view.nowPlaying?.artist, title: view.nowPlaying?.title }, { artist: null, title: 'Track Two' });

    assertError(await call('POST', `/api/broadcasts/${broadcastB.id}/now-playing`, { token: userA.accessToken, json: { title: 'Not mine' } }), 404, `no broadcast with id ${broadcastB.id}`);
    assertError(await call('GET', `/api/broadcasts/${broadcastB.id}/tracks`, { token: userA.accessToken }), 404, `no broadcast with id ${broadcastB.id}`);
    const tell = (json: unknown) => call('POST', `/api/broadcasts/${broadcastA.id}/now-playing`, { token: adminToken, json });
    assertError(await tell({ title: 'x'.repeat(10_000) }), 400, 'title: title is longer than 300 characters');
    assertError(await tell({ title: ' \n\t ' }), 400, 'title: title must not be empty');
    assertError(await tell({ artist: 'y'.repeat(201), title: 'ok' }), 400, 'artist: artist is longer than 200 characters');
    assertError(await tell({ title: 42 }), 400, 'title: title must be a string');
    // Nothing of what was refused reached the tracklist.
    assert.equal(((await call('GET', `/api/broadcasts/${broadcastA.id}/tracks`, { token: adminToken })).body as unknown[]).length, 2);
  });

  it("sees only its DJ's recordings; another DJ's recording and its file answer 404", async () => {
    const own = (await call('GET', '/api/recordings', { token: userA.accessToken })).body as RecordingView[];
    assert.deepEqual(own.map((recording) => recording.id), [recordingA.id]);
    assert.equal((await call('GET', `/api/recordings/${recordingA.id}`, { token: userA.accessToken })).status, 200);
    assertError(await call('GET', `/api/recordings/${recordingB.id}`, { token: userA.accessToken }), 404, `no recording with id ${recordingB.id}`);
    assertError(await call('GET', `/api/recordings/${recordingB.id}/file`, { token: userA.accessToken }), 404, `no recording with id ${recordingB.id}`);
    const seen = ((await call('GET', '/api/recordings', { token: operator.accessToken })).body as RecordingView[]).map((recording) => recording.id);
    assert.ok(seen.includes(recordingA.id) && seen.includes(recordingB.id), 'an operator sees every recording');
    // A DJ with no broadcast sees no recording (an empty filter matches nothing).
    const lonely = await createDj('DJ Lonely');
    const lonelyUser = await userWithRole('dj', lonely.id);
    assert.deepEqual((await call('GET', '/api/recordings', { token: lonelyUser.accessToken })).body, []);
  });
});

describe('sessions', () => {
  it('hands out a 15-minute access token and an httpOnly, SameSite=Strict refresh cookie for /api/auth, stored only hashed', async () => {
    const reply = await call('POST', '/api/auth/login', { json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    assert.equal(reply.status, 200);
    const body = reply.body as { accessToken: string; expiresAt: string; user: Session['user'] };
    const claims = claimsOf(body.accessToken);
    assert.equal((claims.exp as number) - (claims.iat as number), 15 * 60);
    assert.equal(new Date(body.expiresAt).getTime(), (claims.exp as number) * 1000);
    assert.deepEqual({ role: claims.role, djId: claims.djId, email: claims.email }, { role: 'admin', djId: null, email: ADMIN_EMAIL });
    assert.deepEqual(body.user, { id: claims.sub, email: ADMIN_EMAIL, role: 'admin', djId: null });

    const attributes = reply.refreshCookieLine!.split(';').map((part) => part.trim());
    assert.ok(attributes.includes('HttpOnly'), reply.refreshCookieLine);
    assert.ok(attributes.includes('SameSite=Strict'), reply.refreshCookieLine);
    assert.ok(attributes.includes('Path=/api/auth'), reply.refreshCookieLine);
    assert.ok(attributes.includes(`Max-Age=${30 * 24 * 3600}`), reply.refreshCookieLine);
    assert.ok(!attributes.includes('Secure'), 'plain HTTP: a Secure cookie would never come back');
    assert.match(reply.refreshCookie!, /^rt_[A-Za-z0-9_-]{43}$/);

    const rows = (await database.query<Record<string, unknown>>('SELECT * FROM gateway.refresh_tokens WHERE family_id = $1', [claims.sid])).rows;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.token_hash, sha256(reply.refreshCookie!));
    assert.ok(!JSON.stringify(rows).includes(reply.refreshCookie!.slice(3)), 'the token itself is stored nowhere');

    const overTls = await call('POST', '/api/auth/login', { json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
    assert.ok(overTls.refreshCookieLine!.split(';').map((part) => part.trim()).includes('Secure'), 'behind a TLS proxy the cookie is Secure');
  });

  it('rotates the refresh token: a new access token and cookie, the old cookie refused from then on', async () => {
    const session = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const refreshed = await call('POST', '/api/auth/refresh', { cookie: session.refreshCookie });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const body = refreshed.body as { accessToken: string; user: Session['user'] };
    assert.deepEqual(Object.keys(body).sort(), ['accessToken', 'expiresAt', 'user']);
    assert.notEqual(refreshed.refreshCookie, session.refreshCookie);
    assert.equal(claimsOf(body.accessToken).sid, claimsOf(session.accessToken).sid, 'the same session goes on');
    assert.equal((await call('GET', '/api/auth/me', { token: body.accessToken })).status, 200);
    const again = await call('POST', '/api/auth/refresh', { cookie: refreshed.refreshCookie });
    assert.equal(again.status, 200, 'the new cookie works once, too');
  });

  it('treats a replayed refresh token as theft: the whole session is revoked, its access tokens too, other sessions stay', async () => {
    const stolen = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const elsewhere = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const legit = await call('POST', '/api/auth/refresh', { cookie: stolen.refreshCookie });
    assert.equal(legit.status, 200);
    const legitToken = (legit.body as { accessToken: string }).accessToken;

    assertError(await call('POST', '/api/auth/refresh', { cookie: stolen.refreshCookie }), 401, 'authentication required: refresh token was already used; the session is revoked, log in again');
    assertError(
      await call('POST', '/api/auth/refresh', { cookie: legit.refreshCookie }),
      401,
      'authentication required: refresh token was revoked (a used refresh token was presented again); log in again',
    );
    assertError(await call('GET', '/api/auth/me', { token: legitToken }), 401, 'authentication required: the session has ended (logged out, password changed or revoked); log in again');
    assertError(await call('GET', '/api/auth/me', { token: stolen.accessToken }), 401, /the session has ended/);

    assert.equal((await call('GET', '/api/auth/me', { token: elsewhere.accessToken })).status, 200, 'another login of the same user is untouched');
    assert.equal((await call('POST', '/api/auth/refresh', { cookie: elsewhere.refreshCookie })).status, 200);
  });

  it('refuses two refreshes with one token at once: one wins, then the session is revoked', async () => {
    const session = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const replies = await Promise.all([call('POST', '/api/auth/refresh', { cookie: session.refreshCookie }), call('POST', '/api/auth/refresh', { cookie: session.refreshCookie })]);
    assert.deepEqual(replies.map((reply) => reply.status).sort(), [200, 401]);
    const winner = replies.find((reply) => reply.status === 200)!;
    assertError(await call('POST', '/api/auth/refresh', { cookie: winner.refreshCookie }), 401, /refresh token was revoked/);
  });

  it('refuses a missing, malformed or unknown refresh token', async () => {
    assertError(await call('POST', '/api/auth/refresh'), 401, 'authentication required: no refresh token cookie; log in');
    assertError(await call('POST', '/api/auth/refresh', { cookie: 'rt_short' }), 401, 'authentication required: refresh token is malformed; log in again');
    assertError(await call('POST', '/api/auth/refresh', { cookie: `rt_${'A'.repeat(43)}` }), 401, 'authentication required: refresh token is unknown; log in again');
    // The access token is no refresh token, and a refresh token is no access token.
    const session = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    assertError(await call('POST', '/api/auth/refresh', { token: session.accessToken }), 401, /no refresh token cookie/);
    assertError(await call('GET', '/api/auth/me', { token: session.refreshCookie }), 401, 'authentication required: jwt malformed');
  });

  it('refuses an expired refresh token (REFRESH_TOKEN_TTL)', async () => {
    const config = await gatewayConfig(env, { REFRESH_TOKEN_TTL: '1s' });
    const shortLived = await startGateway(config);
    try {
      const base = `http://127.0.0.1:${config.port}`;
      const reply = await call('POST', '/api/auth/login', { base, json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
      assert.equal(reply.status, 200);
      assert.ok(reply.refreshCookieLine!.includes('Max-Age=1;'), reply.refreshCookieLine);
      await new Promise((settle) => setTimeout(settle, 1_500));
      assertError(await call('POST', '/api/auth/refresh', { base, cookie: reply.refreshCookie }), 401, 'authentication required: refresh token expired; log in again');
      const { accessToken } = reply.body as { accessToken: string };
      assertError(await call('GET', '/api/auth/me', { base, token: accessToken }), 401, /the session has ended/);
    } finally {
      await shortLived.close();
    }
  });

  it('logs out: the refresh token is revoked, the cookie cleared, the session\'s access token refused', async () => {
    const session = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const reply = await call('POST', '/api/auth/logout', { cookie: session.refreshCookie });
    assert.equal(reply.status, 204);
    assert.ok(reply.refreshCookieLine, 'the cookie is cleared');
    assert.equal(reply.refreshCookie, '');
    assert.match(reply.refreshCookieLine, /Expires=Thu, 01 Jan 1970/);
    assert.match(reply.refreshCookieLine, /Path=\/api\/auth/);
    assertError(await call('POST', '/api/auth/refresh', { cookie: session.refreshCookie }), 401, 'authentication required: refresh token was revoked (logged out); log in again');
    assertError(await call('GET', '/api/auth/me', { token: session.accessToken }), 401, /the session has ended/);
    assert.equal((await call('POST', '/api/auth/logout')).status, 204, 'logging out twice, or without a cookie, is fine');
    assert.equal((await call('POST', '/api/auth/logout', { cookie: session.refreshCookie })).status, 204);
  });

  it('changes a password: every session of the user ends, the old password stops working, the caller gets a new session', async () => {
    const user = await userWithRole('dj', (await createDj('DJ Password')).id);
    const otherDevice = await login(user.user.email, user.password);
    const change = (json: unknown, token = user.accessToken) => call('POST', '/api/auth/password', { token, json });

    assertError(await change({ currentPassword: 'not my password', newPassword: 'a brand new password' }), 403, 'currentPassword is wrong');
    assertError(await change({ currentPassword: user.password, newPassword: 'short' }), 400, 'newPassword: must be at least 12 characters');
    assertError(await change({ currentPassword: user.password, newPassword: user.password }), 400, 'newPassword: must differ from currentPassword');
    assertError(await change({ currentPassword: user.password }), 400, /^newPassword: /);

    const changed = await change({ currentPassword: user.password, newPassword: 'a brand new password' });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.ok(changed.refreshCookie, 'a new session for the caller');
    const fresh = (changed.body as { accessToken: string }).accessToken;
    assert.equal((await call('GET', '/api/auth/me', { token: fresh })).status, 200);
    assert.equal((await call('POST', '/api/auth/refresh', { cookie: changed.refreshCookie })).status, 200);

    for (const old of [user, otherDevice]) {
      assertError(await call('POST', '/api/auth/refresh', { cookie: old.refreshCookie }), 401, 'authentication required: refresh token was revoked (password changed); log in again');
      assertError(await call('GET', '/api/auth/me', { token: old.accessToken }), 401, /the session has ended/);
    }
    assertError(await call('POST', '/api/auth/login', { json: { email: user.user.email, password: user.password } }), 401, 'e-mail or password is wrong');
    await login(user.user.email, 'a brand new password');
    assertError(await call('POST', '/api/auth/password', { json: { currentPassword: 'x', newPassword: 'a brand new password' } }), 401, /^authentication required: /);
  });

  it('tells the caller who it is', async () => {
    const dj = await createDj('DJ Me');
    const user = await userWithRole('dj', dj.id);
    assert.deepEqual((await call('GET', '/api/auth/me', { token: user.accessToken })).body, { id: user.user.id, email: user.user.email, role: 'dj', djId: dj.id });
  });
});

describe('login limits', () => {
  const wrongLogin = (email: string, from: string) => call('POST', '/api/auth/login', { json: { email, password: 'a wrong guess' }, from });
  const failureKey = (kind: 'address', value: string) => `${env.queuePrefix}:gateway:login-failures:${kind}:${value}`;

  function assertTooMany(reply: Reply, scope: 'from this address' | 'for this account'): void {
    assert.equal(reply.status, 429, JSON.stringify(reply.body));
    const retryAfter = Number(reply.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 15 * 60, `Retry-After: ${reply.headers['retry-after']}`);
    const minutes = Math.ceil(retryAfter / 60);
    assertError(reply, 429, `too many failed logins ${scope}; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`);
  }

  it('refuses the 11th attempt from one address within 15 minutes, even with the right password; other addresses are not affected', async () => {
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      assertError(await wrongLogin(`guess-${attempt}@club.example`, '127.0.0.21'), 401, 'e-mail or password is wrong');
    }
    assertTooMany(await call('POST', '/api/auth/login', { json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, from: '127.0.0.21' }), 'from this address');
    assertTooMany(await wrongLogin('guess-11@club.example', '127.0.0.21'), 'from this address');
    await login(ADMIN_EMAIL, ADMIN_PASSWORD, '127.0.0.22');
  });

  it('refuses the 11th attempt at one account from any address; other accounts are not affected', async () => {
    const target = await userWithRole('operator');
    const bystander = await userWithRole('operator');
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      assertError(await wrongLogin(target.user.email.toUpperCase(), `127.0.0.${30 + attempt}`), 401, 'e-mail or password is wrong');
    }
    assertTooMany(await call('POST', '/api/auth/login', { json: { email: target.user.email, password: target.password }, from: '127.0.0.41' }), 'for this account');
    await login(bystander.user.email, bystander.password, '127.0.0.31');
    // The access tokens the account already has keep working: the limit guards the password only.
    assert.equal((await call('GET', '/api/auth/me', { token: target.accessToken })).status, 200);
  });

  it("resets an account's count on a successful login", async () => {
    const user = await userWithRole('operator');
    for (let attempt = 1; attempt <= 9; attempt += 1) assertError(await wrongLogin(user.user.email, `127.0.0.${50 + attempt}`), 401, 'e-mail or password is wrong');
    await login(user.user.email, user.password, '127.0.0.60');
    for (let attempt = 1; attempt <= 10; attempt += 1) assertError(await wrongLogin(user.user.email, `127.0.0.${60 + attempt}`), 401, 'e-mail or password is wrong');
    assertTooMany(await wrongLogin(user.user.email, '127.0.0.71'), 'for this account');
  });

  it('counts a burst of parallel guesses like a sequence: exactly 10 get through', async () => {
    const replies = await Promise.all(Array.from({ length: 40 }, (_, index) => wrongLogin(`burst-${index}@club.example`, '127.0.0.81')));
    const statuses = replies.map((reply) => reply.status);
    assert.equal(statuses.filter((status) => status === 401).length, 10, statuses.join(' '));
    assert.equal(statuses.filter((status) => status === 429).length, 30, statuses.join(' '));
  });

  it('bounds password hashing: a flood beyond the queue gets 429 with Retry-After: 1 and is not counted as failures', async () => {
    const addresses = Array.from({ length: 8 }, (_, index) => `127.0.0.${91 + index}`);
    const attempts = addresses.flatMap((from) => Array.from({ length: 10 }, (_, index) => ({ from, email: `flood-${from}-${index}@club.example` })));
    const replies = await Promise.all(attempts.map(({ email, from }) => wrongLogin(email, from)));
    const statuses = replies.map((reply) => reply.status);
    assert.deepEqual([...new Set(statuses)].filter((status) => status !== 401 && status !== 429), [], statuses.join(' '));
    const busy = replies.filter((reply) => reply.status === 429);
    assert.ok(busy.length > 0, `80 parallel logins must overflow 2 running + 32 queued hashes: ${statuses.join(' ')}`);
    for (const reply of busy) {
      assertError(reply, 429, 'too many logins at once; try again in a second');
      assert.equal(reply.headers['retry-after'], '1');
    }
    const redis = new Redis(env.redisUrl);
    try {
      for (const address of addresses) {
        const wrong = attempts.filter((attempt, index) => attempt.from === address && statuses[index] === 401).length;
        assert.equal(await redis.zcard(failureKey('address', address)), wrong, `${address}: only real wrong guesses are counted`);
      }
      const keys = await redis.keys(`${env.queuePrefix}:gateway:login-failures:*`);
      assert.ok(keys.length > 0);
      assert.ok(!keys.some((key) => key.includes('@')), 'keys name no e-mail address');
    } finally {
      redis.disconnect();
    }
    await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  });
});

describe('login without Redis', () => {
  it('answers 503 naming the missing store instead of letting guesses through or hanging', async () => {
    const config = await gatewayConfig(env, { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const blind = await startGateway(config);
    try {
      const base = `http://127.0.0.1:${config.port}`;
      assertError(
        await call('POST', '/api/auth/login', { base, json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }),
        503,
        'login is unavailable: the store of login limits (Redis) does not answer',
      );
      // What does not need the limits goes on.
      assert.equal((await call('GET', '/api/auth/me', { base, token: adminToken })).status, 200);
    } finally {
      await blind.close();
    }
  });
});

describe('the first admin', () => {
  it('prints a generated password once, on the console only ([console-only] line), never through the logger', async () => {
    const fresh = await createTestEnvironment('gatewayfirst');
    const logged: string[] = [];
    const capture = (...parts: unknown[]) => void logged.push(parts.map(String).join(' '));
    const logger: LoggerService = { log: capture, error: capture, warn: capture, debug: capture, verbose: capture, fatal: capture };
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return (write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    Logger.overrideLogger(logger);
    let gateway: NestExpressApplication | undefined;
    try {
      const config = await gatewayConfig(fresh, { STREAMCASTER_ADMIN_EMAIL: 'first@club.example', STREAMCASTER_ADMIN_PASSWORD: undefined });
      gateway = await startGateway(config);
      process.stdout.write = write;
      const lines = printed.join('').split('\n').filter((line) => line.includes('first admin created'));
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.ok(lines[0]!.startsWith(CONSOLE_ONLY_MARKER), lines[0]);
      const password = /first admin created: first@club\.example \/ (\S+) /.exec(lines[0]!)?.[1];
      assert.ok(password, lines[0]);
      assert.ok(!logged.some((message) => message.includes(password)), 'the logger never sees the password');
      assert.ok(logged.some((message) => message.includes('first admin created: first@club.example; its generated password was printed on the console only')));
      const reply = await call('POST', '/api/auth/login', { base: `http://127.0.0.1:${config.port}`, json: { email: 'first@club.example', password } });
      assert.equal(reply.status, 200);
    } finally {
      process.stdout.write = write;
      Logger.overrideLogger(['error']);
      await gateway?.close();
      await fresh.dispose();
    }
  });
});
