import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PLATFORM_RULES } from '@streamcaster/contracts';
import { KickFake, publishAsDj, waitFor, type DjStream } from '@streamcaster/testing';
import { newPkcePair } from '../src/platform-accounts/oauth-state.js';
import { adapterTestConfig, callContext, consentCode, refusal } from '../src/platforms/adapter-tests.test-helper.js';
import type { AccountIdentity, PlatformCallContext, TokenSet } from '../src/platforms/platform-adapter.js';
import { KickAdapter } from '../src/platforms/kick/kick.adapter.js';

// The publisher's Kick adapter against the Kick fake: OAuth 2.1 with PKCE end to end, rotating
// refresh tokens, the channel's title and stream key, ffmpeg pushing over RTMPS, and Kick's failures.

const redirectUri = 'http://localhost:9/api/platform-accounts/callback/kick';
const client = { clientId: 'kick-client-id', clientSecret: 'kick-client-secret', redirectUris: [redirectUri] };
const user = { userId: 7007, name: 'ResidentDJ', slug: 'resident-dj' };
const noSave = async (): Promise<void> => {};

let directory: string;
let fake: KickFake;
let adapter: KickAdapter;

/** The whole sign-in: the authorize page as a browser meets it (redirect not followed), the code with its verifier, who it is. */
async function signIn(): Promise<{ tokens: TokenSet; identity: AccountIdentity }> {
  const { verifier, challenge } = newPkcePair();
  const code = await consentCode(adapter.oauth.authorizeUrl({ state: 'signed-state', redirectUri, codeChallenge: challenge }), redirectUri, 'signed-state');
  const tokens = await adapter.oauth.exchangeCode({ code, redirectUri, codeVerifier: verifier });
  const identity = (await adapter.oauth.identify(tokens.accessToken)) as AccountIdentity;
  return { tokens, identity };
}

function context(accessToken: string, overrides: Partial<PlatformCallContext> = {}): PlatformCallContext {
  return callContext({ accountId: 'account-kick', externalId: String(user.userId), accessToken, title: 'Friday set with DJ Fake', description: 'Kick has no description', ...overrides });
}

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'kick-adapter-'));
  fake = await KickFake.start({ directory, client });
  fake.addUser(user);
  adapter = new KickAdapter(
    adapterTestConfig({
      KICK_CLIENT_ID: client.clientId,
      KICK_CLIENT_SECRET: client.clientSecret,
      KICK_API_URL: fake.apiUrl,
      KICK_AUTH_URL: fake.authUrl,
      KICK_TOKEN_URL: fake.tokenUrl,
      KICK_CATEGORY_ID: '22',
    }),
  );
});

after(async () => {
  await fake.stop();
  await rm(directory, { recursive: true, force: true });
});

describe('the Kick adapter against the fake: sign-in', () => {
  it('signs in end to end with PKCE: every scope granted, the user id and the channel slug', async () => {
    const { tokens, identity } = await signIn();
    assert.deepEqual(
      adapter.oauth.scopes.filter((scope) => !tokens.scopes.includes(scope)),
      [],
    );
    assert.ok(tokens.refreshToken);
    assert.ok((tokens.expiresAt?.getTime() ?? 0) > Date.now());
    assert.deepEqual(identity, { externalId: String(user.userId), displayName: user.slug, channelUrl: `https://kick.com/${user.slug}` });
  });

  it('refreshes with rotation: the new refresh token works, the used one is revoked', async () => {
    const { tokens } = await signIn();
    const renewed = await adapter.oauth.refresh(tokens.refreshToken ?? '');
    assert.ok(renewed.refreshToken);
    assert.notEqual(renewed.refreshToken, tokens.refreshToken);
    assert.equal((await adapter.broadcaster.observe(context(renewed.accessToken), {}, false)).onAir, null);
    const reused = await refusal(adapter.oauth.refresh(tokens.refreshToken ?? ''));
    assert.equal(reused.kind, 'revoked');
    const again = await adapter.oauth.refresh(renewed.refreshToken ?? '');
    assert.ok(again.accessToken);
  });

  it('revokes the sign-in: the access token is then refused (auth) and the refresh token too (revoked)', async () => {
    const { tokens } = await signIn();
    await adapter.oauth.revoke({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
    assert.equal((await refusal(adapter.broadcaster.observe(context(tokens.accessToken), {}, false))).kind, 'auth');
    const refresh = await refusal(adapter.oauth.refresh(tokens.refreshToken ?? ''));
    assert.equal(refresh.kind, 'revoked');
    assert.match(refresh.message, /reconnect the Kick account/);
  });
});

describe('the Kick adapter against the fake: streaming', () => {
  it('sets the title and category, pushes over RTMPS to the channel’s key, is live with viewers, changes the title', async () => {
    const { tokens } = await signIn();
    const live = context(tokens.accessToken);
    const ingest = await adapter.broadcaster.prepare(live, {}, noSave);
    assert.deepEqual([fake.channel(user.userId)?.streamTitle, fake.channel(user.userId)?.categoryId], [live.title, 22]);
    assert.match(ingest.pushUrl, /^rtmps:\/\/127\.0\.0\.1:\d+\/app\/sk_/);
    assert.ok(ingest.pushUrl.endsWith(`/${ingest.secret}`));
    assert.equal(ingest.watchUrl, `https://kick.com/${user.slug}`);
    assert.deepEqual(await adapter.broadcaster.observe(live, {}, false), { receiving: false, onAir: null, viewers: null });

    let dj: DjStream | undefined;
    try {
      dj = publishAsDj(ingest.pushUrl, 60, { size: '320x240' });
      await waitFor('Kick to list the channel as live', async () => ((await adapter.broadcaster.observe(live, {}, true)).onAir === 'live' ? true : undefined), 20_000, 300);
      fake.setViewerCount(user.userId, 64);
      assert.deepEqual(await adapter.broadcaster.observe(live, {}, true), { receiving: true, onAir: 'live', viewers: 64 });
      await adapter.broadcaster.goOnAir(live, {}, noSave);

      await adapter.broadcaster.updateText(live, {}, { title: 'Friday set, part two' });
      assert.equal(fake.channel(user.userId)?.streamTitle, 'Friday set, part two');
      await adapter.broadcaster.end(live, {});
      dj.process.kill('SIGINT');
      await dj.exited;
      await waitFor('Kick to see the stream gone', async () => ((await adapter.broadcaster.observe(live, {}, false)).onAir === null ? true : undefined), 10_000, 300);
    } finally {
      dj?.process.kill('SIGKILL');
    }
  });

  it('refuses Test with the reason, without calling Kick', async () => {
    const { tokens } = await signIn();
    const calls = fake.calls();
    const refused = await refusal(adapter.broadcaster.prepare(context(tokens.accessToken, { environment: 'test' }), {}, noSave));
    assert.deepEqual([refused.kind, refused.message], ['refused', PLATFORM_RULES.kick.noTestReason]);
    assert.equal(fake.calls(), calls);
  });

  it('a 500 while setting the title is transient; prepared again, it goes through', async () => {
    const { tokens } = await signIn();
    fake.failNext('server-error', { call: 'channels.update' });
    assert.equal((await refusal(adapter.broadcaster.prepare(context(tokens.accessToken, { title: 'After a 500' }), {}, noSave))).kind, 'transient');
    await adapter.broadcaster.prepare(context(tokens.accessToken, { title: 'After a 500' }), {}, noSave);
    assert.equal(fake.channel(user.userId)?.streamTitle, 'After a 500');
  });

  it('takes Cloudflare’s block and an HTML page as transient, and a 429 as rate-limited with Kick’s wait', async () => {
    const { tokens } = await signIn();
    fake.failNext('blocked', { call: 'livestreams' });
    assert.equal((await refusal(adapter.broadcaster.observe(context(tokens.accessToken), {}, true))).kind, 'transient');
    fake.failNext('html', { call: 'livestreams' });
    assert.equal((await refusal(adapter.broadcaster.observe(context(tokens.accessToken), {}, true))).kind, 'transient');
    fake.failNext('rate-limited', { call: 'livestreams' });
    const limited = await refusal(adapter.broadcaster.observe(context(tokens.accessToken), {}, true));
    assert.deepEqual([limited.kind, limited.details.retryAfterMs], ['rate-limited', 2_000]);
  });

  it('refuses a title longer than Kick takes before calling it', async () => {
    const { tokens } = await signIn();
    const calls = fake.calls('channels.update');
    const refused = await refusal(adapter.broadcaster.updateText(context(tokens.accessToken), {}, { title: 'x'.repeat(101) }));
    assert.equal(refused.kind, 'refused');
    assert.equal(fake.calls('channels.update'), calls);
  });
});
