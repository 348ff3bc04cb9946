import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { adapterTestConfig, callContext, RefsStore, refusal } from '../adapter-tests.test-helper.js';
import type { PlatformCallContext } from '../platform-adapter.js';
import { ScriptedFetch } from '../scripted-fetch.test-helper.js';
import { FacebookAdapter } from './facebook.adapter.js';

const GRAPH = 'https://graph.example.test/v23.0';
const env = {
  FACEBOOK_APP_ID: 'app-id-1',
  FACEBOOK_APP_SECRET: 'app-secret-1',
  FACEBOOK_GRAPH_URL: GRAPH,
  FACEBOOK_AUTH_URL: 'https://www.example.test/v23.0/dialog/oauth',
};
const adapter = new FacebookAdapter(adapterTestConfig(env));
const http = new ScriptedFetch();
const PUSH = 'rtmps://live-api-s.example.test:443/rtmp/FB-987-0-AbSecret?s_bl=1&s_vt=api-s&a=AbToo';

function context(overrides: Partial<PlatformCallContext> = {}): PlatformCallContext {
  return callContext({ accountId: 'account-1', externalId: '200001', accessToken: 'page-token-1', title: 'Friday set', description: 'Live from the club', ...overrides });
}

beforeEach(() => http.install());
afterEach(() => http.restore());

describe('FacebookAdapter.oauth', () => {
  it('asks for the page permissions the Live Video API needs, without PKCE, and names what is not configured', () => {
    assert.deepEqual([...adapter.oauth.scopes], ['pages_show_list', 'pages_manage_posts', 'pages_read_engagement']);
    assert.equal(adapter.oauth.usesPkce, false);
    assert.deepEqual(adapter.oauth.missingConfiguration(), []);
    const bare = new FacebookAdapter(adapterTestConfig({}));
    assert.deepEqual(bare.oauth.missingConfiguration(), ['FACEBOOK_APP_ID', 'FACEBOOK_APP_SECRET']);
  });

  it('builds the login dialog URL with a comma-separated scope', () => {
    const url = new URL(adapter.oauth.authorizeUrl({ state: 'signed-state', redirectUri: 'https://sc.example/api/platform-accounts/callback/facebook', codeChallenge: null }));
    assert.equal(`${url.origin}${url.pathname}`, env.FACEBOOK_AUTH_URL);
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      client_id: 'app-id-1',
      redirect_uri: 'https://sc.example/api/platform-accounts/callback/facebook',
      state: 'signed-state',
      response_type: 'code',
      scope: 'pages_show_list,pages_manage_posts,pages_read_engagement',
    });
  });

  it('exchanges the code, then the short-lived token for a long-lived one, and reads the permissions granted', async () => {
    http.answer(
      { json: { access_token: 'short-1', token_type: 'bearer', expires_in: 5400 } },
      { json: { access_token: 'long-1', token_type: 'bearer', expires_in: 5_183_944 } },
      { json: { data: [{ permission: 'pages_show_list', status: 'granted' }, { permission: 'pages_manage_posts', status: 'declined' }, { permission: 'pages_read_engagement', status: 'granted' }] } },
    );
    const tokens = await adapter.oauth.exchangeCode({ code: 'code-1', redirectUri: 'https://sc.example/cb', codeVerifier: null });
    assert.equal(`${http.request(0).method} ${http.request(0).url.origin}${http.request(0).url.pathname}`, `GET ${GRAPH}/oauth/access_token`);
    assert.deepEqual(http.params(0), { client_id: 'app-id-1', client_secret: 'app-secret-1', redirect_uri: 'https://sc.example/cb', code: 'code-1' });
    assert.deepEqual(http.params(1), { grant_type: 'fb_exchange_token', client_id: 'app-id-1', client_secret: 'app-secret-1', fb_exchange_token: 'short-1' });
    assert.equal(http.request(2).url.pathname, '/v23.0/me/permissions');
    assert.equal(http.request(2).headers.get('authorization'), 'Bearer long-1');
    assert.equal(tokens.accessToken, 'long-1');
    assert.equal(tokens.refreshToken, null);
    assert.deepEqual(tokens.scopes, ['pages_show_list', 'pages_read_engagement']);
    const days = ((tokens.expiresAt?.getTime() ?? 0) - Date.now()) / 86_400_000;
    assert.ok(days > 59 && days < 61, `about 60 days, not ${days}`);
  });

  it('says a refused code in words without the secret or the code', async () => {
    http.answer({ status: 400, json: { error: { message: 'This authorization code has been used.', type: 'OAuthException', code: 100, fbtrace_id: 'x' } } });
    const error = await refusal(adapter.oauth.exchangeCode({ code: 'code-secret-9', redirectUri: 'https://sc.example/cb', codeVerifier: null }));
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /^Facebook \(exchanging the sign-in code\): Facebook refused the sign-in: This authorization code has been used\.$/);
    assert.doesNotMatch(error.message, /app-secret-1|code-secret-9/);
  });

  it('cannot refresh: Facebook gives no refresh token', async () => {
    const error = await refusal(adapter.oauth.refresh('anything'));
    assert.deepEqual([error.kind, error.message], ['revoked', 'Facebook gives no refresh token; reconnect the Facebook account']);
  });

  it('revokes the grant of the person behind the page token, as the app', async () => {
    http.answer({ json: { data: { app_id: 'app-id-1', type: 'PAGE', is_valid: true, user_id: '100001', profile_id: '200001' } } }, { json: { success: true } });
    await adapter.oauth.revoke({ accessToken: 'page-token-1', refreshToken: null });
    assert.equal(http.request(0).url.pathname, '/v23.0/debug_token');
    assert.equal(http.request(0).url.searchParams.get('input_token'), 'page-token-1');
    assert.equal(http.request(0).headers.get('authorization'), 'Bearer app-id-1|app-secret-1');
    assert.equal(`${http.request(1).method} ${http.request(1).url.pathname}`, 'DELETE /v23.0/100001/permissions');
    assert.equal(http.request(1).headers.get('authorization'), 'Bearer app-id-1|app-secret-1');
  });

  it('answers the managed pages with their tokens for the publisher to choose from', async () => {
    http.answer({ json: { data: [{ id: '200001', name: 'Club Night', access_token: 'page-token-1', link: 'https://www.facebook.com/clubnight' }, { id: '200002', name: 'Other', access_token: 'page-token-2' }] } });
    const identity = await adapter.oauth.identify('user-token-1');
    assert.equal(http.request().url.pathname, '/v23.0/me/accounts');
    assert.equal(http.request().url.searchParams.get('fields'), 'id,name,access_token,link');
    assert.equal(http.request().headers.get('authorization'), 'Bearer user-token-1');
    assert.deepEqual(identity, {
      pages: [
        { id: '200001', name: 'Club Night', channelUrl: 'https://www.facebook.com/clubnight', accessToken: 'page-token-1' },
        { id: '200002', name: 'Other', channelUrl: 'https://www.facebook.com/200002', accessToken: 'page-token-2' },
      ],
    });
  });
});

describe('FacebookAdapter.broadcaster', () => {
  const broadcaster = adapter.broadcaster;

  it('creates a LIVE_NOW live video on the page (Live), saving the request and then its id at once, and pushes to its RTMPS URL', async () => {
    http.answer({ json: { id: '987', stream_url: PUSH, secure_stream_url: PUSH } }, { json: { id: '987', status: 'UNPUBLISHED', secure_stream_url: PUSH, permalink_url: '/200001/videos/987/' } });
    const refs = new RefsStore();
    const ingest = await broadcaster.prepare(context(), {}, refs.save);
    const create = http.request(0);
    assert.equal(`${create.method} ${create.url.pathname}`, 'POST /v23.0/200001/live_videos');
    assert.equal(create.headers.get('authorization'), 'Bearer page-token-1');
    assert.deepEqual(http.params(0), { title: 'Friday set', description: 'Live from the club', status: 'LIVE_NOW' });
    assert.equal(http.request(1).url.searchParams.get('fields'), 'status,secure_stream_url,permalink_url');
    assert.equal(refs.saves.length, 2);
    assert.ok(refs.saves[0]?.['createRequestedAt'] && !refs.saves[0]['liveVideoId'], 'the request is saved before the creation call');
    assert.equal(refs.saves[1]?.['liveVideoId'], '987');
    assert.deepEqual(ingest, { pushUrl: PUSH, secret: 'FB-987-0-AbSecret?s_bl=1&s_vt=api-s&a=AbToo', watchUrl: 'https://www.facebook.com/200001/videos/987/' });
  });

  it('creates an UNPUBLISHED preview in Test', async () => {
    http.answer({ json: { id: '988', secure_stream_url: PUSH } }, { json: { id: '988', status: 'UNPUBLISHED', secure_stream_url: PUSH } });
    await broadcaster.prepare(context({ environment: 'test' }), {}, new RefsStore().save);
    assert.equal(http.params(0)['status'], 'UNPUBLISHED');
  });

  it('resumes from a saved id without creating another', async () => {
    http.answer({ json: { id: '987', status: 'UNPUBLISHED', secure_stream_url: PUSH, permalink_url: 'https://www.facebook.com/x/videos/987/' } });
    const refs = new RefsStore();
    const ingest = await broadcaster.prepare(context(), { liveVideoId: '987' }, refs.save);
    assert.equal(http.requests.length, 1);
    assert.equal(`${http.request().method} ${http.request().url.pathname}`, 'GET /v23.0/987');
    assert.equal(ingest.watchUrl, 'https://www.facebook.com/x/videos/987/');
    assert.equal(refs.saves.length, 0);
  });

  it('finds the video that a creation call whose answer was lost made, instead of making another', async () => {
    const requestedAt = new Date(Date.now() - 30_000).toISOString();
    http.answer(
      {
        json: {
          data: [
            { id: '990', title: 'Friday set', description: 'Live from the club', status: 'VOD', creation_time: '2030-01-01T00:00:00+0000' },
            { id: '989', title: 'Friday set', description: 'Live from the club', status: 'UNPUBLISHED', creation_time: new Date().toISOString().replace(/\.\d+Z$/, '+0000') },
          ],
        },
      },
      { json: { id: '989', status: 'UNPUBLISHED', secure_stream_url: PUSH } },
    );
    const refs = new RefsStore();
    await broadcaster.prepare(context(), { createRequestedAt: requestedAt }, refs.save);
    assert.equal(http.request(0).url.pathname, '/v23.0/200001/live_videos');
    assert.equal(http.request(0).method, 'GET');
    assert.equal(http.requests.some((request) => request.method === 'POST'), false);
    assert.deepEqual(refs.saves, [{ createRequestedAt: requestedAt, liveVideoId: '989' }]);
  });

  it('creates anew when the earlier creation call made nothing', async () => {
    http.answer({ json: { data: [] } }, { json: { id: '991', secure_stream_url: PUSH } }, { json: { id: '991', status: 'UNPUBLISHED', secure_stream_url: PUSH } });
    const refs = new RefsStore();
    await broadcaster.prepare(context(), { createRequestedAt: new Date().toISOString() }, refs.save);
    assert.equal(http.request(1).method, 'POST');
    assert.equal(refs.saves.at(-1)?.['liveVideoId'], '991');
  });

  it('refuses before calling: a title over 255 characters, a video that already ended, no RTMPS address', async () => {
    const long = await refusal(broadcaster.prepare(context({ title: 'x'.repeat(256) }), {}, new RefsStore().save));
    assert.deepEqual([long.kind, http.requests.length], ['refused', 0]);
    assert.match(long.message, /at most 255 characters/);
    http.answer({ json: { id: '987', status: 'VOD', secure_stream_url: PUSH } });
    const ended = await refusal(broadcaster.prepare(context(), { liveVideoId: '987' }, new RefsStore().save));
    assert.match(ended.message, /already ended on Facebook \(VOD\)/);
    http.answer({ json: { id: '987', status: 'UNPUBLISHED', stream_url: 'rtmp://plain.example/rtmp/FB-987' } });
    const plain = await refusal(broadcaster.prepare(context(), { liveVideoId: '987' }, new RefsStore().save));
    assert.match(plain.message, /RTMPS only/);
  });

  it('is a transient error when Facebook answers HTML during creation, with the request saved but no id', async () => {
    http.answer({ status: 502, text: '<!DOCTYPE html><html>Sorry, something went wrong.</html>' });
    const refs = new RefsStore();
    const error = await refusal(broadcaster.prepare(context(), {}, refs.save));
    assert.equal(error.kind, 'transient');
    assert.match(error.message, /HTML page/);
    assert.equal(refs.saves.length, 1);
    assert.equal(refs.saves[0]?.['liveVideoId'], undefined);
  });

  it('observes: LIVE with a healthy ingest is live with its viewers; a Test preview receiving is testing; ended is complete', async () => {
    const healthy = [{ id: '1', stream_health: { video_bitrate: 2_500_000 } }];
    http.answer(
      { json: { id: '987', status: 'LIVE', live_views: 12, ingest_streams: healthy } },
      { json: { id: '987', status: 'UNPUBLISHED', live_views: 0, ingest_streams: healthy } },
      { json: { id: '987', status: 'UNPUBLISHED', live_views: 0, ingest_streams: healthy } },
      { json: { id: '987', status: 'UNPUBLISHED', live_views: 0, ingest_streams: [{ id: '1' }] } },
      { json: { id: '987', status: 'VOD', live_views: 0, ingest_streams: [] } },
    );
    const refs = { liveVideoId: '987' };
    assert.deepEqual(await broadcaster.observe(context(), refs, true), { receiving: true, onAir: 'live', viewers: 12 });
    assert.equal(http.request().url.searchParams.get('fields'), 'status,live_views,ingest_streams');
    assert.deepEqual(await broadcaster.observe(context({ environment: 'test' }), refs, true), { receiving: true, onAir: 'testing', viewers: null });
    // In Live, a LIVE_NOW video that receives but is not LIVE yet is not on air.
    assert.deepEqual(await broadcaster.observe(context(), refs, true), { receiving: true, onAir: null, viewers: null });
    assert.deepEqual(await broadcaster.observe(context({ environment: 'test' }), refs, true), { receiving: false, onAir: null, viewers: null });
    assert.equal((await broadcaster.observe(context(), refs, false)).onAir, 'complete');
  });

  it('updates the title with POST /{id}', async () => {
    http.answer({ json: { id: '987' } });
    await broadcaster.updateText(context(), { liveVideoId: '987' }, { title: 'New title' });
    assert.equal(`${http.request().method} ${http.request().url.pathname}`, 'POST /v23.0/987');
    assert.deepEqual(http.params(), { title: 'New title' });
  });

  it('ends with end_live_video=true, once: an ended video is left alone', async () => {
    http.answer({ json: { id: '987', status: 'LIVE' } }, { json: { id: '987' } });
    await broadcaster.end(context(), { liveVideoId: '987' });
    assert.equal(`${http.request(1).method} ${http.request(1).url.pathname}`, 'POST /v23.0/987');
    assert.deepEqual(http.params(1), { end_live_video: 'true' });
    http.install();
    http.answer({ json: { id: '987', status: 'VOD' } });
    await broadcaster.end(context(), { liveVideoId: '987' });
    assert.equal(http.requests.length, 1);
    http.install();
    await broadcaster.end(context(), {});
    assert.equal(http.requests.length, 0);
  });
});
