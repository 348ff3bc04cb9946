import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KICK_SCOPES, KickFake, publishAsDj, waitFor, type DjStream } from '../src/index.js';

// The fake's contract over plain HTTP, as Kick documents it for OAuth 2.1 and as typed clients read
// its public API: what the publisher's Kick adapter speaks.

const client = { clientId: 'kick-client', clientSecret: 'kick-secret', redirectUris: ['http://localhost:9/api/platform-accounts/callback/kick'] };
const redirectUri = client.redirectUris[0] ?? '';
const user = { userId: 4242, name: 'ResidentDJ', slug: 'resident-dj' };

let directory: string;
let fake: KickFake;

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function authorize(options: { challenge?: string; scopes?: readonly string[] } = {}): Promise<URLSearchParams> {
  const query = new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: redirectUri, scope: (options.scopes ?? KICK_SCOPES).join(' '), state: 'kick-state' });
  if (options.challenge) {
    query.set('code_challenge', options.challenge);
    query.set('code_challenge_method', 'S256');
  }
  const response = await fetch(`${fake.authUrl}?${query.toString()}`, { redirect: 'manual' });
  assert.equal(response.status, 302);
  return new URL(response.headers.get('location') ?? '').searchParams;
}

async function token(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(fake.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function connect(scopes: readonly string[] = KICK_SCOPES): Promise<{ accessToken: string; refreshToken: string }> {
  const { verifier, challenge } = pkce();
  const code = (await authorize({ challenge, scopes })).get('code') ?? '';
  const answer = await token({ grant_type: 'authorization_code', client_id: client.clientId, client_secret: client.clientSecret, redirect_uri: redirectUri, code_verifier: verifier, code });
  return { accessToken: String(answer.body['access_token']), refreshToken: String(answer.body['refresh_token']) };
}

async function api(method: string, path: string, accessToken: string, json?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${fake.apiUrl}/${path}`, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

interface ChannelAnswer {
  data: Array<{ broadcaster_user_id: number; slug: string; stream_title: string; category: { id: number }; stream: { url: string; key: string; is_live: boolean; viewer_count: number } }>;
}

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'kick-fake-'));
  fake = await KickFake.start({ directory, client });
  fake.addUser(user);
});

after(async () => {
  await fake.stop();
  await rm(directory, { recursive: true, force: true });
});

describe('the fake Kick OAuth 2.1 server', () => {
  it('requires an S256 PKCE challenge at the authorize page', async () => {
    const query = await authorize();
    assert.equal(query.get('error'), 'invalid_request');
    assert.equal(query.get('code'), null);
  });

  it('exchanges the code (form-encoded, with its verifier) for tokens and a space-separated scope', async () => {
    const { verifier, challenge } = pkce();
    const query = await authorize({ challenge });
    assert.equal(query.get('state'), 'kick-state');
    const code = query.get('code') ?? '';
    const wrong = await token({ grant_type: 'authorization_code', client_id: client.clientId, client_secret: client.clientSecret, redirect_uri: redirectUri, code_verifier: 'x'.repeat(43), code });
    assert.deepEqual([wrong.status, wrong.body], [400, { error: 'Invalid request' }]);
    const again = await authorize({ challenge });
    const answer = await token({ grant_type: 'authorization_code', client_id: client.clientId, client_secret: client.clientSecret, redirect_uri: redirectUri, code_verifier: verifier, code: again.get('code') ?? '' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body['scope'], KICK_SCOPES.join(' '));
    assert.equal(typeof answer.body['expires_in'], 'number');
    assert.ok(answer.body['refresh_token']);
  });

  it('rotates the refresh token: the new one works, the used one is refused with Invalid request', async () => {
    const { refreshToken } = await connect();
    const refreshed = await token({ grant_type: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret, refresh_token: refreshToken });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body['refresh_token'], refreshToken);
    const reused = await token({ grant_type: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret, refresh_token: refreshToken });
    assert.deepEqual([reused.status, reused.body], [400, { error: 'Invalid request' }]);
    const next = await token({ grant_type: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret, refresh_token: String(refreshed.body['refresh_token']) });
    assert.equal(next.status, 200);
  });

  it('revokes with POST /oauth/revoke?token=&token_hint_type=: the API then answers 401 in its own shape', async () => {
    const { accessToken, refreshToken } = await connect();
    assert.equal((await api('GET', 'users', accessToken)).status, 200);
    const revoked = await fetch(`${fake.revokeUrl}?${new URLSearchParams({ token: refreshToken, token_hint_type: 'refresh_token' }).toString()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(revoked.status, 200);
    assert.deepEqual(await api('GET', 'users', accessToken), { status: 401, body: { data: {}, message: 'Unauthorized' } });
    const refresh = await token({ grant_type: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret, refresh_token: refreshToken });
    assert.deepEqual(refresh.body, { error: 'Invalid request' });
  });
});

describe('the fake Kick public API', () => {
  it('tells who the user is (/users) and their channel (/channels), the stream key only with streamkey:read', async () => {
    const { accessToken } = await connect();
    const users = await api('GET', 'users', accessToken);
    const me = (users.body as { data: Array<{ user_id: number; name: string }>; message: string });
    assert.deepEqual([me.data[0]?.user_id, me.data[0]?.name, me.message], [user.userId, user.name, 'OK']);
    const channel = (await api('GET', 'channels', accessToken)).body as ChannelAnswer;
    assert.equal(channel.data[0]?.slug, user.slug);
    assert.match(channel.data[0]?.stream.url ?? '', /^rtmps:\/\/127\.0\.0\.1:\d+\/app\/$/);
    assert.match(channel.data[0]?.stream.key ?? '', /^sk_us-west-2_/);

    const noKey = await connect(['user:read', 'channel:read']);
    const hidden = (await api('GET', 'channels', noKey.accessToken)).body as ChannelAnswer;
    assert.deepEqual([hidden.data[0]?.stream.url, hidden.data[0]?.stream.key], ['', '']);
    const refused = await api('PATCH', 'channels', noKey.accessToken, { stream_title: 'No scope' });
    assert.equal(refused.status, 403);
  });

  it('sets the stream title and category with PATCH /channels (204), checking them', async () => {
    const { accessToken } = await connect();
    assert.deepEqual(await api('PATCH', 'channels', accessToken, { stream_title: 'Friday set', category_id: 15 }), { status: 204, body: null });
    const channel = (await api('GET', 'channels', accessToken)).body as ChannelAnswer;
    assert.deepEqual([channel.data[0]?.stream_title, channel.data[0]?.category.id], ['Friday set', 15]);
    const long = await api('PATCH', 'channels', accessToken, { stream_title: 'x'.repeat(101) });
    assert.equal(long.status, 400);
    assert.equal((long.body as { message: string }).message, 'Bad request');
    assert.equal((await api('PATCH', 'channels', accessToken, {})).status, 400);
    assert.equal((await api('PATCH', 'channels', accessToken, { category_id: 987654 })).status, 404);
    assert.equal(fake.channel(user.userId)?.streamTitle, 'Friday set');
  });

  it('is live (channels stream.is_live, listed in /livestreams with its viewers) only while RTMPS bytes arrive under the key', async () => {
    const { accessToken } = await connect();
    const channel = ((await api('GET', 'channels', accessToken)).body as ChannelAnswer).data[0];
    const livestreams = async (): Promise<Array<{ broadcaster_user_id: number; viewer_count: number; stream_title: string }>> =>
      ((await api('GET', `livestreams?broadcaster_user_id=${user.userId}`, accessToken)).body as { data: Array<{ broadcaster_user_id: number; viewer_count: number; stream_title: string }> }).data;
    assert.deepEqual(await livestreams(), []);
    let dj: DjStream | undefined;
    try {
      dj = publishAsDj(`${channel?.stream.url ?? ''}${channel?.stream.key ?? ''}`, 60, { size: '320x240' });
      await waitFor('the channel to be live', async () => ((await livestreams()).length > 0 ? true : undefined), 20_000, 300);
      fake.setViewerCount(user.userId, 33);
      const [live] = await livestreams();
      assert.deepEqual([live?.broadcaster_user_id, live?.viewer_count], [user.userId, 33]);
      const own = ((await api('GET', 'channels', accessToken)).body as ChannelAnswer).data[0];
      assert.deepEqual([own?.stream.is_live, own?.stream.viewer_count], [true, 33]);
      dj.process.kill('SIGINT');
      await dj.exited;
      await waitFor('the channel to be offline', async () => ((await livestreams()).length === 0 ? true : undefined), 10_000, 300);
    } finally {
      dj?.process.kill('SIGKILL');
    }
  });

  it('answers planned faults as Kick and its edge do: 500, a Cloudflare block (403), a 429 with Retry-After', async () => {
    const { accessToken } = await connect();
    fake.failNext('server-error', { call: 'channels.update' });
    assert.equal((await api('PATCH', 'channels', accessToken, { stream_title: 'x' })).status, 500);
    fake.failNext('blocked');
    const blocked = await api('GET', 'users', accessToken);
    assert.equal(blocked.status, 403);
    assert.equal((blocked.body as { error: string }).error, 'Request blocked by security policy.');
    fake.failNext('rate-limited', { call: 'livestreams' });
    const limited = await fetch(`${fake.apiUrl}/livestreams`, { headers: { authorization: `Bearer ${accessToken}` } });
    assert.deepEqual([limited.status, limited.headers.get('retry-after')], [429, '2']);
    assert.ok(fake.calls('channels.update') >= 1);
  });
});
