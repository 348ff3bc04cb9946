import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FacebookFake, publishAsDj, waitFor, type DjStream } from '@streamcaster/testing';
import { adapterTestConfig, callContext, consentCode, RefsStore, refusal } from '../src/platforms/adapter-tests.test-helper.js';
import { FacebookAdapter } from '../src/platforms/facebook/facebook.adapter.js';
import type { PageChoice, PlatformCallContext } from '../src/platforms/platform-adapter.js';

// The publisher's Facebook adapter against the Facebook fake: the whole sign-in, a page's live video
// pushed to by ffmpeg over RTMPS, and the failures a real Graph API has.

const redirectUri = 'http://127.0.0.1:9/api/platform-accounts/callback/facebook';
const client = { clientId: '555000111', clientSecret: 'fb-app-secret', redirectUris: [redirectUri] };
const user = { id: '100000000000077', name: 'Resident DJ' };
const page = { id: '200000000000077', name: 'Club Night', managers: [user.id] };
/** Short, so that the hanging Graph answer ends within the test. */
const REQUEST_TIMEOUT_MS = 1_500;

let directory: string;
let fake: FacebookFake;
let adapter: FacebookAdapter;

/** The whole sign-in: the dialog as a browser meets it (redirect not followed), the code, the tokens, the pages. */
async function signIn(): Promise<{ userToken: string; pageToken: string; scopes: string[] }> {
  const code = await consentCode(adapter.oauth.authorizeUrl({ state: 'signed-state', redirectUri, codeChallenge: null }), redirectUri, 'signed-state');
  const tokens = await adapter.oauth.exchangeCode({ code, redirectUri, codeVerifier: null });
  const identity = (await adapter.oauth.identify(tokens.accessToken)) as PageChoice;
  const pageToken = identity.pages.find((candidate) => candidate.id === page.id)?.accessToken ?? '';
  return { userToken: tokens.accessToken, pageToken, scopes: tokens.scopes };
}

function context(pageToken: string, overrides: Partial<PlatformCallContext> = {}): PlatformCallContext {
  return callContext({ accountId: 'account-fb', externalId: page.id, accessToken: pageToken, title: 'Friday set with DJ Fake', description: 'Live from the club', ...overrides });
}

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'facebook-adapter-'));
  fake = await FacebookFake.start({ directory, client, processingMs: 300 });
  fake.addUser(user);
  fake.addPage(page);
  adapter = new FacebookAdapter(
    adapterTestConfig({
      FACEBOOK_APP_ID: client.clientId,
      FACEBOOK_APP_SECRET: client.clientSecret,
      FACEBOOK_GRAPH_URL: fake.graphUrl,
      FACEBOOK_AUTH_URL: fake.authUrl,
      PLATFORM_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    }),
  );
});

after(async () => {
  await fake.stop();
  await rm(directory, { recursive: true, force: true });
});

describe('the Facebook adapter against the fake: sign-in', () => {
  it('signs in end to end: dialog, code, long-lived user token with every permission, the page with its own token', async () => {
    const { userToken, pageToken, scopes } = await signIn();
    assert.deepEqual(
      adapter.oauth.scopes.filter((scope) => !scopes.includes(scope)),
      [],
    );
    assert.notEqual(pageToken, '');
    assert.notEqual(pageToken, userToken);
    const identity = (await adapter.oauth.identify(userToken)) as PageChoice;
    assert.deepEqual(identity.pages.map(({ id, name, channelUrl }) => ({ id, name, channelUrl })), [{ id: page.id, name: page.name, channelUrl: `https://www.facebook.com/${page.id}` }]);
  });

  it('cannot refresh, and words an expired sign-in as one to reconnect', async () => {
    assert.equal((await refusal(adapter.oauth.refresh('none'))).kind, 'revoked');
    const { userToken } = await signIn();
    fake.oauth.expireAccessTokens();
    const expired = await refusal(adapter.oauth.identify(userToken));
    assert.equal(expired.kind, 'revoked');
    assert.match(expired.message, /sign-in expired/);
  });

  it('revokes the grant behind the page token: the page token is then refused as revoked', async () => {
    const { pageToken } = await signIn();
    const store = new RefsStore();
    await adapter.broadcaster.prepare(context(pageToken), {}, store.save);
    await adapter.oauth.revoke({ accessToken: pageToken, refreshToken: null });
    const refused = await refusal(adapter.broadcaster.observe(context(pageToken), store.refs, false));
    assert.equal(refused.kind, 'revoked');
    assert.match(refused.message, /removed from the Facebook account’s apps/);
  });
});

describe('the Facebook adapter against the fake: live videos', () => {
  it('Live: creates LIVE_NOW, is live once ffmpeg pushes over RTMPS, reports viewers, changes the title, ends', async () => {
    const { pageToken } = await signIn();
    const store = new RefsStore();
    const ingest = await adapter.broadcaster.prepare(context(pageToken), {}, store.save);
    const id = store.refs['liveVideoId'] ?? '';
    assert.equal(fake.liveVideo(id)?.published, true);
    assert.match(ingest.pushUrl, /^rtmps:\/\//);
    assert.ok(ingest.pushUrl.endsWith(`/${ingest.secret}`));
    assert.equal(ingest.watchUrl, `https://www.facebook.com/${page.id}/videos/${id}/`);
    assert.deepEqual(await adapter.broadcaster.observe(context(pageToken), store.refs, false), { receiving: false, onAir: null, viewers: null });

    let dj: DjStream | undefined;
    try {
      dj = publishAsDj(ingest.pushUrl, 60, { size: '320x240' });
      const live = await waitFor('Facebook to say live', async () => {
        const seen = await adapter.broadcaster.observe(context(pageToken), store.refs, true);
        return seen.onAir === 'live' ? seen : undefined;
      }, 20_000, 300);
      assert.equal(live.receiving, true);
      await adapter.broadcaster.goOnAir(context(pageToken), store.refs, store.save);
      fake.setLiveViews(id, 41);
      assert.equal((await adapter.broadcaster.observe(context(pageToken), store.refs, true)).viewers, 41);

      await adapter.broadcaster.updateText(context(pageToken), store.refs, { title: 'Friday set, part two' });
      assert.equal(fake.liveVideo(id)?.title, 'Friday set, part two');

      await adapter.broadcaster.end(context(pageToken), store.refs);
      assert.equal(fake.liveVideo(id)?.status, 'LIVE_STOPPED');
      // Ending again is no error: the publisher may repeat it after a crash.
      await adapter.broadcaster.end(context(pageToken), store.refs);
    } finally {
      dj?.process.kill('SIGKILL');
    }
    assert.equal((await adapter.broadcaster.observe(context(pageToken), store.refs, false)).onAir, 'complete');
  });

  it('Test: an UNPUBLISHED preview is "testing" once it receives, and never LIVE', async () => {
    const { pageToken } = await signIn();
    const test = context(pageToken, { environment: 'test', title: 'Rehearsal' });
    const store = new RefsStore();
    const ingest = await adapter.broadcaster.prepare(test, {}, store.save);
    const id = store.refs['liveVideoId'] ?? '';
    let dj: DjStream | undefined;
    try {
      dj = publishAsDj(ingest.pushUrl, 60, { size: '320x240' });
      const testing = await waitFor('Facebook to receive the preview', async () => {
        const seen = await adapter.broadcaster.observe(test, store.refs, true);
        return seen.onAir === 'testing' ? seen : undefined;
      }, 20_000, 300);
      assert.deepEqual(testing, { receiving: true, onAir: 'testing', viewers: null });
      await adapter.broadcaster.goOnAir(test, store.refs, store.save);
      // Still a preview over several of the fake's ingest readings, bytes flowing all along.
      for (let look = 0; look < 5; look += 1) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal((await adapter.broadcaster.observe(test, store.refs, true)).onAir, 'testing');
        assert.equal(fake.liveVideo(id)?.status, 'UNPUBLISHED');
      }
      assert.equal(fake.liveVideo(id)?.receiving, true);
      await adapter.broadcaster.end(test, store.refs);
    } finally {
      dj?.process.kill('SIGKILL');
    }
    assert.notEqual(fake.liveVideo(id)?.status, 'LIVE');
  });

  it('a 500 during creation is transient; prepared again with the saved refs, one live video is made', async () => {
    const { pageToken } = await signIn();
    const before = fake.liveVideos(page.id).length;
    const store = new RefsStore();
    fake.failNext('server-error', { call: 'live_videos.create' });
    const failed = await refusal(adapter.broadcaster.prepare(context(pageToken, { title: 'After a 500' }), store.refs, store.save));
    assert.equal(failed.kind, 'transient');
    assert.equal(fake.liveVideos(page.id).length, before);
    await adapter.broadcaster.prepare(context(pageToken, { title: 'After a 500' }), store.refs, store.save);
    assert.equal(fake.liveVideos(page.id).length, before + 1);
    assert.equal(fake.liveVideo(store.refs['liveVideoId'] ?? '')?.title, 'After a 500');
  });

  it('an HTML page instead of the creation answer (created all the same) is transient; prepared again, the video is found, not made twice', async () => {
    const { pageToken } = await signIn();
    const before = fake.liveVideos(page.id).length;
    const creates = fake.calls('live_videos.create');
    const store = new RefsStore();
    fake.failNext('html', { call: 'live_videos.create', afterDoing: true });
    const failed = await refusal(adapter.broadcaster.prepare(context(pageToken, { title: 'Lost answer' }), store.refs, store.save));
    assert.equal(failed.kind, 'transient');
    assert.match(failed.message, /HTML page/);
    assert.equal(store.refs['liveVideoId'], undefined);
    await adapter.broadcaster.prepare(context(pageToken, { title: 'Lost answer' }), store.refs, store.save);
    assert.equal(fake.liveVideos(page.id).length, before + 1);
    assert.equal(fake.calls('live_videos.create'), creates + 1);
    assert.equal(fake.liveVideo(store.refs['liveVideoId'] ?? '')?.title, 'Lost answer');
  });

  it('no answer at all during creation is transient (timeout); prepared again, nothing is made twice', async () => {
    const { pageToken } = await signIn();
    const before = fake.liveVideos(page.id).length;
    const store = new RefsStore();
    fake.failNext('hang', { call: 'live_videos.create', afterDoing: true });
    const failed = await refusal(adapter.broadcaster.prepare(context(pageToken, { title: 'Timed out' }), store.refs, store.save));
    assert.equal(failed.kind, 'transient');
    assert.match(failed.message, /no answer within/);
    await adapter.broadcaster.prepare(context(pageToken, { title: 'Timed out' }), store.refs, store.save);
    assert.equal(fake.liveVideos(page.id).length, before + 1);
  });

  it('refuses a page that may not go live, in Facebook’s words', async () => {
    const { pageToken } = await signIn();
    fake.setPageCanGoLive(page.id, false);
    try {
      const refused = await refusal(adapter.broadcaster.prepare(context(pageToken), {}, new RefsStore().save));
      assert.equal(refused.kind, 'refused');
      assert.match(refused.message, /this page cannot go live: .*100 followers/);
    } finally {
      fake.setPageCanGoLive(page.id, true);
    }
  });
});
