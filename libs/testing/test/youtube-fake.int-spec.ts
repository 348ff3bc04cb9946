import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auth as googleAuth, youtube, type youtube_v3 } from '@googleapis/youtube';
import { publishAsDj, waitFor, YOUTUBE_SCOPES, YouTubeFake, type DjStream } from '../src/index.js';

// The real googleapis YouTube client and google-auth-library's OAuth2Client against the fake, as
// the publisher will use them: every assertion here is about the contract they see.

// google-auth-library's OAuth2Client, as @googleapis/youtube re-exports it (the same class it uses).
const OAuth2Client = googleAuth.OAuth2;
type OAuth2Client = InstanceType<typeof googleAuth.OAuth2>;
type AuthUrlOptions = NonNullable<Parameters<OAuth2Client['generateAuthUrl']>[0]>;

const client = { clientId: 'streamcaster.apps.fake', clientSecret: 'fake-secret', redirectUris: ['http://127.0.0.1:9/api/platform-accounts/callback/youtube'] };
const redirectUri = client.redirectUris[0] ?? '';
const channel = { id: 'UCfakeChannel0000000000a', title: 'DJ Fake Radio' };

let directory: string;
let fake: YouTubeFake;

function oauthClient(): OAuth2Client {
  return new OAuth2Client({
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    redirectUri,
    endpoints: { oauth2AuthBaseUrl: fake.authUrl, oauth2TokenUrl: fake.tokenUrl, oauth2RevokeUrl: fake.revokeUrl },
  });
}

/** Follows the authorize page as a browser would, and returns the redirect's query. */
async function authorize(auth: OAuth2Client, options: { state: string; codeChallenge?: string }): Promise<URLSearchParams> {
  const url = auth.generateAuthUrl({
    access_type: 'offline',
    scope: [...YOUTUBE_SCOPES],
    state: options.state,
    ...(options.codeChallenge ? { code_challenge: options.codeChallenge, code_challenge_method: 'S256' as AuthUrlOptions['code_challenge_method'] } : {}),
  });
  const response = await fetch(url, { redirect: 'manual' });
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get('location') ?? '');
  assert.equal(`${location.origin}${location.pathname}`, redirectUri);
  return location.searchParams;
}

/** A client already connected to the channel: the authorization-code flow with PKCE. */
async function connectedClient(): Promise<{ auth: OAuth2Client; api: youtube_v3.Youtube }> {
  const auth = oauthClient();
  const { codeVerifier, codeChallenge } = await auth.generateCodeVerifierAsync();
  const query = await authorize(auth, { state: 'connect', codeChallenge });
  const { tokens } = await auth.getToken({ code: query.get('code') ?? '', codeVerifier });
  auth.setCredentials(tokens);
  return { auth, api: youtube({ version: 'v3', auth, rootUrl: fake.apiUrl }) };
}

/** The HTTP status and Google reason of a rejected call, as the GaxiosError carries them. */
async function refusal(call: Promise<unknown>): Promise<{ status: number | undefined; reason: string | undefined; body: unknown }> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: { status?: number; data?: unknown } }).response;
    const data = response?.data as { error?: { errors?: { reason?: string }[] } | string } | undefined;
    const reason = typeof data?.error === 'string' ? data.error : data?.error?.errors?.[0]?.reason;
    return { status: response?.status, reason, body: data };
  }
  assert.fail('the call was expected to be refused');
}

const broadcastBody = (title: string): youtube_v3.Schema$LiveBroadcast => ({
  snippet: { title, description: 'A set', scheduledStartTime: new Date().toISOString() },
  status: { privacyStatus: 'private', selfDeclaredMadeForKids: false },
  contentDetails: { enableAutoStart: false, enableAutoStop: false, monitorStream: { enableMonitorStream: true } },
});

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'youtube-fake-'));
  fake = await YouTubeFake.start({ directory, client });
  fake.addChannel(channel);
});

after(async () => {
  await fake.stop();
  await rm(directory, { recursive: true, force: true });
});

describe('the fake Google OAuth server', () => {
  it('redirects with code and state, and exchanges the code with its PKCE verifier', async () => {
    const auth = oauthClient();
    const { codeVerifier, codeChallenge } = await auth.generateCodeVerifierAsync();
    const query = await authorize(auth, { state: 'state-1', codeChallenge });
    assert.equal(query.get('state'), 'state-1');
    const { tokens } = await auth.getToken({ code: query.get('code') ?? '', codeVerifier });
    assert.match(tokens.access_token ?? '', /^ya29\.fake_access_/);
    assert.ok(tokens.refresh_token);
    assert.ok((tokens.expiry_date ?? 0) > Date.now());
    assert.deepEqual(tokens.scope?.split(' '), [...YOUTUBE_SCOPES]);
  });

  it('refuses a wrong verifier and a code used twice with invalid_grant', async () => {
    const auth = oauthClient();
    const { codeChallenge } = await auth.generateCodeVerifierAsync();
    const query = await authorize(auth, { state: 's', codeChallenge });
    const code = query.get('code') ?? '';
    const wrong = await refusal(auth.getToken({ code, codeVerifier: 'x'.repeat(50) }));
    assert.deepEqual([wrong.status, wrong.reason], [400, 'invalid_grant']);
    const reused = await refusal(auth.getToken({ code, codeVerifier: 'x'.repeat(50) }));
    assert.equal(reused.reason, 'invalid_grant');
  });

  it('refuses a wrong client secret with invalid_client', async () => {
    const auth = oauthClient();
    const query = await authorize(auth, { state: 's' });
    const stranger = new OAuth2Client({ clientId: client.clientId, clientSecret: 'wrong', redirectUri, endpoints: { oauth2TokenUrl: fake.tokenUrl } });
    const refused = await refusal(stranger.getToken(query.get('code') ?? ''));
    assert.deepEqual([refused.status, refused.reason], [401, 'invalid_client']);
  });

  it('redirects with error=access_denied and the state when the user refuses', async () => {
    fake.oauth.refuseNextConsent();
    const query = await authorize(oauthClient(), { state: 'state-2' });
    assert.equal(query.get('error'), 'access_denied');
    assert.equal(query.get('state'), 'state-2');
    assert.equal(query.get('code'), null);
  });

  it('refreshes until the refresh token is revoked, then answers invalid_grant', async () => {
    const { auth } = await connectedClient();
    const refreshToken = auth.credentials.refresh_token ?? '';
    const fromStorage = (): OAuth2Client => {
      const restored = oauthClient();
      restored.setCredentials({ refresh_token: refreshToken });
      return restored;
    };
    const { token } = await fromStorage().getAccessToken();
    assert.ok(token);
    assert.notEqual(token, auth.credentials.access_token);
    await auth.revokeToken(refreshToken);
    const refused = await refusal(fromStorage().getAccessToken());
    assert.deepEqual([refused.status, refused.reason], [400, 'invalid_grant']);
  });
});

describe('the fake YouTube Live API', () => {
  it('tells who the account is with channels.list?mine=true', async () => {
    const { api } = await connectedClient();
    const { data } = await api.channels.list({ part: ['snippet'], mine: true });
    assert.equal(data.items?.[0]?.id, channel.id);
    assert.equal(data.items?.[0]?.snippet?.title, channel.title);
  });

  it('answers 401 authError to an expired token, and the client refreshes by itself', async () => {
    const { auth } = await connectedClient();
    const stale = auth.credentials.access_token ?? '';
    fake.oauth.expireAccessTokens();
    const raw = await fetch(`${fake.apiUrl}youtube/v3/channels?part=id&mine=true`, { headers: { authorization: `Bearer ${stale}` } });
    assert.equal(raw.status, 401);
    const body = (await raw.json()) as { error: { code: number; errors: { reason: string }[]; status: string } };
    assert.deepEqual([body.error.code, body.error.errors[0]?.reason, body.error.status], [401, 'authError', 'UNAUTHENTICATED']);
    // A client that knows no expiry (tokens read back from storage) refreshes on the 401 and retries.
    const restored = oauthClient();
    restored.setCredentials({ access_token: stale, refresh_token: auth.credentials.refresh_token });
    const { data } = await youtube({ version: 'v3', auth: restored, rootUrl: fake.apiUrl }).channels.list({ part: ['id'], mine: true });
    assert.equal(data.items?.[0]?.id, channel.id);
    assert.notEqual(restored.credentials.access_token, stale);
  });

  it('refuses a token without a YouTube scope with 403 insufficientPermissions', async () => {
    const auth = oauthClient();
    const url = auth.generateAuthUrl({ scope: ['openid'], state: 's' });
    const code = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '').searchParams.get('code') ?? '';
    auth.setCredentials((await auth.getToken(code)).tokens);
    const refused = await refusal(youtube({ version: 'v3', auth, rootUrl: fake.apiUrl }).liveBroadcasts.insert({ part: ['snippet', 'status'], requestBody: broadcastBody('Set') }));
    assert.deepEqual([refused.status, refused.reason], [403, 'insufficientPermissions']);
  });

  it('checks the fields the real API requires, with its reasons', async () => {
    const { api } = await connectedClient();
    const noStart = broadcastBody('Set');
    delete noStart.snippet?.scheduledStartTime;
    assert.deepEqual(Object.values(await refusal(api.liveBroadcasts.insert({ part: ['snippet', 'status'], requestBody: noStart }))).slice(0, 2), [400, 'scheduledStartTimeRequired']);
    const noPrivacy = { ...broadcastBody('Set'), status: {} };
    assert.equal((await refusal(api.liveBroadcasts.insert({ part: ['snippet', 'status'], requestBody: noPrivacy }))).reason, 'privacyStatusRequired');
    const long = await refusal(api.liveBroadcasts.insert({ part: ['snippet', 'status'], requestBody: broadcastBody('x'.repeat(101)) }));
    assert.deepEqual([long.status, long.reason], [400, 'invalidTitle']);
    const hundred = await api.liveBroadcasts.insert({ part: ['snippet', 'status'], requestBody: broadcastBody('y'.repeat(100)) });
    assert.equal(hundred.data.snippet?.title?.length, 100);
    const noFrameRate = await refusal(api.liveStreams.insert({ part: ['snippet', 'cdn'], requestBody: { snippet: { title: 'S' }, cdn: { ingestionType: 'rtmp', resolution: 'variable' } } }));
    assert.deepEqual([noFrameRate.status, noFrameRate.reason], [400, 'frameRateRequired']);
    // googleapis checks `part` itself, so the missing-part answer is read over plain HTTP.
    const token = (await connectedClient()).auth.credentials.access_token ?? '';
    const raw = await fetch(`${fake.apiUrl}youtube/v3/liveBroadcasts?mine=true`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await raw.json()) as { error: { errors: { reason: string; location: string }[] } };
    assert.equal(raw.status, 400);
    assert.deepEqual([body.error.errors[0]?.reason, body.error.errors[0]?.location], ['required', 'part']);
  });

  it('answers 404 liveBroadcastNotFound to an unknown id', async () => {
    const { api } = await connectedClient();
    const refused = await refusal(api.liveBroadcasts.transition({ id: 'nope0000000', broadcastStatus: 'live', part: ['status'] }));
    assert.deepEqual([refused.status, refused.reason], [404, 'liveBroadcastNotFound']);
    assert.deepEqual((refused.body as { error: { status: string } }).error.status, 'NOT_FOUND');
  });

  it('goes live only once bytes arrive at the ingest, then refuses a redundant transition and completes', async () => {
    const { api } = await connectedClient();
    const stream = (await api.liveStreams.insert({ part: ['snippet', 'cdn', 'status', 'contentDetails'], requestBody: { snippet: { title: 'StreamCaster' }, cdn: { ingestionType: 'rtmp', resolution: 'variable', frameRate: 'variable' } } })).data;
    const ingestion = stream.cdn?.ingestionInfo;
    assert.match(ingestion?.rtmpsIngestionAddress ?? '', /^rtmps:\/\/127\.0\.0\.1:\d+\/app$/);
    assert.match(ingestion?.ingestionAddress ?? '', /^rtmp:\/\/127\.0\.0\.1:\d+\/app$/);
    assert.equal(stream.status?.streamStatus, 'ready');
    const broadcast = (await api.liveBroadcasts.insert({ part: ['snippet', 'status', 'contentDetails'], requestBody: broadcastBody('Friday set') })).data;
    assert.equal(broadcast.status?.lifeCycleStatus, 'created');
    const bound = (await api.liveBroadcasts.bind({ id: broadcast.id ?? '', streamId: stream.id ?? '', part: ['contentDetails', 'status'] })).data;
    assert.equal(bound.contentDetails?.boundStreamId, stream.id);
    assert.equal(bound.status?.lifeCycleStatus, 'ready');

    const early = await refusal(api.liveBroadcasts.transition({ id: broadcast.id ?? '', broadcastStatus: 'live', part: ['status'] }));
    assert.deepEqual([early.status, early.reason], [403, 'errorStreamInactive']);

    let dj: DjStream | undefined;
    try {
      dj = publishAsDj(`${ingestion?.rtmpsIngestionAddress}/${ingestion?.streamName}`, 60, { size: '320x240' });
      const streamStatus = async (): Promise<youtube_v3.Schema$LiveStreamStatus | undefined> =>
        (await api.liveStreams.list({ part: ['status'], id: [stream.id ?? ''] })).data.items?.[0]?.status;
      const active = await waitFor('the stream to be active', async () => ((await streamStatus())?.streamStatus === 'active' ? await streamStatus() : undefined), 20_000, 500);
      assert.equal(active.healthStatus?.status, 'good');

      const testing = await api.liveBroadcasts.transition({ id: broadcast.id ?? '', broadcastStatus: 'testing', part: ['status'] });
      assert.equal(testing.data.status?.lifeCycleStatus, 'testing');
      const live = await api.liveBroadcasts.transition({ id: broadcast.id ?? '', broadcastStatus: 'live', part: ['status', 'snippet'] });
      assert.equal(live.data.status?.lifeCycleStatus, 'live');
      assert.ok(live.data.snippet?.actualStartTime);
      const again = await refusal(api.liveBroadcasts.transition({ id: broadcast.id ?? '', broadcastStatus: 'live', part: ['status'] }));
      assert.deepEqual([again.status, again.reason], [403, 'redundantTransition']);
      const back = await refusal(api.liveBroadcasts.transition({ id: broadcast.id ?? '', broadcastStatus: 'testing', part: ['status'] }));
      assert.equal(back.reason, 'invalidTransition');

      fake.setConcurrentViewers(broadcast.id ?? '', 42);
      const video = await api.videos.list({ part: ['liveStreamingDetails'], id: [broadcast.id ?? ''] });
      assert.equal(video.data.items?.[0]?.liveStreamingDetails?.concurrentViewers, '42');

      dj.process.kill('SIGINT');
      await dj.exited;
      await waitFor('the stream to be inactive', async () => ((await streamStatus())?.streamStatus === 'inactive' ? true : undefined), 10_000, 300);
    } finally {
      dj?.process.kill('SIGKILL');
    }
    const complete = await api.liveBroadcasts.transition({ id: broadcast.id ?? '', broadcastStatus: 'complete', part: ['status'] });
    assert.equal(complete.data.status?.lifeCycleStatus, 'complete');
    const listed = await api.liveBroadcasts.list({ part: ['status'], id: [broadcast.id ?? ''] });
    assert.equal(listed.data.items?.[0]?.status?.lifeCycleStatus, 'complete');
  });

  it('answers 403 liveStreamingNotEnabled to the live methods of a channel without live streaming', async () => {
    fake.addChannel({ id: 'UCfakeNoLive000000000000', title: 'Not yet enabled', liveStreamingEnabled: false });
    try {
      const { api } = await connectedClient();
      const { data } = await api.channels.list({ part: ['snippet'], mine: true });
      assert.equal(data.items?.[0]?.id, 'UCfakeNoLive000000000000');
      const insert = await refusal(api.liveBroadcasts.insert({ part: ['snippet', 'status'], requestBody: broadcastBody('Set') }));
      assert.deepEqual([insert.status, insert.reason], [403, 'liveStreamingNotEnabled']);
      const stream = await refusal(api.liveStreams.insert({ part: ['snippet', 'cdn'], requestBody: { snippet: { title: 'S' }, cdn: { ingestionType: 'rtmp', resolution: 'variable', frameRate: 'variable' } } }));
      assert.deepEqual([stream.status, stream.reason], [403, 'liveStreamingNotEnabled']);
    } finally {
      fake.oauth.consentAs(channel.id);
    }
  });

  it('answers a queued failure once instead of the result, without charging: a 503, a 429 with Retry-After, an HTML page', async () => {
    const { api, auth } = await connectedClient();
    const used = fake.quotaUsed;
    fake.failNext('liveBroadcasts.list', { code: 503, reason: 'backendError', message: 'The service is currently unavailable.' });
    // googleapis retries a 503 by itself unless told not to; the publisher retries on its own terms.
    const unavailable = await refusal(api.liveBroadcasts.list({ part: ['id'], mine: true }, { retry: false }));
    assert.deepEqual([unavailable.status, unavailable.reason], [503, 'backendError']);
    assert.equal((unavailable.body as { error: { status: string } }).error.status, 'UNAVAILABLE');

    fake.failNext('liveBroadcasts.list', { code: 429, reason: 'rateLimitExceeded', message: 'Too many requests.', retryAfterSeconds: 7 });
    const raw = await fetch(`${fake.apiUrl}youtube/v3/liveBroadcasts?part=id&mine=true`, { headers: { authorization: `Bearer ${auth.credentials.access_token ?? ''}` } });
    assert.deepEqual([raw.status, raw.headers.get('retry-after')], [429, '7']);

    fake.failNext('liveBroadcasts.list', 'html');
    const page = await fetch(`${fake.apiUrl}youtube/v3/liveBroadcasts?part=id&mine=true`, { headers: { authorization: `Bearer ${auth.credentials.access_token ?? ''}` } });
    assert.equal(page.status, 502);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /^<!DOCTYPE html>/);

    assert.equal(fake.quotaUsed, used);
    const { data } = await api.liveBroadcasts.list({ part: ['id'], mine: true });
    assert.equal(data.kind, 'youtube#liveBroadcastListResponse');
  });

  it('counts the documented units and answers 403 quotaExceeded past the daily budget', async () => {
    const { api } = await connectedClient();
    fake.resetQuota(101);
    await api.liveBroadcasts.insert({ part: ['snippet', 'status'], requestBody: broadcastBody('One') });
    await api.liveBroadcasts.list({ part: ['id'], mine: true });
    assert.equal(fake.quotaUsed, 51);
    await api.liveBroadcasts.insert({ part: ['snippet', 'status'], requestBody: broadcastBody('Two') });
    const refused = await refusal(api.liveBroadcasts.insert({ part: ['snippet', 'status'], requestBody: broadcastBody('Three') }));
    assert.deepEqual([refused.status, refused.reason], [403, 'quotaExceeded']);
    assert.equal(fake.quotaUsed, 101);
    fake.resetQuota(10_000);
  });
});
