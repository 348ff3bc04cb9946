import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FacebookFake, publishAsDj, waitFor, type DjStream } from '../src/index.js';

// The fake's Graph API contract over plain HTTP, as the publisher's Facebook adapter speaks it.

const client = { clientId: '1234567890', clientSecret: 'fake-app-secret', redirectUris: ['http://127.0.0.1:9/api/platform-accounts/callback/facebook'] };
const redirectUri = client.redirectUris[0] ?? '';
const user = { id: '100000000000001', name: 'Resident DJ' };
const page = { id: '200000000000001', name: 'Club Night', managers: [user.id] };
const youngPage = { id: '200000000000002', name: 'New Page', managers: [user.id], canGoLive: false };
const SCOPES = ['pages_show_list', 'pages_manage_posts', 'pages_read_engagement'];

let directory: string;
let fake: FacebookFake;

interface GraphErrorBody {
  error: { message: string; type: string; code: number; error_subcode?: number; error_user_msg?: string; fbtrace_id: string };
}

async function graph(method: string, path: string, token: string | null, params: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const url = new URL(`${fake.graphUrl}/${path}`);
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  let body: string | undefined;
  if (method === 'GET' || method === 'DELETE') {
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(params).toString();
  }
  const response = await fetch(url, { method, headers, body });
  return { status: response.status, body: (await response.json()) as unknown };
}

function graphError(answer: { body: unknown }): GraphErrorBody['error'] {
  return (answer.body as GraphErrorBody).error;
}

/** The dialog, followed as a browser would: the redirect's query. */
async function dialog(scopes = SCOPES, state = 'state-1'): Promise<URLSearchParams> {
  const url = new URL(fake.authUrl);
  url.search = new URLSearchParams({ client_id: client.clientId, redirect_uri: redirectUri, state, response_type: 'code', scope: scopes.join(',') }).toString();
  const response = await fetch(url, { redirect: 'manual' });
  assert.equal(response.status, 302);
  return new URL(response.headers.get('location') ?? '').searchParams;
}

async function tokenCall(params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${fake.tokenUrl}?${new URLSearchParams(params).toString()}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A long-lived user token and the page token from /me/accounts. */
async function connect(scopes = SCOPES): Promise<{ userToken: string; pageToken: string }> {
  const code = (await dialog(scopes)).get('code') ?? '';
  const short = await tokenCall({ client_id: client.clientId, client_secret: client.clientSecret, redirect_uri: redirectUri, code });
  const long = await tokenCall({ grant_type: 'fb_exchange_token', client_id: client.clientId, client_secret: client.clientSecret, fb_exchange_token: String(short.body['access_token']) });
  const userToken = String(long.body['access_token']);
  const accounts = await graph('GET', 'me/accounts', userToken, { fields: 'id,name,access_token,link' });
  const pages = (accounts.body as { data?: Array<{ id: string; access_token: string }> }).data ?? [];
  return { userToken, pageToken: pages.find((candidate) => candidate.id === page.id)?.access_token ?? '' };
}

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'facebook-fake-'));
  fake = await FacebookFake.start({ directory, client, processingMs: 300 });
  fake.addUser(user);
  fake.addPage(page);
  fake.addPage(youngPage);
});

after(async () => {
  await fake.stop();
  await rm(directory, { recursive: true, force: true });
});

describe('the fake Facebook login', () => {
  it('consents at once, exchanges the code for a short-lived token and that for a long-lived one, without refresh tokens', async () => {
    const query = await dialog();
    assert.equal(query.get('state'), 'state-1');
    const code = query.get('code') ?? '';
    const short = await tokenCall({ client_id: client.clientId, client_secret: client.clientSecret, redirect_uri: redirectUri, code });
    assert.equal(short.status, 200);
    assert.match(String(short.body['access_token']), /^EAAfake_access_/);
    assert.equal(short.body['refresh_token'], undefined);
    assert.equal(short.body['expires_in'], 3600);
    const long = await tokenCall({ grant_type: 'fb_exchange_token', client_id: client.clientId, client_secret: client.clientSecret, fb_exchange_token: String(short.body['access_token']) });
    assert.equal(long.status, 200);
    assert.equal(long.body['expires_in'], 5_183_944);
    assert.equal(long.body['refresh_token'], undefined);
    assert.notEqual(long.body['access_token'], short.body['access_token']);
    const permissions = await graph('GET', 'me/permissions', String(long.body['access_token']));
    assert.deepEqual(permissions.body, { data: SCOPES.map((permission) => ({ permission, status: 'granted' })) });
  });

  it('answers a reused code and a wrong app secret with Graph errors (HTTP 400)', async () => {
    const code = (await dialog()).get('code') ?? '';
    const wrongSecret = await tokenCall({ client_id: client.clientId, client_secret: 'nope', redirect_uri: redirectUri, code });
    assert.equal(wrongSecret.status, 400);
    assert.deepEqual([(wrongSecret.body as unknown as GraphErrorBody).error.code, (wrongSecret.body as unknown as GraphErrorBody).error.type], [1, 'OAuthException']);
    const fresh = (await dialog()).get('code') ?? '';
    assert.equal((await tokenCall({ client_id: client.clientId, client_secret: client.clientSecret, redirect_uri: redirectUri, code: fresh })).status, 200);
    const reused = await tokenCall({ client_id: client.clientId, client_secret: client.clientSecret, redirect_uri: redirectUri, code: fresh });
    assert.equal(reused.status, 400);
    assert.equal((reused.body as unknown as GraphErrorBody).error.code, 100);
  });

  it('redirects with error=access_denied when the person refuses', async () => {
    fake.oauth.refuseNextConsent();
    const query = await dialog(SCOPES, 'state-2');
    assert.equal(query.get('error'), 'access_denied');
    assert.equal(query.get('state'), 'state-2');
  });

  it('lists the managed pages with their own tokens, and needs pages_show_list for it', async () => {
    const { userToken } = await connect();
    const accounts = await graph('GET', 'me/accounts', userToken, { fields: 'id,name,access_token,link' });
    const pages = (accounts.body as { data: Array<Record<string, string>> }).data;
    assert.deepEqual(pages.map((found) => [found['id'], found['name'], found['link']]), [
      [page.id, page.name, `https://www.facebook.com/${page.id}`],
      [youngPage.id, youngPage.name, `https://www.facebook.com/${youngPage.id}`],
    ]);
    assert.ok(pages.every((found) => (found['access_token'] ?? '').length > 20));
    const me = await graph('GET', 'me', pages[0]?.['access_token'] ?? '');
    assert.deepEqual(me.body, { id: page.id, name: page.name });

    const narrow = await connect(['pages_manage_posts']);
    const refused = await graph('GET', 'me/accounts', narrow.userToken);
    assert.equal(refused.status, 403);
    assert.equal(graphError(refused).code, 200);
    assert.match(graphError(refused).message, /pages_show_list/);
  });

  it('tells an expired token (190/463) and a revoked grant (190/458) apart, for user and page tokens', async () => {
    const { userToken, pageToken } = await connect();
    const inspected = await graph('GET', 'debug_token', `${client.clientId}|${client.clientSecret}`, { input_token: pageToken });
    const data = (inspected.body as { data: Record<string, unknown> }).data;
    assert.deepEqual([data['type'], data['user_id'], data['profile_id'], data['expires_at'], data['is_valid']], ['PAGE', user.id, page.id, 0, true]);

    const revoked = await graph('DELETE', `${user.id}/permissions`, `${client.clientId}|${client.clientSecret}`);
    assert.deepEqual(revoked.body, { success: true });
    for (const token of [userToken, pageToken]) {
      const refused = await graph('GET', 'me', token);
      assert.equal(refused.status, 400);
      assert.deepEqual([graphError(refused).code, graphError(refused).error_subcode], [190, 458]);
    }

    const again = await connect();
    fake.oauth.expireAccessTokens();
    const expired = await graph('GET', 'me/permissions', again.userToken);
    assert.deepEqual([graphError(expired).code, graphError(expired).error_subcode], [190, 463]);
    // A page token from a long-lived user token has no expiry of its own.
    assert.equal((await graph('GET', 'me', again.pageToken)).status, 200);
    const garbage = await graph('GET', 'me', 'EAAnot-a-token');
    assert.deepEqual([graphError(garbage).code, graphError(garbage).error_subcode], [190, undefined]);
  });
});

describe('the fake Facebook live videos', () => {
  it('wants a page token of that page with both live permissions, a valid status, known fields, and an eligible page', async () => {
    const { userToken, pageToken } = await connect();
    const withUserToken = await graph('POST', `${page.id}/live_videos`, userToken, { title: 'Set', status: 'LIVE_NOW' });
    assert.deepEqual([withUserToken.status, graphError(withUserToken).code], [403, 210]);
    const narrow = await connect(['pages_show_list', 'pages_read_engagement']);
    const noPosts = await graph('POST', `${page.id}/live_videos`, narrow.pageToken, { title: 'Set', status: 'LIVE_NOW' });
    assert.deepEqual([noPosts.status, graphError(noPosts).code], [403, 200]);
    assert.match(graphError(noPosts).message, /pages_manage_posts/);
    const badStatus = await graph('POST', `${page.id}/live_videos`, pageToken, { title: 'Set', status: 'LIVE' });
    assert.deepEqual([badStatus.status, graphError(badStatus).code], [400, 100]);
    const longTitle = await graph('POST', `${page.id}/live_videos`, pageToken, { title: 'x'.repeat(256), status: 'LIVE_NOW' });
    assert.equal(graphError(longTitle).code, 100);

    const accounts = await graph('GET', 'me/accounts', (await connect()).userToken, { fields: 'id,access_token' });
    const youngToken = (accounts.body as { data: Array<{ id: string; access_token: string }> }).data.find((found) => found.id === youngPage.id)?.access_token ?? '';
    const young = await graph('POST', `${youngPage.id}/live_videos`, youngToken, { title: 'Set', status: 'LIVE_NOW' });
    assert.deepEqual([graphError(young).code, graphError(young).error_subcode], [200, 1363120]);
    assert.match(graphError(young).error_user_msg ?? '', /100 followers/);

    const created = await graph('POST', `${page.id}/live_videos`, pageToken, { status: 'UNPUBLISHED' });
    const id = (created.body as { id: string }).id;
    const unknownField = await graph('GET', id, pageToken, { fields: 'status,viewers' });
    assert.deepEqual([unknownField.status, graphError(unknownField).code], [400, 100]);
    assert.match(graphError(unknownField).message, /nonexisting field \(viewers\)/);
    const unknownVideo = await graph('GET', '999999999999999', pageToken, { fields: 'status' });
    assert.deepEqual([graphError(unknownVideo).code, graphError(unknownVideo).error_subcode], [100, 33]);
  });

  it('takes the token as the access_token parameter too, as Graph does', async () => {
    const { pageToken } = await connect();
    const response = await fetch(`${fake.graphUrl}/me?access_token=${encodeURIComponent(pageToken)}`);
    assert.deepEqual(await response.json(), { id: page.id, name: page.name });
  });

  it('keeps LIVE_NOW waiting for data, goes LIVE when RTMPS bytes arrive, reports viewers, updates, ends, then becomes a VOD', async () => {
    const { pageToken } = await connect();
    const created = await graph('POST', `${page.id}/live_videos`, pageToken, { title: 'Friday set', description: 'Live from the club', status: 'LIVE_NOW' });
    const answer = created.body as { id: string; stream_url: string; secure_stream_url: string };
    assert.match(answer.secure_stream_url, /^rtmps:\/\/127\.0\.0\.1:\d+\/app\/FB-\d+-0-[\w-]+\?s_bl=1&.*a=\w/);
    assert.match(answer.stream_url, /^rtmp:\/\//);
    const read = async (): Promise<{ status: string; live_views: number; ingest_streams: Array<{ stream_health?: unknown }>; permalink_url: string; title: string }> =>
      (await graph('GET', answer.id, pageToken, { fields: 'status,live_views,ingest_streams,permalink_url,title' })).body as never;
    const waiting = await read();
    assert.equal(waiting.status, 'UNPUBLISHED');
    assert.equal(waiting.ingest_streams[0]?.stream_health, undefined);
    assert.equal(waiting.permalink_url, `/${page.id}/videos/${answer.id}/`);

    let dj: DjStream | undefined;
    try {
      dj = publishAsDj(answer.secure_stream_url, 60, { size: '320x240' });
      const live = await waitFor('the live video to go LIVE', async () => ((await read()).status === 'LIVE' ? read() : undefined), 20_000, 300);
      assert.ok(live.ingest_streams[0]?.stream_health, 'a receiving ingest stream has stream_health');
      fake.setLiveViews(answer.id, 17);
      assert.equal((await read()).live_views, 17);

      const updated = await graph('POST', answer.id, pageToken, { title: 'Friday set, part two' });
      assert.deepEqual(updated.body, { id: answer.id });
      assert.equal((await read()).title, 'Friday set, part two');

      const ended = await graph('POST', answer.id, pageToken, { end_live_video: 'true' });
      assert.equal(ended.status, 200);
      assert.equal((await read()).status, 'LIVE_STOPPED');
    } finally {
      dj?.process.kill('SIGKILL');
    }
    await waitFor('the ended video to become a VOD', async () => ((await read()).status === 'VOD' ? true : undefined), 10_000, 200);
    const endedTwice = await graph('POST', answer.id, pageToken, { end_live_video: 'true' });
    assert.equal(graphError(endedTwice).code, 100);
  });

  it('keeps an UNPUBLISHED video a preview while data arrives, until it is published', async () => {
    const { pageToken } = await connect();
    const created = (await graph('POST', `${page.id}/live_videos`, pageToken, { title: 'Rehearsal', status: 'UNPUBLISHED' })).body as { id: string; secure_stream_url: string };
    const read = async (): Promise<{ status: string; ingest_streams: Array<{ stream_health?: unknown }> }> =>
      (await graph('GET', created.id, pageToken, { fields: 'status,ingest_streams' })).body as never;
    let dj: DjStream | undefined;
    try {
      dj = publishAsDj(created.secure_stream_url, 60, { size: '320x240' });
      await waitFor('the preview to receive', async () => ((await read()).ingest_streams[0]?.stream_health ? true : undefined), 20_000, 300);
      assert.equal((await read()).status, 'UNPUBLISHED');
      assert.equal(fake.liveVideo(created.id)?.status, 'UNPUBLISHED');
      const listed = await graph('GET', `${page.id}/live_videos`, pageToken, { fields: 'id,status,title', broadcast_status: '["UNPUBLISHED"]' });
      assert.ok((listed.body as { data: Array<{ id: string }> }).data.some((video) => video.id === created.id));

      await graph('POST', created.id, pageToken, { status: 'LIVE_NOW' });
      assert.equal((await read()).status, 'LIVE');
    } finally {
      dj?.process.kill('SIGKILL');
    }
  });

  it('answers planned faults (500 in Graph shape, an HTML page) and counts every call', async () => {
    const { pageToken } = await connect();
    const before = fake.calls('live_videos.create');
    const videosBefore = fake.liveVideos(page.id).length;
    fake.failNext('server-error', { call: 'live_videos.create' });
    const failed = await graph('POST', `${page.id}/live_videos`, pageToken, { title: 'Set', status: 'LIVE_NOW' });
    assert.deepEqual([failed.status, graphError(failed).code], [500, 2]);
    fake.failNext('html', { call: 'live_videos.create' });
    const html = await fetch(`${fake.graphUrl}/${page.id}/live_videos`, { method: 'POST', headers: { authorization: `Bearer ${pageToken}` }, body: new URLSearchParams({ status: 'LIVE_NOW' }) });
    assert.equal(html.status, 502);
    assert.match(await html.text(), /^<!DOCTYPE html>/);
    assert.equal(fake.liveVideos(page.id).length, videosBefore, 'a fault before the work creates nothing');
    fake.failNext('server-error', { call: 'live_videos.create', afterDoing: true });
    await graph('POST', `${page.id}/live_videos`, pageToken, { title: 'Lost answer', status: 'LIVE_NOW' });
    assert.equal(fake.liveVideos(page.id).length, videosBefore + 1, 'a fault after the work created it all the same');
    assert.equal(fake.calls('live_videos.create'), before + 3);
  });
});
