import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '@twurple/api';
import { StaticAuthProvider, exchangeCode } from '@twurple/auth';
import { publishAsDj, TWITCH_CANNOT_STREAM_MESSAGE, TWITCH_SCOPES, TwitchFake, waitFor, type DjStream } from '../src/index.js';

// The fake's contract, over plain HTTP as Twitch's documentation states it and as twurple's mock
// mode sends it (auth parameters in the query string of a POST without body), then the real twurple
// client against it.

const client = { clientId: 'twitchfakeclientid0000000000', clientSecret: 'twitch-fake-secret', redirectUris: ['http://127.0.0.1:9/api/platform-accounts/callback/twitch'] };
const redirectUri = client.redirectUris[0] ?? '';
const dj = { id: '141981764', login: 'djfake', displayName: 'DJFake' };
const other = { id: '55555555', login: 'someoneelse' };
const ALL_SCOPES = [TWITCH_SCOPES.manageBroadcast, TWITCH_SCOPES.readStreamKey];

let directory: string;
let fake: TwitchFake;
let base: string;

interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string[];
  token_type: string;
}

/** Follows the authorize page as a browser would; returns the redirect's query. */
async function authorize(scopes: string[], state = 'state-1', extra: Record<string, string> = {}): Promise<URLSearchParams> {
  const url = new URL(fake.authUrl);
  for (const [name, value] of Object.entries({ response_type: 'code', client_id: client.clientId, redirect_uri: redirectUri, scope: scopes.join(' '), state, ...extra })) {
    url.searchParams.set(name, value);
  }
  const response = await fetch(url, { redirect: 'manual' });
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get('location') ?? '');
  assert.equal(`${location.origin}${location.pathname}`, redirectUri);
  return location.searchParams;
}

/** POST with every parameter in the query string and no body, as twurple does. */
function postAuth(path: string, query: Record<string, string>): Promise<Response> {
  return fetch(`${base}/auth/${path}?${new URLSearchParams(query).toString()}`, { method: 'POST' });
}

async function connect(scopes: string[] = ALL_SCOPES): Promise<TokenAnswer> {
  const code = (await authorize(scopes)).get('code') ?? '';
  const response = await postAuth('token', { grant_type: 'authorization_code', client_id: client.clientId, client_secret: client.clientSecret, code, redirect_uri: redirectUri });
  assert.equal(response.status, 200);
  return (await response.json()) as TokenAnswer;
}

function helix(path: string, token: string, init: { method?: string; body?: unknown; clientId?: string } = {}): Promise<Response> {
  return fetch(`${base}/mock/${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      'client-id': init.clientId ?? client.clientId,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** The status, exact Content-Type and JSON body of an answer. */
async function answer(response: Response): Promise<{ status: number; type: string | null; body: unknown }> {
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

const helixError = (status: number, error: string, message: string): { status: number; type: string; body: unknown } => ({ status, type: 'application/json', body: { error, status, message } });

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'twitch-fake-'));
  fake = await TwitchFake.start({ directory, client });
  fake.addUser(other);
  fake.addUser(dj);
  base = `http://127.0.0.1:${fake.port}`;
});

after(async () => {
  await fake.stop();
  await rm(directory, { recursive: true, force: true });
});

describe('the fake Twitch OAuth (id.twitch.tv)', () => {
  it('redirects with code, scope and state, and ignores a PKCE challenge as Twitch does', async () => {
    const query = await authorize(ALL_SCOPES, 'state-7', { code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', force_verify: 'true' });
    assert.equal(query.get('state'), 'state-7');
    assert.equal(query.get('scope'), ALL_SCOPES.join(' '));
    const response = await postAuth('token', { grant_type: 'authorization_code', client_id: client.clientId, client_secret: client.clientSecret, code: query.get('code') ?? '', redirect_uri: redirectUri });
    const tokens = (await answer(response)).body as TokenAnswer;
    assert.equal(response.status, 200);
    assert.deepEqual(tokens.scope, ALL_SCOPES);
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.expires_in, 4 * 3600);
    assert.ok(tokens.refresh_token);
  });

  it("refuses a used code, a wrong secret and a wrong redirect URI in Twitch's shape", async () => {
    const code = (await authorize(ALL_SCOPES)).get('code') ?? '';
    const exchange = { grant_type: 'authorization_code', client_id: client.clientId, client_secret: client.clientSecret, code, redirect_uri: redirectUri };
    const wrongRedirect = await answer(await postAuth('token', { ...exchange, redirect_uri: 'http://127.0.0.1:9/elsewhere' }));
    assert.deepEqual(wrongRedirect, { status: 400, type: 'application/json', body: { status: 400, message: 'Parameter redirect_uri does not match registered URI' } });
    // The code was spent by the refused attempt.
    const used = await answer(await postAuth('token', exchange));
    assert.deepEqual(used, { status: 400, type: 'application/json', body: { status: 400, message: 'Invalid authorization code' } });
    const secret = await answer(await postAuth('token', { ...exchange, client_secret: 'wrong' }));
    assert.deepEqual(secret.body, { status: 403, message: 'invalid client secret' });
    const unknown = await answer(await postAuth('token', { ...exchange, client_id: 'nobody' }));
    assert.deepEqual(unknown.body, { status: 400, message: 'invalid client' });
  });

  it('redirects with error=access_denied and the state when the user refuses', async () => {
    fake.oauth.refuseNextConsent();
    const query = await authorize(ALL_SCOPES, 'state-2');
    assert.deepEqual([query.get('error'), query.get('error_description'), query.get('state'), query.get('code')], ['access_denied', 'The user denied you access', 'state-2', null]);
  });

  it('validates a token given as OAuth (twurple) or Bearer, and refuses an unknown one', async () => {
    const tokens = await connect();
    for (const scheme of ['OAuth', 'Bearer']) {
      const validated = await answer(await fetch(`${base}/auth/validate`, { headers: { authorization: `${scheme} ${tokens.access_token}` } }));
      assert.equal(validated.status, 200);
      const body = validated.body as Record<string, unknown>;
      assert.deepEqual([body['client_id'], body['login'], body['user_id'], body['scopes']], [client.clientId, dj.login, dj.id, ALL_SCOPES]);
      assert.ok(typeof body['expires_in'] === 'number' && body['expires_in'] > 0);
    }
    const invalid = await answer(await fetch(`${base}/auth/validate`, { headers: { authorization: 'OAuth nope' } }));
    assert.deepEqual(invalid, { status: 401, type: 'application/json', body: { status: 401, message: 'invalid access token' } });
  });

  it('rotates the refresh token, and answers "Invalid refresh token" to a spent or revoked one', async () => {
    const tokens = await connect();
    const refresh = { grant_type: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret };
    const renewed = (await answer(await postAuth('token', { ...refresh, refresh_token: tokens.refresh_token }))).body as TokenAnswer;
    assert.notEqual(renewed.access_token, tokens.access_token);
    assert.notEqual(renewed.refresh_token, tokens.refresh_token);
    assert.deepEqual(renewed.scope, ALL_SCOPES);
    const spent = await answer(await postAuth('token', { ...refresh, refresh_token: tokens.refresh_token }));
    assert.deepEqual(spent, { status: 400, type: 'application/json', body: { status: 400, message: 'Invalid refresh token' } });
    const missing = await answer(await postAuth('token', refresh));
    assert.deepEqual(missing.body, { status: 400, message: 'missing refresh token' });

    fake.oauth.revokeRefreshTokens({ token: renewed.refresh_token });
    const revoked = await answer(await postAuth('token', { ...refresh, refresh_token: renewed.refresh_token }));
    assert.deepEqual(revoked.body, { status: 400, message: 'Invalid refresh token' });
  });

  it('revokes an access token and its grant with 200 and no body; refuses an unknown client and a dead token', async () => {
    const tokens = await connect();
    const unknownClient = await answer(await postAuth('revoke', { client_id: 'nobody', token: tokens.access_token }));
    assert.deepEqual(unknownClient, { status: 404, type: 'application/json', body: { status: 404, message: 'client does not exist' } });
    const revoked = await postAuth('revoke', { client_id: client.clientId, token: tokens.access_token });
    assert.deepEqual([revoked.status, await revoked.text()], [200, '']);
    assert.equal((await helix('users', tokens.access_token)).status, 401);
    const refresh = await answer(await postAuth('token', { grant_type: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret, refresh_token: tokens.refresh_token }));
    assert.deepEqual(refresh.body, { status: 400, message: 'Invalid refresh token' });
    const again = await answer(await postAuth('revoke', { client_id: client.clientId, token: tokens.access_token }));
    assert.deepEqual(again.body, { status: 400, message: 'Invalid token' });
  });
});

describe('the fake Helix API (/mock/...)', () => {
  it("answers the token's own user, with the rate-limit headers on every answer, errors included", async () => {
    const tokens = await connect();
    const users = await helix('users', tokens.access_token);
    const body = (await users.json()) as { data: Array<Record<string, unknown>> };
    assert.deepEqual([body.data.length, body.data[0]?.['id'], body.data[0]?.['login'], body.data[0]?.['display_name']], [1, dj.id, dj.login, dj.displayName]);
    const refused = await helix('users', 'nope');
    for (const response of [users, refused]) {
      assert.equal(response.headers.get('ratelimit-limit'), '800');
      assert.match(response.headers.get('ratelimit-remaining') ?? '', /^\d+$/);
      assert.ok(Number(response.headers.get('ratelimit-reset')) * 1000 > Date.now());
    }
    assert.ok(Number(users.headers.get('ratelimit-remaining')) < 800);
  });

  it('refuses a missing or unknown token and a Client-Id of another application with 401', async () => {
    const tokens = await connect();
    assert.deepEqual(await answer(await helix('users', 'nope')), helixError(401, 'Unauthorized', 'Invalid OAuth token'));
    assert.deepEqual(await answer(await fetch(`${base}/mock/users`, { headers: { 'client-id': client.clientId } })), helixError(401, 'Unauthorized', 'OAuth token is missing'));
    assert.deepEqual(await answer(await helix('users', tokens.access_token, { clientId: 'another-app' })), helixError(401, 'Unauthorized', 'Client ID and OAuth token do not match'));
    fake.oauth.expireAccessTokens();
    assert.deepEqual(await answer(await helix('users', tokens.access_token)), helixError(401, 'Unauthorized', 'Invalid OAuth token'));
  });

  it('PATCH /channels checks the scope, the broadcaster, the title and the category, then answers 204', async () => {
    const tokens = await connect();
    const readOnly = await connect([TWITCH_SCOPES.readStreamKey]);
    const patch = (body: unknown, token = tokens.access_token, broadcaster = dj.id): Promise<Response> => helix(`channels?broadcaster_id=${broadcaster}`, token, { method: 'PATCH', body });

    assert.deepEqual(await answer(await patch({ title: 'Set' }, readOnly.access_token)), helixError(401, 'Unauthorized', 'Missing scope: channel:manage:broadcast'));
    assert.deepEqual(
      await answer(await patch({ title: 'Set' }, tokens.access_token, other.id)),
      helixError(401, 'Unauthorized', "The ID in broadcaster_id must match the user ID found in the request's OAuth token."),
    );
    assert.deepEqual(await answer(await patch({ title: 'x'.repeat(141) })), helixError(400, 'Bad Request', 'Title is too long.'));
    assert.equal((await answer(await patch({ title: '' }))).status, 400);
    assert.equal((await answer(await patch({}))).status, 400);
    assert.equal((await answer(await patch({ title: 'Set', game_id: '999999999' }))).status, 400);
    // A refused request changes nothing, not even its valid fields.
    assert.deepEqual(fake.channel(dj.id), { title: '', gameId: '', gameName: '', language: 'en' });

    const accepted = await answer(await patch({ title: 'é'.repeat(140), game_id: '26936' }));
    assert.deepEqual([accepted.status, accepted.body], [204, undefined]);
    const read = (await (await helix(`channels?broadcaster_id=${dj.id}`, tokens.access_token)).json()) as { data: Array<Record<string, unknown>> };
    assert.deepEqual([read.data[0]?.['title'], read.data[0]?.['game_id'], read.data[0]?.['game_name']], ['é'.repeat(140), '26936', 'Music']);
    assert.equal((await answer(await patch({ game_id: '' }))).status, 204);
    assert.equal(fake.channel(dj.id).gameId, '');
  });

  it('GET /streams/key needs channel:read:stream_key and answers 403 with its words while the channel may not stream', async () => {
    const tokens = await connect();
    const manageOnly = await connect([TWITCH_SCOPES.manageBroadcast]);
    const key = await answer(await helix(`streams/key?broadcaster_id=${dj.id}`, tokens.access_token));
    assert.deepEqual(key.body, { data: [{ stream_key: fake.streamKey(dj.id) }] });
    assert.match(fake.streamKey(dj.id), /^live_141981764_[0-9a-f]{30}$/);
    assert.deepEqual(await answer(await helix(`streams/key?broadcaster_id=${dj.id}`, manageOnly.access_token)), helixError(401, 'Unauthorized', 'Missing scope: channel:read:stream_key'));
    fake.setCannotStream(dj.id);
    try {
      assert.deepEqual(await answer(await helix(`streams/key?broadcaster_id=${dj.id}`, tokens.access_token)), helixError(403, 'Forbidden', TWITCH_CANNOT_STREAM_MESSAGE));
    } finally {
      fake.setCannotStream(dj.id, null);
    }
  });

  it('answers 429 while the bucket is empty, with Ratelimit-Remaining 0 and the reset, and serves again after it', async () => {
    const tokens = await connect();
    fake.exhaustRateLimit(dj.id, 1500);
    const limited = await helix('users', tokens.access_token);
    assert.deepEqual(await answer(limited), helixError(429, 'Too Many Requests', 'Too Many Requests'));
    assert.equal(limited.headers.get('ratelimit-remaining'), '0');
    const reset = Number(limited.headers.get('ratelimit-reset'));
    await waitFor('the bucket to refill', async () => ((await helix('users', tokens.access_token)).status === 200 ? true : undefined), 5000, 250);
    // Nothing was served before the moment Ratelimit-Reset announced.
    assert.ok(Date.now() >= reset * 1000);
  });
});

describe("the fake's ingest (nginx-rtmp behind stunnel)", () => {
  async function streams(token: string): Promise<Array<Record<string, unknown>>> {
    return ((await (await helix(`streams?user_id=${dj.id}`, token)).json()) as { data: Array<Record<string, unknown>> }).data;
  }

  it('lists the channel in GET /streams while bytes arrive under its key, with the viewer count, and not after', async () => {
    const tokens = await connect();
    await helix(`channels?broadcaster_id=${dj.id}`, tokens.access_token, { method: 'PATCH', body: { title: 'Friday set', game_id: '26936' } });
    assert.deepEqual(await streams(tokens.access_token), []);
    let stream: DjStream | undefined;
    try {
      stream = publishAsDj(`${fake.ingestUrl}/${fake.streamKey(dj.id)}`, 60, { size: '320x240' });
      const listed = await waitFor('the channel to be live', async () => (await streams(tokens.access_token))[0], 20_000, 300);
      assert.deepEqual([listed['user_id'], listed['user_login'], listed['type'], listed['title'], listed['game_name']], [dj.id, dj.login, 'live', 'Friday set', 'Music']);
      fake.setViewerCount(dj.id, 17);
      assert.equal((await streams(tokens.access_token))[0]?.['viewer_count'], 17);
      assert.deepEqual(fake.publishes().at(-1), { key: fake.streamKey(dj.id), userId: dj.id, bandwidthTest: false });
      stream.process.kill('SIGINT');
      await stream.exited;
      await waitFor('the channel to be offline', async () => ((await streams(tokens.access_token)).length === 0 ? true : undefined), 10_000, 300);
    } finally {
      stream?.process.kill('SIGKILL');
    }
  });

  it('accepts a bandwidth test (?bandwidthtest=true), records it, and never lists the channel as live', async () => {
    const tokens = await connect();
    const key = fake.streamKey(dj.id);
    const before = fake.publishes().length;
    let stream: DjStream | undefined;
    try {
      stream = publishAsDj(`${fake.ingestUrl}/${key}?bandwidthtest=true`, 60, { size: '320x240' });
      await waitFor('bytes of the bandwidth test', () => (fake.bytesReceived(key) > 50_000 ? true : undefined), 20_000, 300);
      assert.deepEqual(fake.publishes().slice(before), [{ key, userId: dj.id, bandwidthTest: true }]);
      for (let poll = 0; poll < 3; poll += 1) {
        assert.deepEqual(await streams(tokens.access_token), []);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      assert.equal(fake.isLive(dj.id), false);
    } finally {
      stream?.process.kill('SIGKILL');
      await stream?.exited;
    }
  });

  it('drops a publish under an unknown key', async () => {
    const before = fake.publishes().length;
    const stream = publishAsDj(`${fake.ingestUrl}/live_0_wrong`, 30, { size: '320x240' });
    try {
      assert.notEqual(await stream.exited, 0);
    } finally {
      stream.process.kill('SIGKILL');
    }
    assert.equal(fake.publishes().length, before);
  });
});

describe('twurple 8 against the fake (TWURPLE_MOCK_API_PORT)', () => {
  it('exchanges a code, reads the user, sets the title and reads the stream key', async () => {
    process.env['TWURPLE_MOCK_API_PORT'] = String(fake.port);
    const code = (await authorize(ALL_SCOPES)).get('code') ?? '';
    const token = await exchangeCode(client.clientId, client.clientSecret, code, redirectUri);
    assert.deepEqual(token.scope, ALL_SCOPES);
    const api = new ApiClient({ authProvider: new StaticAuthProvider(client.clientId, token.accessToken) });
    const user = await api.users.getAuthenticatedUser(dj.id);
    assert.deepEqual([user.id, user.name], [dj.id, dj.login]);
    await api.channels.updateChannelInfo(dj.id, { title: 'From twurple', gameId: '509658' });
    assert.deepEqual(fake.channel(dj.id), { title: 'From twurple', gameId: '509658', gameName: 'Just Chatting', language: 'en' });
    assert.equal(await api.streams.getStreamKey(dj.id), fake.streamKey(dj.id));
    assert.equal(await api.streams.getStreamByUserId(dj.id), null);
  });
});
