import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import type { Subscription } from '@nats-io/transport-node';
import pg from 'pg';
import {
  GetBranding,
  GetBroadcast,
  IngestPlayerAttached,
  IngestStarted,
  IngestStopped,
  LocateRecordingFile,
  ProgramStarted,
  ProgramStopped,
  StopBroadcast,
  recordingFileUrlSchema,
  UpdateDestination,
  DEFAULT_VJ_SETTINGS,
  type Branding,
  type DestinationView,
} from '@streamcaster/contracts';
import { runOnce } from '@streamcaster/supervisor';
import { BusObserver, createTestEnvironment, type TestEnvironment, waitFor } from '@streamcaster/testing';
import { startGateway, type RunningGateway } from '../src/bootstrap.js';
import type { GatewayConfig } from '../src/config/gateway.config.js';
import { assertApiError, callApi, type ApiOptions, type ApiResponse } from './api-client.js';
import { testGatewayConfig } from './gateway-fixtures.js';

const ADMIN_EMAIL = 'Boss@Club.example';
const ADMIN_PASSWORD = 'correct horse battery staple';
/** Long enough that a held publish is told apart from an answered one without measuring time. */
const ATTACH_TIMEOUT_MS = 3_000;

let env: TestEnvironment;
let gateway: RunningGateway;
let baseUrl: string;
let observer: BusObserver;
let adminToken: string;

/** The gateway's internal hook listener, as nginx-rtmp reaches it. */
let hooksUrl: string;

/** The transcoder's Icecast reader: the one listener the gateway lets in. */
const READER_PASSWORD = 'reader-password-of-the-transcoder';

const gatewayConfig = (overrides: Record<string, string> = {}): Promise<GatewayConfig> =>
  testGatewayConfig(
    env,
    { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    { INGEST_ATTACH_TIMEOUT_MS: String(ATTACH_TIMEOUT_MS), ICECAST_READER_PASSWORD: READER_PASSWORD, ...overrides },
  );

const api = (method: string, path: string, options: ApiOptions & { base?: string } = {}): Promise<ApiResponse> => callApi(options.base ?? baseUrl, method, path, options);
const assertError = assertApiError;

/** What nginx-rtmp posts to a notify hook. */
function hook(
  kind: 'publish' | 'publish-done' | 'play' | 'play-done',
  fields: Record<string, string>,
  { base = hooksUrl, secret = env.env.INGEST_HOOKS_SECRET! }: { base?: string; secret?: string | null } = {},
): Promise<ApiResponse> {
  const form = new URLSearchParams({ call: kind.replace('-', '_'), type: 'live', flashver: 'FMLE/3.0', tcurl: 'rtmp://127.0.0.1/live', ...fields });
  const query = secret === null ? '' : `?secret=${encodeURIComponent(secret)}`;
  return callApi(base, 'POST', `/api/hooks/nginx-rtmp/${kind}${query}`, {
    body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

/** What Icecast 2.4.4 posts to its URL authentication hooks (docs/icecast.md), in its field order. */
function icecastHook(
  kind: 'source' | 'mount' | 'listener',
  fields: Record<string, string>,
  { base = hooksUrl, secret = env.env.INGEST_HOOKS_SECRET! }: { base?: string; secret?: string | null } = {},
): Promise<Response> {
  const query = secret === null ? '' : `?secret=${encodeURIComponent(secret)}`;
  return fetch(`${base}/api/hooks/icecast/${kind}${query}`, {
    method: 'POST',
    body: new URLSearchParams({ server: '127.0.0.1', port: '8000', ...fields }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Icecast 2.4.4', authorization: 'Basic Og==' },
  });
}

/** Icecast lets a source or listener in only on this exact header line; the status is not read. */
async function icecastAdmits(response: Response): Promise<{ admitted: boolean; reason: string | null }> {
  await response.body?.cancel();
  return { admitted: response.headers.get('icecast-auth-user') === '1', reason: response.headers.get('icecast-auth-message') };
}

const sourceAuth = (mount: string, pass: string, extra: Record<string, string> = {}) =>
  icecastHook('source', { action: 'stream_auth', mount, ip: '198.51.100.7', user: 'source', pass, ...extra }).then(icecastAdmits);

/** The environments of the ingest.started events seen for a DJ, in order. */
const startsOf = (djId: string) => observer.messages(IngestStarted).filter((message) => message.payload.djId === djId).map((message) => message.payload.environment);

let nextClientId = 1;
const publish = (app: string, name: string, clientid = String(nextClientId++)) => hook('publish', { app, name, clientid, addr: '192.0.2.10' });

/** The transcoder starts playing a DJ's stream name (nginx-rtmp's on_play). */
async function transcoderPlays(app: string, streamName: string): Promise<void> {
  const received = observer.messages(IngestPlayerAttached).length;
  const response = await hook('play', { app, name: streamName, clientid: String(nextClientId++), addr: '127.0.0.1' });
  assert.equal(response.status, 200);
  // The gateway learns it from its own event on the bus, like every replica does.
  await waitFor('the player-attached event', () => (observer.messages(IngestPlayerAttached).length > received ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 100));
}

async function createDj(name: string): Promise<{ id: string; name: string; streamKey: string }> {
  const response = await api('POST', '/api/djs', { token: adminToken, json: { name } });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body as { id: string; name: string; streamKey: string };
}

/** An HS256 token as the gateway signs them, with any claims and secret. */
function signToken(claims: Record<string, unknown>, secret: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** Answers one command on the bus the way the owning service would (Nest's reply packet). */
function standIn(subject: string, answer: (data: unknown) => { response: unknown } | { err: unknown }): Subscription {
  return observer.nats.subscribe(`${env.subjectPrefix}${subject}`, {
    callback: (error, message) => {
      if (error) return;
      const packet = message.json<{ id: string; data: unknown }>();
      message.respond(JSON.stringify({ id: packet.id, ...answer(packet.data), isDisposed: true }));
    },
  });
}

before(async () => {
  Logger.overrideLogger(['error']);
  env = await createTestEnvironment('gateway');
  observer = await BusObserver.connect(env.natsUrl, env.subjectPrefix);
  await observer.observe(IngestStarted, IngestStopped, ProgramStarted, ProgramStopped, IngestPlayerAttached);
  const config = await gatewayConfig();
  gateway = await startGateway(config);
  baseUrl = `http://127.0.0.1:${config.port}`;
  hooksUrl = `http://127.0.0.1:${config.ingestHooksPort}`;
  const login = await api('POST', '/api/auth/login', { json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  adminToken = (login.body as { accessToken: string }).accessToken;
});

after(async () => {
  await gateway?.close();
  await observer?.close();
  await env?.dispose();
});

describe('gateway auth', () => {
  it('creates the first admin from STREAMCASTER_ADMIN_EMAIL/PASSWORD and logs them in', async () => {
    const response = await api('POST', '/api/auth/login', { json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    assert.equal(response.status, 200);
    const body = response.body as { accessToken: string; expiresAt: string; user: Record<string, unknown> };
    assert.deepEqual(Object.keys(body), ['accessToken', 'expiresAt', 'user']);
    assert.deepEqual(Object.keys(body.user).sort(), ['djId', 'email', 'id', 'role']);
    assert.equal(body.user.role, 'admin');
    const claims = JSON.parse(Buffer.from(body.accessToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.email, ADMIN_EMAIL.toLowerCase());
    assert.equal(claims.role, 'admin');
    assert.ok(typeof claims.exp === 'number' && claims.exp > Date.now() / 1000);
    const otherCase = await api('POST', '/api/auth/login', { json: { email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD } });
    assert.equal(otherCase.status, 200, 'e-mail addresses are compared without case');
  });

  it('answers a wrong password and an unknown e-mail alike with 401', async () => {
    assertError(await api('POST', '/api/auth/login', { json: { email: ADMIN_EMAIL, password: 'not the password' } }), 401, 'e-mail or password is wrong');
    assertError(await api('POST', '/api/auth/login', { json: { email: 'nobody@club.example', password: ADMIN_PASSWORD } }), 401, 'e-mail or password is wrong');
  });

  it('answers a missing or incomplete login body with 400 and a precise message', async () => {
    assertError(await api('POST', '/api/auth/login'), 400, 'request body is missing or empty');
    assertError(await api('POST', '/api/auth/login', { json: {} }), 400, 'request body is missing or empty');
    assertError(await api('POST', '/api/auth/login', { json: { email: ADMIN_EMAIL } }), 400, /^password: /);
    assertError(await api('POST', '/api/auth/login', { json: { email: ' ', password: 'x' } }), 400, 'email: email is required');
  });

  it('keeps every API route but login and health closed without a valid token', async () => {
    const document = await api('GET', '/api/docs/openapi.json');
    assert.equal(document.status, 200);
    const paths = (document.body as { paths: Record<string, Record<string, unknown>> }).paths;
    assert.ok(!Object.keys(paths).some((path) => path.includes('hooks')), 'the hooks are not in the API docs');
    const operations = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
    assert.ok(operations.length >= 15, `only ${operations.length} operations documented`);
    const expired = signToken({ sub: randomUUID(), email: 'a@b.c', role: 'admin', exp: Math.floor(Date.now() / 1000) - 60 }, env.env.JWT_SECRET!);
    const foreign = signToken({ sub: randomUUID(), email: 'a@b.c', role: 'admin', exp: Math.floor(Date.now() / 1000) + 60 }, 'some-other-secret-of-at-least-32-characters');
    // Login takes a password; refresh and logout take the refresh cookie (auth.int-spec.ts covers them);
    // a platform's OAuth callback carries its signed state (the publisher's platforms test covers it).
    const publicPaths = new Set(['/api/auth/login', '/api/auth/refresh', '/api/auth/logout', '/api/health', '/api/health/ready', '/api/platform-accounts/callback/{platform}']);
    for (const { method, path } of operations) {
      if (publicPaths.has(path)) continue;
      const concrete = path.replace(/\{[^}]+\}/g, randomUUID());
      assertError(await api(method, concrete), 401, /^authentication required: /);
      assertError(await api(method, concrete, { token: expired }), 401, 'authentication required: jwt expired');
      assertError(await api(method, concrete, { token: foreign }), 401, 'authentication required: invalid signature');
    }
  });

  it('checks the role of every route: an operator may read DJs but not create them', async () => {
    const created = await api('POST', '/api/users', { token: adminToken, json: { email: 'op@club.example', role: 'operator' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { password } = created.body as { password: string };
    const login = await api('POST', '/api/auth/login', { json: { email: 'op@club.example', password } });
    const operator = (login.body as { accessToken: string }).accessToken;
    assert.equal((await api('GET', '/api/djs', { token: operator })).status, 200);
    assertError(await api('POST', '/api/djs', { token: operator, json: { name: 'DJ Sneaky' } }), 403, 'role operator may not do this; needs admin');
  });

  it('creates the first admin only once: a restart with other admin variables changes nothing', async () => {
    const config = await gatewayConfig({ STREAMCASTER_ADMIN_EMAIL: 'second@club.example', STREAMCASTER_ADMIN_PASSWORD: 'another long password' });
    const second = await startGateway(config);
    try {
      const base = `http://127.0.0.1:${config.port}`;
      assertError(await api('POST', '/api/auth/login', { base, json: { email: 'second@club.example', password: 'another long password' } }), 401, 'e-mail or password is wrong');
      assert.equal((await api('POST', '/api/auth/login', { base, json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })).status, 200);
    } finally {
      await second.close();
    }
  });
});

describe('gateway DJs', () => {
  it('creates a DJ with a stream key shown once, stored only as its SHA-256', async () => {
    const dj = await createDj('  DJ Nova  ');
    assert.equal(dj.name, 'DJ Nova');
    assert.match(dj.id, /^[0-9a-f-]{36}$/);
    assert.match(dj.streamKey, /^sk_[A-Za-z0-9_-]{32}$/);

    const list = await api('GET', '/api/djs', { token: adminToken });
    assert.equal(list.status, 200);
    const listed = (list.body as Array<Record<string, unknown>>).find((candidate) => candidate.id === dj.id);
    assert.ok(listed, 'the DJ is listed');
    assert.deepEqual(Object.keys(listed).sort(), ['createdAt', 'icecast', 'id', 'ingest', 'keyRotatedAt', 'name', 'slug']);
    assert.ok(!JSON.stringify(list.body).includes(dj.streamKey), 'the list never shows a key');

    const database = new pg.Client({ connectionString: env.databaseUrl });
    await database.connect();
    try {
      const row = (await database.query<Record<string, unknown>>('SELECT * FROM gateway.djs WHERE id = $1', [dj.id])).rows[0]!;
      assert.equal(row.stream_key_hash, createHash('sha256').update(dj.streamKey).digest('hex'));
      assert.ok(!JSON.stringify(row).includes(dj.streamKey), 'the key itself is stored nowhere');
    } finally {
      await database.end();
    }
  });

  it('rotates a key: a new one comes back once; unknown or malformed ids are refused', async () => {
    const dj = await createDj('DJ Rotor');
    const rotated = await api('POST', `/api/djs/${dj.id}/rotate-key`, { token: adminToken });
    assert.equal(rotated.status, 200);
    const { streamKey } = rotated.body as { streamKey: string };
    assert.deepEqual(Object.keys(rotated.body as object), ['streamKey']);
    assert.match(streamKey, /^sk_[A-Za-z0-9_-]{32}$/);
    assert.notEqual(streamKey, dj.streamKey);
    const unknown = randomUUID();
    assertError(await api('POST', `/api/djs/${unknown}/rotate-key`, { token: adminToken }), 404, `no DJ with id ${unknown}`);
    assertError(await api('POST', '/api/djs/not-a-uuid/rotate-key', { token: adminToken }), 400, /uuid/);
  });

  it('validates a new DJ', async () => {
    assertError(await api('POST', '/api/djs', { token: adminToken, json: { name: '   ' } }), 400, 'name: name must not be empty');
    assertError(await api('POST', '/api/djs', { token: adminToken, json: { name: 'x'.repeat(101) } }), 400, 'name: name is longer than 100 characters');
  });
});

describe('gateway nginx-rtmp hooks', () => {
  it('accepts a DJ key: 302 to the DJ id, once a transcoder plays it, and ingest.started on the bus', async () => {
    const dj = await createDj('DJ Hook');
    await transcoderPlays('live', dj.id);
    const response = await publish('live', dj.streamKey, 'c-1');
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), dj.id);

    const event = await observer.waitFor(IngestStarted, (payload) => payload.djId === dj.id);
    assert.equal(event.producer, 'gateway');
    assert.equal(event.correlationId, event.id);
    assert.ok(Math.abs(Date.parse(event.occurredAt) - Date.now()) < 60_000);
    assert.deepEqual({ ...event.payload, ingestId: '', startedAt: '' }, {
      ingestId: '',
      environment: 'live',
      djId: dj.id,
      djName: 'DJ Hook',
      stream: { app: 'live', streamName: dj.id, protocol: 'rtmp' },
      startedAt: '',
    });
    assert.ok(!JSON.stringify(observer.messages(IngestStarted)).includes(dj.streamKey), 'the key never goes on the bus');
  });

  it('holds a DJ publish until the transcoder plays the stream, then lets it through', async () => {
    const dj = await createDj('DJ Patient');
    let answered = false;
    const pending = publish('live', dj.streamKey).then((response) => {
      answered = true;
      return response;
    });
    await observer.waitFor(IngestStarted, (payload) => payload.djId === dj.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(answered, false, 'the publish is held while nobody plays the stream');
    await hook('play', { app: 'live', name: dj.id, clientid: String(nextClientId++), addr: '127.0.0.1' });
    const response = await pending;
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), dj.id);
  });

  it('lets a DJ in after the attach timeout when no transcoder ever plays', async () => {
    const dj = await createDj('DJ Alone');
    const response = await publish('test', dj.streamKey);
    assert.equal(response.status, 302, 'a missing transcoder never keeps a DJ off the air');
  });

  it('refuses a second publisher on the same DJ and environment, but not on the other environment', async () => {
    const dj = await createDj('DJ Twice');
    await transcoderPlays('live', dj.id);
    await transcoderPlays('test', dj.id);
    assert.equal((await publish('live', dj.streamKey)).status, 302);
    assertError(await publish('live', dj.streamKey), 403, 'DJ "DJ Twice" is already publishing to live');
    assert.equal((await publish('test', dj.streamKey)).status, 302, 'Live and Test are separate');
    await observer.waitFor(IngestStarted, (payload) => payload.djId === dj.id && payload.environment === 'test');
    assert.deepEqual(startsOf(dj.id), ['live', 'test'], 'one ingest per accepted publish');
  });

  it('turns publish-done into ingest.stopped for the same ingest, after which the DJ may publish again', async () => {
    const dj = await createDj('DJ Done');
    await transcoderPlays('live', dj.id);
    assert.equal((await publish('live', dj.streamKey, 'done-1')).status, 302);
    const started = await observer.waitFor(IngestStarted, (payload) => payload.djId === dj.id);

    // Another connection's publish-done (a refused second publisher) closes nothing.
    assert.equal((await hook('publish-done', { app: 'live', name: dj.streamKey, clientid: 'other', addr: '192.0.2.10' })).status, 200);
    assert.equal((await hook('publish-done', { app: 'live', name: dj.streamKey, clientid: 'done-1', addr: '192.0.2.10' })).status, 200);
    const stopped = await observer.waitFor(IngestStopped, (payload) => payload.djId === dj.id);
    assert.equal(stopped.payload.ingestId, started.payload.ingestId);
    assert.equal(stopped.payload.environment, 'live');
    assert.equal(observer.messages(IngestStopped).filter((message) => message.payload.djId === dj.id).length, 1);

    assert.equal((await publish('live', dj.streamKey)).status, 302, 'the DJ can come back');
  });

  it('ends the ingest of a DJ whose key was rotated while live, so that the new key works afterwards', async () => {
    // A leaked key is rotated exactly while the DJ is on air; nginx's publish-done still carries the old key.
    const dj = await createDj('DJ Leaked');
    await transcoderPlays('live', dj.id);
    assert.equal((await publish('live', dj.streamKey, 'leak-1')).status, 302);
    const started = await observer.waitFor(IngestStarted, (payload) => payload.djId === dj.id);
    const { streamKey } = (await api('POST', `/api/djs/${dj.id}/rotate-key`, { token: adminToken })).body as { streamKey: string };
    assert.equal((await hook('publish-done', { app: 'live', name: dj.streamKey, clientid: 'leak-1', addr: '192.0.2.10' })).status, 200);

    const stopped = await observer.waitFor(IngestStopped, (payload) => payload.djId === dj.id, 2_000).catch(() => undefined);
    assert.ok(stopped, 'publish-done with the old key must still end the ingest (ingest.stopped), or the broadcast never ends');
    assert.equal(stopped.payload.ingestId, started.payload.ingestId);
    assert.equal((await publish('live', streamKey)).status, 302, 'the DJ can publish with the new key');
  });

  it('refuses unknown, rotated and malformed keys and unknown applications with 403', async () => {
    const dj = await createDj('DJ Rotated');
    const rotated = (await api('POST', `/api/djs/${dj.id}/rotate-key`, { token: adminToken })).body as { streamKey: string };
    assertError(await publish('live', `sk_${'A'.repeat(32)}`), 403, 'unknown or rotated stream key');
    assertError(await publish('live', dj.streamKey), 403, 'unknown or rotated stream key');
    assertError(await publish('live', 'hello'), 403, 'malformed stream key');
    assertError(await publish('live', ''), 403, 'malformed stream key');
    assertError(await publish('vod', rotated.streamKey), 403, 'unknown application "vod"');
    await transcoderPlays('live', dj.id);
    assert.equal((await publish('live', rotated.streamKey)).status, 302, 'the new key works');
    await observer.waitFor(IngestStarted, (payload) => payload.djId === dj.id);
    assert.deepEqual(startsOf(dj.id), ['live'], 'the refused attempts emitted nothing');
  });

  it('announces the program stream of a broadcast: program.started and program.stopped', async () => {
    const broadcastId = randomUUID();
    const response = await publish('program', broadcastId);
    assert.equal(response.status, 200);
    await observer.waitFor(ProgramStarted, (payload) => payload.broadcastId === broadcastId);
    assertError(await publish('program', 'not-a-broadcast'), 403, 'program stream name is not a broadcast id');
    assert.equal((await hook('publish-done', { app: 'program', name: broadcastId, clientid: '9', addr: '127.0.0.1' })).status, 200);
    await observer.waitFor(ProgramStopped, (payload) => payload.broadcastId === broadcastId);
  });

  it('serves the hooks only on the internal listener, only with the secret, and only with the fields nginx sends', async () => {
    const program = { app: 'program', name: randomUUID(), clientid: '1', addr: '127.0.0.1' };
    const startsBefore = observer.messages(ProgramStarted).length;
    // On the public port the hooks do not exist, with or without the secret: a forged publish-done
    // from the internet cannot end a set.
    for (const kind of ['publish', 'publish-done', 'play', 'play-done'] as const) {
      assertError(await hook(kind, program, { base: baseUrl }), 404, `Cannot POST /api/hooks/nginx-rtmp/${kind}`);
    }
    // On the internal port, without the secret or with a wrong one: refused.
    assertError(await hook('publish', program, { secret: null }), 403, 'ingest hook refused: missing or wrong secret');
    assertError(await hook('publish-done', program, { secret: 'x'.repeat(32) }), 403, 'ingest hook refused: missing or wrong secret');
    assertError(await hook('publish', program, { secret: env.env.INGEST_HOOKS_SECRET!.slice(1) }), 403, 'ingest hook refused: missing or wrong secret');
    // The internal port serves nothing but the hooks.
    assert.equal((await fetch(`${hooksUrl}/api/auth/login`, { method: 'POST' })).status, 404);
    assert.equal((await fetch(`${hooksUrl}/api/docs/openapi.json`)).status, 404);
    assert.equal(observer.messages(ProgramStarted).length, startsBefore, 'no refused hook reached the bus');
    assertError(await hook('publish', { app: 'live', name: 'x' }), 400, /^clientid: /);
  });

  it('published only messages that match their contracts', () => {
    assert.deepEqual(observer.offContract, []);
  });
});

describe('gateway Icecast hooks', () => {
  it("lets a DJ's source in on its own mount with its key, opens the session at mount_add and closes it at mount_remove", async () => {
    const dj = await createDj('DJ Wave Rider');
    const view = (await api('GET', `/api/djs/${dj.id}`, { token: adminToken })).body as { slug: string; icecast: { mounts: { live: string; test: string } } };
    assert.equal(view.slug, 'dj-wave-rider');
    assert.deepEqual(view.icecast.mounts, { live: '/live/dj-wave-rider', test: '/test/dj-wave-rider' });

    assert.deepEqual(await sourceAuth('/live/dj-wave-rider', dj.streamKey), { admitted: true, reason: null });
    assert.deepEqual(startsOf(dj.id), [], 'a source is on air only once Icecast says mount_add');
    assert.equal((await icecastHook('mount', { action: 'mount_add', mount: '/live/dj-wave-rider' })).status, 200);
    const started = await observer.waitFor(IngestStarted, (payload) => payload.djId === dj.id);
    assert.deepEqual(started.payload.stream, { app: 'live', streamName: 'dj-wave-rider', protocol: 'icecast' });
    // Told twice (a second gateway replica, a retried hook): still one session.
    assert.equal((await icecastHook('mount', { action: 'mount_add', mount: '/live/dj-wave-rider' })).status, 200);
    // The source's /admin/metadata title update comes through the same hook, with admin=1.
    assert.deepEqual(await sourceAuth('/live/dj-wave-rider', dj.streamKey, { admin: '1' }), { admitted: true, reason: null });
    // The same DJ through OBS meanwhile, and Traktor's second login: refused.
    await transcoderPlays('live', dj.id);
    assertError(await publish('live', dj.streamKey), 403, 'DJ "DJ Wave Rider" is already publishing to live');

    assert.equal((await icecastHook('mount', { action: 'mount_remove', mount: '/live/dj-wave-rider' })).status, 200);
    const stopped = await observer.waitFor(IngestStopped, (payload) => payload.djId === dj.id);
    assert.equal(stopped.payload.ingestId, started.payload.ingestId);
    assert.deepEqual(startsOf(dj.id), ['live']);
    // Free again, for either protocol.
    assert.deepEqual(await sourceAuth('/live/dj-wave-rider', dj.streamKey), { admitted: true, reason: null });
  });

  it('refuses a wrong key, the key of another DJ, an unknown mount and a malformed one, each with its reason', async () => {
    const dj = await createDj('DJ Refused');
    const other = await createDj('DJ Other');
    // One character changed (to another one: a key may already end in "x").
    const wrongKey = `${dj.streamKey.slice(0, -1)}${dj.streamKey.endsWith('x') ? 'y' : 'x'}`;
    assert.deepEqual(await sourceAuth('/live/dj-refused', wrongKey), { admitted: false, reason: 'wrong stream key for the mount of "dj-refused"' });
    assert.deepEqual(await sourceAuth('/live/dj-refused', other.streamKey), { admitted: false, reason: 'wrong stream key for the mount of "dj-refused"' });
    assert.deepEqual(await sourceAuth('/live/dj-refused', ''), { admitted: false, reason: 'malformed stream key' });
    assert.deepEqual(await sourceAuth('/live/nobody-here', dj.streamKey), { admitted: false, reason: 'no DJ has the mount of "nobody-here"' });
    for (const mount of ['/live/DJ-Refused', '/live/dj-refused/extra', '/radio/dj-refused', '/live/']) {
      const answer = await sourceAuth(mount, dj.streamKey);
      assert.equal(answer.admitted, false, mount);
      assert.match(answer.reason ?? '', /^unknown mount/, mount);
    }
    // The hook does not crash on a DJ whose RTMP session is on: it says why.
    await transcoderPlays('test', dj.id);
    assert.equal((await publish('test', dj.streamKey)).status, 302);
    await observer.waitFor(IngestStarted, (payload) => payload.djId === dj.id);
    assert.deepEqual(await sourceAuth('/test/dj-refused', dj.streamKey), { admitted: false, reason: 'DJ "DJ Refused" is already publishing to test (rtmp)' });
    assert.deepEqual(startsOf(dj.id), ['test']);
  });

  it('lets in only the transcoder as a listener', async () => {
    const listener = (user: string, pass: string) =>
      icecastHook('listener', { action: 'listener_add', client: '12', mount: '/live/dj-a', user, pass, ip: '203.0.113.9', agent: 'VLC' }).then(icecastAdmits);
    assert.deepEqual(await listener('streamcaster', READER_PASSWORD), { admitted: true, reason: null });
    for (const [user, pass] of [['', ''], ['streamcaster', `${READER_PASSWORD}x`], ['admin', READER_PASSWORD], ['streamcaster', '']]) {
      assert.deepEqual(await listener(user!, pass!), { admitted: false, reason: 'listeners are not admitted: this server only takes DJ sources' });
    }
    const removed = await icecastHook('listener', { action: 'listener_remove', client: '12', mount: '/live/dj-a', user: '', pass: '', duration: '3', ip: '203.0.113.9', agent: 'VLC' });
    assert.equal(removed.status, 200);
  });

  it('serves the Icecast hooks only on the internal listener, only with the secret, and only with the fields Icecast sends', async () => {
    const dj = await createDj('DJ Hidden');
    const public404 = await icecastHook('source', { action: 'stream_auth', mount: '/live/dj-hidden', pass: dj.streamKey }, { base: baseUrl });
    assert.equal(public404.status, 404);
    assert.equal(public404.headers.get('icecast-auth-user'), null);
    for (const secret of [null, 'x'.repeat(32)]) {
      const refused = await icecastHook('source', { action: 'stream_auth', mount: '/live/dj-hidden', pass: dj.streamKey }, { secret });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('icecast-auth-user'), null);
      const mount = await icecastHook('mount', { action: 'mount_add', mount: '/live/dj-hidden' }, { secret });
      assert.equal(mount.status, 403);
    }
    const unknownAction = await icecastHook('source', { action: 'listener_add', mount: '/live/dj-hidden' });
    assert.equal(unknownAction.status, 400);
    assert.equal(unknownAction.headers.get('icecast-auth-user'), null);
    assert.deepEqual(startsOf(dj.id), [], 'no refused hook opened a session');
  });
});

describe('gateway branding logo', () => {
  const upload = (form: FormData) => api('PUT', '/api/branding/logo', { token: adminToken, body: form });
  const fileForm = (bytes: Uint8Array, name: string, type: string) => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), name);
    return form;
  };

  it('refuses a file that is not a PNG or JPEG, whatever its name and type say', async () => {
    assertError(await upload(fileForm(Buffer.from('just some text, not an image'), 'logo.png', 'image/png')), 400, 'logo rejected: file is not a PNG or JPEG image');
  });

  it('refuses a logo over 2 MB with 413 naming the limit', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 1, 0);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(big);
    assertError(await upload(fileForm(big, 'big.png', 'image/png')), 413, 'logo file is larger than 2 MB');
  });

  it('refuses an upload without the file field', async () => {
    const form = new FormData();
    form.append('note', 'no file here');
    assertError(await upload(form), 400, 'multipart field "file" with the logo is missing');
    assertError(await api('PUT', '/api/branding/logo', { token: adminToken }), 400, 'multipart field "file" with the logo is missing');
  });

  it('stores a valid PNG by its content and forwards it to the publisher: 503 naming the publisher when none runs', async () => {
    const path = join(env.dataDir, 'upload.png');
    const made = await runOnce('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=320x100', '-frames:v', '1', '-y', path]);
    assert.equal(made.code, 0, made.stderr);
    const png = await readFile(path);
    const response = await upload(fileForm(png, 'logo.png', 'image/png'));
    assertError(response, 503, 'the publisher service is not available');
    const stored = join(env.dataDir, 'assets', `${createHash('sha256').update(png).digest('hex')}.png`);
    assert.ok(existsSync(stored), 'the logo is in the asset store under its SHA-256');
    assert.deepEqual(await readFile(stored), png);
  });

  it('serves the current logo for the dashboard\'s preview, and 404 when none is set', async () => {
    const png = await readFile(join(env.dataDir, 'upload.png'));
    const assetName = `${createHash('sha256').update(png).digest('hex')}.png`;
    const branding = (logo: Branding['logo']): Branding => ({
      organizationName: 'Club',
      titleTemplate: '{dj}',
      descriptionTemplate: '',
      slateTemplate: '{dj} will be right back',
      logoPosition: 'top-right',
      logo,
      vj: DEFAULT_VJ_SETTINGS,
      updatedAt: new Date().toISOString(),
    });
    let current = branding({ assetName, mimeType: 'image/png', width: 320, height: 100, sizeBytes: png.length });
    const subscription = standIn(GetBranding.subject, () => ({ response: current }));
    await observer.nats.flush();
    try {
      const served = await fetch(`${baseUrl}/api/branding/logo`, { headers: { authorization: `Bearer ${adminToken}` } });
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);
      assertError(await api('GET', '/api/branding/logo'), 401, 'authentication required: missing bearer token');
      current = branding(null);
      assertError(await api('GET', '/api/branding/logo', { token: adminToken }), 404, 'no logo is set');
    } finally {
      subscription.unsubscribe();
    }
  });
});

describe('gateway forwarding to the owning services', () => {
  const destination = { environment: 'live', platform: 'rtmp', name: 'YouTube', url: 'rtmps://a.rtmp.youtube.com/live2', streamKey: 'abcd-efgh' };

  it('validates before forwarding: a destination URL that is not RTMP(S) is a 400 naming url', async () => {
    assertError(
      await api('POST', '/api/destinations', { token: adminToken, json: { ...destination, url: 'http://x' } }),
      400,
      'url: url must be an rtmp:// or rtmps:// URL with a host, e.g. rtmps://live.example.com:443/app',
    );
    assertError(await api('POST', '/api/destinations', { token: adminToken, json: { ...destination, streamKey: 'a/b' } }), 400, /^streamKey: /);
    assertError(await api('GET', '/api/broadcasts?environment=prod', { token: adminToken }), 400, /^environment: /);
    assertError(await api('GET', '/api/broadcasts/not-a-uuid', { token: adminToken }), 400, 'broadcast id must be a UUID, got "not-a-uuid"');
  });

  it("validates the automated VJ's settings before forwarding: each wrong setting is a 400 naming it", async () => {
    const vj = (settings: Record<string, unknown>) => api('PUT', '/api/branding', { token: adminToken, json: { vj: { ...DEFAULT_VJ_SETTINGS, ...settings } } });
    assertError(await vj({ scenes: [] }), 400, 'vj.scenes: at least one VJ scene must be on');
    assertError(await vj({ scenes: ['spectrum', 'spectrum'] }), 400, 'vj.scenes: each VJ scene may be listed once');
    assertError(await vj({ scenes: ['lasers'] }), 400, /^vj\.scenes\.0: /);
    assertError(await vj({ palette: 'pink' }), 400, /^vj\.palette: /);
    assertError(await vj({ phraseBeats: 12 }), 400, 'vj.phraseBeats: phraseBeats must be 4, 8, 16, 32 or 64');
  });

  it('answers 503 naming the owning service when it is not running, instead of hanging or quoting the bus', async () => {
    const [created, broadcasts, recordings] = await Promise.all([
      api('POST', '/api/destinations', { token: adminToken, json: destination }),
      api('GET', '/api/broadcasts', { token: adminToken }),
      api('GET', '/api/recordings', { token: adminToken }),
    ]);
    assertError(created, 503, 'the publisher service is not available');
    assertError(broadcasts, 503, 'the publisher service is not available');
    assertError(recordings, 503, 'the recorder service is not available');
  });

  it('passes the validated request on and the owner\'s answer back, mapping its error codes to HTTP', async () => {
    const seen: unknown[] = [];
    const destinationId = randomUUID();
    const view: DestinationView = {
      id: destinationId,
      environment: 'live',
      platform: 'rtmp',
      name: 'Renamed',
      url: 'rtmp://live.example.com/app',
      accountId: null,
      privacy: null,
      enabled: true,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    const missing = randomUUID();
    const subscriptions = [
      standIn(UpdateDestination.subject, (data) => {
        seen.push(data);
        return { response: view };
      }),
      standIn(GetBroadcast.subject, (data) => ({ err: { code: 'not_found', message: `no broadcast with id ${(data as { id: string }).id}` } })),
      standIn(StopBroadcast.subject, () => ({ err: { code: 'conflict', message: 'broadcast is already ended' } })),
    ];
    await observer.nats.flush();
    try {
      const updated = await api('PATCH', `/api/destinations/${destinationId}`, { token: adminToken, json: { name: '  Renamed  ', url: ' rtmp://live.example.com/app ' } });
      assert.equal(updated.status, 200);
      assert.deepEqual(updated.body, view);
      assert.deepEqual(seen, [{ id: destinationId, patch: { name: 'Renamed', url: 'rtmp://live.example.com/app' } }], 'the publisher gets the trimmed patch');

      assertError(await api('GET', `/api/broadcasts/${missing}`, { token: adminToken }), 404, `no broadcast with id ${missing}`);
      assertError(await api('POST', `/api/broadcasts/${missing}/stop`, { token: adminToken }), 409, 'broadcast is already ended');
    } finally {
      for (const subscription of subscriptions) subscription.unsubscribe();
    }
  });

  it('streams a finished recording from the shared volume, with range requests, and nothing outside it', async () => {
    const broadcastId = randomUUID();
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, index) => index % 251));
    await mkdir(join(env.dataDir, 'recordings', broadcastId), { recursive: true });
    await writeFile(join(env.dataDir, 'recordings', broadcastId, 'recording.mp4'), bytes);
    const located = new Map<string, string>([[broadcastId, `${broadcastId}/recording.mp4`]]);
    const escaping = randomUUID();
    located.set(escaping, '../../../../etc/passwd');
    const subscription = standIn(LocateRecordingFile.subject, (data) => {
      const relativePath = located.get((data as { id: string }).id)!;
      return { response: { relativePath, sizeBytes: bytes.length } };
    });
    await observer.nats.flush();
    try {
      const whole = await fetch(`${baseUrl}/api/recordings/${broadcastId}/file`, { headers: { authorization: `Bearer ${adminToken}` } });
      assert.equal(whole.status, 200);
      assert.equal(whole.headers.get('content-type'), 'video/mp4');
      assert.deepEqual(Buffer.from(await whole.arrayBuffer()), bytes);

      const part = await fetch(`${baseUrl}/api/recordings/${broadcastId}/file`, { headers: { authorization: `Bearer ${adminToken}`, range: 'bytes=100-199' } });
      assert.equal(part.status, 206);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));

      // A relativePath that leaves the volume is refused before anything is read: 404, not a 500.
      assertError(await api('GET', `/api/recordings/${escaping}/file`, { token: adminToken }), 404, `recording ${escaping} has no file on the recordings volume`);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('hands out a 10-minute link to one recording\'s file that works without the header, for that file only', async () => {
    const broadcastId = randomUUID();
    const other = randomUUID();
    const bytes = Buffer.from(Array.from({ length: 2048 }, (_, index) => index % 199));
    for (const id of [broadcastId, other]) {
      await mkdir(join(env.dataDir, 'recordings', id), { recursive: true });
      await writeFile(join(env.dataDir, 'recordings', id, 'recording.mp4'), bytes);
    }
    const subscription = standIn(LocateRecordingFile.subject, (data) => ({ response: { relativePath: `${(data as { id: string }).id}/recording.mp4`, sizeBytes: bytes.length } }));
    await observer.nats.flush();
    try {
      const issued = await api('POST', `/api/recordings/${broadcastId}/file-url`, { token: adminToken });
      assert.equal(issued.status, 200);
      const link = recordingFileUrlSchema.parse(issued.body);
      assert.ok(link.url.startsWith(`/api/recordings/${broadcastId}/file?token=`), link.url);
      const minutes = (Date.parse(link.expiresAt) - Date.now()) / 60_000;
      assert.ok(minutes > 9 && minutes <= 10, `expires in ${minutes} minutes`);

      const whole = await fetch(`${baseUrl}${link.url}`);
      assert.equal(whole.status, 200);
      assert.deepEqual(Buffer.from(await whole.arrayBuffer()), bytes);
      const part = await fetch(`${baseUrl}${link.url}`, { headers: { range: 'bytes=10-19' } });
      assert.equal(part.status, 206);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(10, 20));

      const token = new URL(link.url, baseUrl).searchParams.get('token')!;
      // Another recording's file, a route that takes no links, the link as a bearer token, a forged one.
      assertError(await api('GET', `/api/recordings/${other}/file?token=${encodeURIComponent(token)}`), 401, 'authentication required: this link is not for this file');
      assertError(await api('GET', `/api/recordings?token=${encodeURIComponent(token)}`), 401, 'authentication required: missing bearer token');
      assertError(await api('GET', '/api/recordings', { token }), 401, 'authentication required: access token has unexpected claims');
      assertError(await api('GET', `/api/recordings/${broadcastId}/file?token=${encodeURIComponent(token.slice(0, -2))}x`), 401, /^authentication required: file link invalid signature/);
    } finally {
      subscription.unsubscribe();
    }
  });
});
