import assert from 'node:assert/strict';
import { cp, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { PLATFORM_RULES, type ApiPlatform, type BroadcastView, type DestinationView, type Environment, type Platform, type PlatformAccountView } from '@streamcaster/contracts';
import { Stack } from '@streamcaster/stack';
import {
  chooseEnvironment,
  chooseOption,
  createTestEnvironment,
  FAKE_ACCOUNTS,
  HeadlessChromium,
  PlatformFakes,
  publishAsDj,
  signInToDashboard,
  testStackOptions,
  waitFor,
  type DjStream,
  type TestEnvironment,
} from '@streamcaster/testing';
import { ApiClient } from './api-client.js';

/**
 * Issue 7 end to end: the whole system with the four platform fakes (their real OAuth flows, APIs and
 * nginx-rtmp ingests), the accounts connected through the dashboard in Chromium, then sets in Live and
 * Test as a DJ's ffmpeg streams them, checked at each platform's fake, in the API and on the On air
 * page. One stack, one set of fakes and one browser for every step, in order: each builds on the last.
 */

const ADMIN = { email: 'admin@platforms.streamcaster.test', password: 'platforms-e2e-password' };
const PLATFORMS = ['youtube', 'twitch', 'facebook', 'kick'] as const satisfies readonly ApiPlatform[];
/** Kick has no private mode: it is left out of Test. */
const TEST_PLATFORMS = ['youtube', 'twitch', 'facebook'] as const satisfies readonly ApiPlatform[];
const GRACE_MS = 3_000;
const label = (platform: Platform) => PLATFORM_RULES[platform].label;
const destinationName = (platform: ApiPlatform, environment: Environment) => `${label(platform)} ${environment === 'live' ? 'Live' : 'Test'}`;
/** Whether a destination card says it is green: "confirmed by <Platform>", not "sending, not confirmed by <Platform>". */
const confirmedOnCard = (text: string, platform: Platform) => text.includes(`confirmed by ${label(platform)}`) && !text.includes(`not confirmed by ${label(platform)}`);

/** Who each fake's authorize page consents as, as StreamCaster then names the account. */
function displayName(platform: ApiPlatform, environment: Environment): string {
  switch (platform) {
    case 'youtube':
      return FAKE_ACCOUNTS.youtube[environment].title;
    case 'twitch':
      return FAKE_ACCOUNTS.twitch[environment].login;
    case 'facebook':
      return FAKE_ACCOUNTS.facebook[environment].page.name;
    case 'kick':
      return FAKE_ACCOUNTS.kick.live.slug;
  }
}

/**
 * Keeps Facebook's live video creation answering 500 (always one fault planned ahead of the calls
 * made) until the returned function is called; then at most the one planned fault is left.
 */
function keepFacebookCreationDown(fakes: PlatformFakes): () => void {
  const call = 'live_videos.create' as const;
  const before = fakes.facebook.calls(call);
  let planned = 0;
  const topUp = () => {
    while (planned - (fakes.facebook.calls(call) - before) < 1) {
      fakes.facebook.failNext('server-error', { call });
      planned += 1;
    }
  };
  topUp();
  const timer = setInterval(topUp, 50);
  return () => clearInterval(timer);
}

describe('platforms through their APIs, end to end', { timeout: 240_000 }, () => {
  let environment: TestEnvironment;
  let fakes: PlatformFakes | undefined;
  let stack: Stack;
  let api: ApiClient;
  let browser: HeadlessChromium;
  let page: Page;
  const outputLines: string[] = [];
  const accounts = { live: {}, test: {} } as Record<Environment, Partial<Record<ApiPlatform, PlatformAccountView>>>;
  const destinations = { live: {}, test: {} } as Record<Environment, Partial<Record<ApiPlatform, DestinationView>>>;
  const djs: DjStream[] = [];
  let liveKey = '';
  let testKey = '';
  let firstSet: BroadcastView;

  const ingest = (app: Environment, key: string) => `rtmp://127.0.0.1:${stack.options.rtmpPort}/${app}/${key}`;
  const navigate = async (link: string) => {
    await page.getByRole('link', { name: link, exact: true }).click();
    await page.waitForLoadState('domcontentloaded');
  };
  const broadcast = async (id: string) => (await api.call<BroadcastView>('GET', `/api/broadcasts/${id}`, undefined, 200)).body;
  const runningBroadcast = async (env: Environment) =>
    (await api.call<BroadcastView[]>('GET', `/api/broadcasts?environment=${env}&running=true`, undefined, 200)).body[0];
  const describeDestinations = (view: BroadcastView | undefined) =>
    JSON.stringify(view?.destinations.map(({ name, state, platformState, platformReason, confirmed }) => ({ name, state, platformState, platformReason, confirmed })) ?? 'no broadcast');

  /** Waits for the running broadcast of `env` whose destinations pass `ready`; fails with what they show. */
  async function waitForDestinations(env: Environment, what: string, ready: (view: BroadcastView) => boolean, timeoutMs = 45_000): Promise<BroadcastView> {
    let last: BroadcastView | undefined;
    try {
      return await waitFor(
        what,
        async () => {
          last = await runningBroadcast(env);
          return last && ready(last) ? last : undefined;
        },
        timeoutMs,
        250,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; the destinations: ${describeDestinations(last)}`);
    }
  }

  async function endSet(dj: DjStream, id: string): Promise<BroadcastView> {
    dj.process.kill('SIGINT');
    await dj.exited;
    let last: BroadcastView | undefined;
    try {
      return await waitFor(
        'the broadcast to end, and every platform to end it',
        async () => {
          last = await broadcast(id);
          return last.state === 'ended' && last.destinations.every((destination) => destination.platformState === 'complete') ? last : undefined;
        },
        GRACE_MS + 30_000,
        250,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; state ${last?.state}, the destinations: ${describeDestinations(last)}`);
    }
  }

  /** The outcome notice of the OAuth callback (the only element of the Destinations page with data-outcome). */
  const notice = () => page.locator('[data-outcome]');

  /** Connect (or its "another account" form) in the platform's region, then the fake's authorize page and the callback. */
  async function connectInDashboard(platform: ApiPlatform, expectedTitle: string): Promise<void> {
    if ((await notice().count()) > 0) {
      await notice().getByRole('button', { name: 'Dismiss' }).click();
      await notice().waitFor({ state: 'detached' });
    }
    const region = page.getByRole('region', { name: label(platform), exact: true });
    await region.getByRole('button', { name: new RegExp(`^Connect (another )?${label(platform)}`) }).click();
    // The browser leaves for the fake, which redirects to the gateway's callback, which redirects back here.
    await page.getByText(expectedTitle, { exact: true }).waitFor({ timeout: 15_000 });
  }

  before(async () => {
    environment = await createTestEnvironment('platforms');
    const work = join(environment.dataDir, 'platforms-e2e');
    const options = await testStackOptions(environment, join(work, 'run'), {});
    // The fakes register StreamCaster's redirect URIs under the gateway's address: it must be known first.
    const publicUrl = `http://127.0.0.1:${options.gatewayPort}`;
    fakes = await PlatformFakes.start({ directory: join(work, 'fakes'), publicUrl });
    stack = new Stack({
      ...options,
      env: {
        ...fakes.env(),
        STREAMCASTER_ADMIN_EMAIL: ADMIN.email,
        STREAMCASTER_ADMIN_PASSWORD: ADMIN.password,
        BROADCAST_GRACE_PERIOD_MS: String(GRACE_MS),
        // The platforms are asked often, so that states and viewers reach the page within seconds.
        PLATFORM_CONFIRM_POLL_MS: '500',
        PLATFORM_VIEWERS_POLL_MS: '2000',
        PLATFORM_RETRY_MAX_MS: '2000',
        RELAY_BACKOFF_MAX_MS: '1500',
        // A small program: the encoder is not what is tested, and it shares two cores with everything.
        TRANSCODER_ENCODER: 'libx264',
        TRANSCODER_WIDTH: '640',
        TRANSCODER_HEIGHT: '360',
        TRANSCODER_VIDEO_BITRATE_KBPS: '800',
      },
      // Everything any process prints, console-only lines included: none may carry a platform secret.
      onLine: (source, line) => outputLines.push(`${source}: ${line}`),
    });
    await stack.start();
    api = new ApiClient(stack.gatewayUrl);
    await api.login(ADMIN.email, ADMIN.password);
    liveKey = (await api.call<{ streamKey: string }>('POST', '/api/djs', { name: 'DJ Platforms' }, 201)).body.streamKey;
    testKey = (await api.call<{ streamKey: string }>('POST', '/api/djs', { name: 'DJ Rehearsal' }, 201)).body.streamKey;
    browser = await HeadlessChromium.launch();
    browser.context.setDefaultTimeout(10_000);
    page = await browser.page();
  });

  after(async () => {
    for (const dj of djs) dj.process.kill('SIGKILL');
    await browser?.close();
    await stack?.stop();
    if (stack) await cp(stack.logDir, resolve('var/e2e-logs/platforms'), { recursive: true, force: true });
    await fakes?.stop();
    await environment?.dispose();
  });

  it('connects every platform of Live and Test through the dashboard; a denied consent stores nothing; Kick has no Test', async () => {
    await signInToDashboard(page, `${stack.gatewayUrl}/`, ADMIN);
    await navigate('Destinations');
    await chooseEnvironment(page, 'Live');

    fakes!.youtube.oauth.refuseNextConsent();
    await connectInDashboard('youtube', 'YouTube: access not allowed');
    assert.match(await notice().innerText(), /did not allow/);
    assert.deepEqual((await api.call<PlatformAccountView[]>('GET', '/api/platform-accounts', undefined, 200)).body, [], 'a denied consent stored an account');
    await page.getByRole('region', { name: 'YouTube', exact: true }).getByRole('button', { name: 'Connect YouTube', exact: true }).waitFor();

    for (const env of ['live', 'test'] as const) {
      await chooseEnvironment(page, env === 'live' ? 'Live' : 'Test');
      for (const platform of env === 'live' ? PLATFORMS : TEST_PLATFORMS) {
        fakes!.consentAs(platform, env);
        await connectInDashboard(platform, `${label(platform)} connected`);
        const name = displayName(platform, env);
        assert.match(await notice().innerText(), new RegExp(`${name} is connected for ${env}`));
        const account = page.getByRole('region', { name: label(platform), exact: true }).getByRole('article', { name: `${label(platform)} account ${name}`, exact: true });
        await account.getByText('connected', { exact: true }).waitFor();
        const stored = (await api.call<PlatformAccountView[]>('GET', `/api/platform-accounts?environment=${env}`, undefined, 200)).body.filter(
          (candidate) => candidate.platform === platform,
        );
        assert.deepEqual(
          stored.map(({ displayName: shown, status }) => ({ shown, status })),
          [{ shown: name, status: 'connected' }],
        );
        accounts[env][platform] = stored[0];
      }
    }
    const kick = page.getByRole('region', { name: 'Kick', exact: true });
    await kick.getByText(PLATFORM_RULES.kick.noTestReason!, { exact: false }).waitFor();
    assert.equal(await kick.getByRole('button', { name: /^Connect/ }).count(), 0, 'Kick can be connected for Test');
    const kickInTest = await api.call<{ message: unknown }>('POST', '/api/platform-accounts', { platform: 'kick', environment: 'test' });
    assert.equal(kickInTest.status, 400, 'a Kick sign-in for Test was started');
    assert.match(JSON.stringify(kickInTest.body.message), /Kick has no private or test mode/);
    await browser.screenshot(page, 'platforms-destinations-test');
  });

  it('creates a destination per connected account, one through the form; a Kick destination in Test is refused with the reason', async () => {
    await chooseEnvironment(page, 'Live');
    await page.getByRole('button', { name: 'Add destination', exact: true }).click();
    await chooseOption(page, 'Platform', 'YouTube');
    await chooseOption(page, 'Account', displayName('youtube', 'live'));
    await chooseOption(page, 'Privacy', 'Public');
    await page.getByLabel('Name', { exact: true }).fill(destinationName('youtube', 'live'));
    await page.getByRole('button', { name: 'Save destination', exact: true }).click();
    await page.getByRole('cell', { name: destinationName('youtube', 'live'), exact: true }).waitFor();
    const saved = (await api.call<DestinationView[]>('GET', '/api/destinations?environment=live', undefined, 200)).body;
    const youtube = saved.find((candidate) => candidate.name === destinationName('youtube', 'live'));
    assert.deepEqual(
      { platform: youtube?.platform, accountId: youtube?.accountId, privacy: youtube?.privacy, url: youtube?.url },
      { platform: 'youtube', accountId: accounts.live.youtube!.id, privacy: 'public', url: null },
    );
    destinations.live.youtube = youtube;

    for (const env of ['live', 'test'] as const) {
      for (const platform of env === 'live' ? PLATFORMS : TEST_PLATFORMS) {
        if (destinations[env][platform]) continue;
        const body = { environment: env, platform, name: destinationName(platform, env), accountId: accounts[env][platform]!.id };
        destinations[env][platform] = (await api.call<DestinationView>('POST', '/api/destinations', body, 201)).body;
      }
    }
    const refused = await api.call<{ message: unknown }>('POST', '/api/destinations', { environment: 'test', platform: 'kick', name: 'Kick Test', accountId: accounts.live.kick!.id });
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body.message), /Kick has no private or test mode/);
    const testDestinations = (await api.call<DestinationView[]>('GET', '/api/destinations?environment=test', undefined, 200)).body;
    assert.deepEqual(testDestinations.map((destination) => destination.platform).sort(), [...TEST_PLATFORMS].sort());
  });

  it('goes live on all four platforms with the same rendered title, confirmed, each card with its platform state and a Watch link', async () => {
    await navigate('On air');
    djs.push(publishAsDj(ingest('live', liveKey), 600, { size: '640x360', fps: 25 }));
    const view = await waitForDestinations('live', 'every Live platform to confirm', (candidate) =>
      candidate.destinations.length === PLATFORMS.length && candidate.destinations.every((destination) => destination.confirmed),
    );
    firstSet = view;
    const title = view.title;
    assert.ok(title.length > 0, 'the broadcast has no rendered title');
    assert.deepEqual(view.destinations.map((destination) => [destination.platform, destination.platformState]).sort(), PLATFORMS.map((platform) => [platform, 'live']).sort());

    const [youtube] = fakes!.youtube.broadcastsOf(FAKE_ACCOUNTS.youtube.live.id);
    assert.deepEqual(
      { count: fakes!.youtube.broadcastsOf(FAKE_ACCOUNTS.youtube.live.id).length, status: youtube?.status.lifeCycleStatus, privacy: youtube?.status.privacyStatus, title: youtube?.snippet.title },
      { count: 1, status: 'live', privacy: 'public', title },
    );
    const twitchId = FAKE_ACCOUNTS.twitch.live.id;
    assert.equal(fakes!.twitch.channel(twitchId).title, title);
    assert.ok(fakes!.twitch.isLive(twitchId), 'Twitch does not list the channel as live');
    const facebookVideos = fakes!.facebook.liveVideos(FAKE_ACCOUNTS.facebook.live.page.id);
    assert.deepEqual(
      facebookVideos.map(({ status, published, title: videoTitle }) => ({ status, published, title: videoTitle })),
      [{ status: 'LIVE', published: true, title }],
    );
    const kick = fakes!.kick.channel(FAKE_ACCOUNTS.kick.live.userId);
    assert.deepEqual({ isLive: kick?.isLive, title: kick?.streamTitle }, { isLive: true, title });

    for (const destination of view.destinations) {
      const platformLabel = label(destination.platform);
      const card = page.getByRole('region', { name: destination.name, exact: true });
      await waitFor(
        `${destination.name}'s card to say ${platformLabel}: live, confirmed`,
        async () => {
          const text = await card.innerText();
          return text.includes(`${platformLabel}: live`) && confirmedOnCard(text, destination.platform) ? true : undefined;
        },
        10_000,
      ).catch(async (error: Error) => assert.fail(`${error.message}; the card shows: ${await card.innerText().catch(() => 'nothing')}`));
      await card.getByText('live', { exact: true }).waitFor();
      const watch = card.getByRole('link', { name: `Watch on ${platformLabel}`, exact: true });
      assert.ok(destination.watchUrl, `${destination.name} has no watch URL`);
      assert.equal(await watch.getAttribute('href'), destination.watchUrl);
    }
    // The cards at the top of the screenshot.
    await page.getByRole('heading', { name: 'Destinations', exact: true }).evaluate((heading: { scrollIntoView(): void }) => heading.scrollIntoView());
    await browser.screenshot(page, 'platforms-on-air');
  });

  it('sends a title edited once on the dashboard to all four platforms, and lists each one updated', async () => {
    const title = `Sunrise set, everywhere at once ${new Date().toISOString().slice(11, 19)}`;
    await page.getByRole('button', { name: 'Edit title', exact: true }).click();
    const field = page.getByRole('textbox', { name: 'Title', exact: true });
    await field.fill(title);
    await field.press('Enter');
    // A status (an alert when a platform refused) that announces itself, named like a region.
    const answers = page.getByRole('status', { name: "Platforms' answers to the change", exact: true });
    await answers.waitFor();
    const outcomes = await answers.getByRole('listitem').evaluateAll((items: Array<{ getAttribute(name: string): string | null; textContent: string | null }>) =>
      items.map((item) => ({ outcome: item.getAttribute('data-outcome'), text: item.textContent ?? '' })),
    );
    assert.deepEqual(
      outcomes.map(({ outcome, text }) => ({ outcome, platform: PLATFORMS.find((platform) => text.includes(`(${label(platform)})`)) })).sort((a, b) => String(a.platform).localeCompare(String(b.platform))),
      [...PLATFORMS].sort().map((platform) => ({ outcome: 'updated', platform })),
    );
    const youtube = fakes!.youtube.broadcastsOf(FAKE_ACCOUNTS.youtube.live.id)[0];
    assert.deepEqual(
      {
        youtube: youtube?.snippet.title,
        twitch: fakes!.twitch.channel(FAKE_ACCOUNTS.twitch.live.id).title,
        facebook: fakes!.facebook.liveVideos(FAKE_ACCOUNTS.facebook.live.page.id)[0]?.title,
        kick: fakes!.kick.channel(FAKE_ACCOUNTS.kick.live.userId)?.streamTitle,
        api: (await broadcast(firstSet.id)).title,
      },
      { youtube: title, twitch: title, facebook: title, kick: title, api: title },
    );
    // A title edit changes nothing else at YouTube: the broadcast stays live and public.
    assert.deepEqual([youtube?.status.lifeCycleStatus, youtube?.status.privacyStatus], ['live', 'public']);
  });

  it('shows the viewers of every platform and their total on the On air page', async () => {
    const youtube = fakes!.youtube.broadcastsOf(FAKE_ACCOUNTS.youtube.live.id)[0]!;
    const facebook = fakes!.facebook.liveVideos(FAKE_ACCOUNTS.facebook.live.page.id)[0]!;
    fakes!.youtube.setConcurrentViewers(youtube.id, 1200);
    fakes!.twitch.setViewerCount(FAKE_ACCOUNTS.twitch.live.id, 345);
    fakes!.facebook.setLiveViews(facebook.id, 67);
    fakes!.kick.setViewerCount(FAKE_ACCOUNTS.kick.live.userId, 8);
    const viewers = page.getByRole('region', { name: 'Viewers', exact: true });
    const expected = ['1,620', 'YouTube 1,200', 'Twitch 345', 'Facebook 67', 'Kick 8'];
    await waitFor(
      'the total and every platform on the page',
      async () => {
        const text = await viewers.innerText();
        return expected.every((figure) => text.includes(figure)) ? text : undefined;
      },
      20_000,
      250,
    ).catch(async (error: Error) => assert.fail(`${error.message}; the page shows: ${await viewers.innerText().catch(() => 'nothing')}`));
    const view = await broadcast(firstSet.id);
    assert.deepEqual(Object.fromEntries(view.destinations.map((destination) => [destination.platform, destination.viewers])), { youtube: 1200, twitch: 345, facebook: 67, kick: 8 });
  });

  it('ends everything after the DJ stops and the grace period: YouTube complete, Facebook ended, Twitch and Kick offline', async () => {
    const ended = await endSet(djs.pop()!, firstSet.id);
    assert.deepEqual(
      ended.destinations.map((destination) => destination.state),
      ended.destinations.map(() => 'stopped'),
    );
    const youtube = fakes!.youtube.broadcastsOf(FAKE_ACCOUNTS.youtube.live.id);
    assert.deepEqual(
      youtube.map((record) => record.status.lifeCycleStatus),
      ['complete'],
    );
    const facebook = fakes!.facebook.liveVideos(FAKE_ACCOUNTS.facebook.live.page.id);
    assert.equal(facebook.length, 1);
    assert.ok(['LIVE_STOPPED', 'VOD'].includes(facebook[0]!.status), `Facebook's live video is ${facebook[0]!.status}`);
    await waitFor('Twitch and Kick to be offline', () =>
      !fakes!.twitch.isLive(FAKE_ACCOUNTS.twitch.live.id) && fakes!.kick.channel(FAKE_ACCOUNTS.kick.live.userId)?.isLive === false ? true : undefined,
    );
  });

  it("keeps one platform's failure to itself: Facebook down at the start retries with its reason while the other three go live, then catches up", async () => {
    const restore = keepFacebookCreationDown(fakes!);
    let restored = false;
    try {
      djs.push(publishAsDj(ingest('live', liveKey), 600, { size: '640x360', fps: 25 }));
      const others = PLATFORMS.filter((platform) => platform !== 'facebook');
      const view = await waitForDestinations('live', 'the three others to confirm while Facebook retries', (candidate) => {
        const facebook = candidate.destinations.find((destination) => destination.platform === 'facebook');
        return (
          candidate.destinations.filter((destination) => others.includes(destination.platform as (typeof others)[number]) && destination.confirmed).length === others.length &&
          /trying again/.test(facebook?.platformReason ?? '')
        );
      });
      const facebook = view.destinations.find((destination) => destination.platform === 'facebook')!;
      assert.notEqual(facebook.confirmed, true);
      assert.ok(facebook.platformState === 'creating' || facebook.platformState === 'error', `Facebook is ${facebook.platformState}`);
      assert.match(facebook.platformReason!, /Facebook had a temporary problem: .*\(trying again in \d+ s\)$/);
      assert.equal(fakes!.facebook.liveVideos(FAKE_ACCOUNTS.facebook.live.page.id).length, 1, 'a live video was created while Facebook answered 500');

      const card = page.getByRole('region', { name: facebook.name, exact: true });
      await waitFor(
        `${facebook.name}'s card to give its state and reason`,
        async () => {
          const text = await card.innerText();
          return text.includes(`Facebook: ${facebook.platformState}`) && text.includes('Facebook had a temporary problem') ? true : undefined;
        },
        10_000,
      ).catch(async (error: Error) => assert.fail(`${error.message}; the card shows: ${await card.innerText().catch(() => 'nothing')}`));
      assert.ok(!confirmedOnCard(await card.innerText(), 'facebook'), 'the failing Facebook card says confirmed');
      for (const platform of others) {
        const other = page.getByRole('region', { name: destinationName(platform, 'live'), exact: true });
        await waitFor(`${label(platform)}'s card to be confirmed`, async () => (confirmedOnCard(await other.innerText(), platform) ? true : undefined), 10_000).catch(async (error: Error) =>
          assert.fail(`${error.message}; the card shows: ${await other.innerText().catch(() => 'nothing')}`),
        );
      }
      await card.scrollIntoViewIfNeeded();
      await browser.screenshot(page, 'platforms-on-air-facebook-down');

      restore();
      restored = true;
      const caughtUp = await waitForDestinations('live', 'Facebook to confirm once its API answers again', (candidate) => candidate.destinations.every((destination) => destination.confirmed), 30_000);
      assert.equal(fakes!.facebook.liveVideos(FAKE_ACCOUNTS.facebook.live.page.id).length, 2, 'the retries created more than one live video');
      await endSet(djs.pop()!, caughtUp.id);
    } finally {
      if (!restored) restore();
    }
  });

  it('keeps Test private on every platform: YouTube private and only testing, a Twitch bandwidth test, Facebook unpublished', async () => {
    const seen = { youtube: new Set<string>(), twitchLive: false, facebook: new Set<string>() };
    const look = () => {
      for (const record of fakes!.youtube.broadcastsOf(FAKE_ACCOUNTS.youtube.test.id)) seen.youtube.add(`${record.status.lifeCycleStatus}/${record.status.privacyStatus}`);
      seen.twitchLive ||= fakes!.twitch.isLive(FAKE_ACCOUNTS.twitch.test.id);
      for (const video of fakes!.facebook.liveVideos(FAKE_ACCOUNTS.facebook.test.page.id)) seen.facebook.add(`${video.status}/${video.published ? 'published' : 'unpublished'}`);
    };
    const sampler = setInterval(look, 100);
    try {
      await chooseEnvironment(page, 'Test');
      djs.push(publishAsDj(ingest('test', testKey), 600, { size: '640x360', fps: 25 }));
      const view = await waitForDestinations('test', 'every Test platform to confirm', (candidate) =>
        candidate.destinations.length === TEST_PLATFORMS.length && candidate.destinations.every((destination) => destination.confirmed),
      );
      assert.deepEqual(
        Object.fromEntries(view.destinations.map((destination) => [destination.platform, destination.platformState])),
        { youtube: 'testing', twitch: 'testing', facebook: 'testing' },
      );
      // A few of the publisher's polls while the rehearsal streams: nothing becomes public meanwhile.
      await page.waitForTimeout(3_000);
      look();

      const youtube = fakes!.youtube.broadcastsOf(FAKE_ACCOUNTS.youtube.test.id);
      assert.deepEqual(
        youtube.map((record) => [record.status.lifeCycleStatus, record.status.privacyStatus, record.contentDetails.monitorStream.enableMonitorStream]),
        [['testing', 'private', true]],
      );
      const twitchKey = fakes!.twitch.streamKey(FAKE_ACCOUNTS.twitch.test.id);
      const publishes = fakes!.twitch.publishes().filter((publish) => publish.userId === FAKE_ACCOUNTS.twitch.test.id);
      assert.ok(publishes.length > 0, 'the Twitch ingest saw no publish of the Test channel');
      assert.deepEqual(
        publishes.map((publish) => publish.bandwidthTest),
        publishes.map(() => true),
      );
      assert.ok(fakes!.twitch.bytesReceived(twitchKey) > 0, 'the Twitch bandwidth test sends nothing');
      assert.equal(fakes!.twitch.isLive(FAKE_ACCOUNTS.twitch.test.id), false);
      const facebook = fakes!.facebook.liveVideos(FAKE_ACCOUNTS.facebook.test.page.id);
      assert.deepEqual(
        facebook.map(({ status, published, receiving }) => ({ status, published, receiving })),
        [{ status: 'UNPUBLISHED', published: false, receiving: true }],
      );

      const ended = await endSet(djs.pop()!, view.id);
      look();
      assert.equal(ended.environment, 'test');
      assert.deepEqual(
        fakes!.youtube.broadcastsOf(FAKE_ACCOUNTS.youtube.test.id).map((record) => record.status.lifeCycleStatus),
        ['complete'],
      );
      assert.ok(![...seen.youtube].some((state) => state.startsWith('live/') || !state.endsWith('/private')), `YouTube's Test broadcast was seen as ${[...seen.youtube].join(', ')}`);
      assert.equal(seen.twitchLive, false, "Twitch listed the Test channel as live");
      assert.ok(![...seen.facebook].some((state) => state.startsWith('LIVE/') || state.endsWith('/published')), `Facebook's Test video was seen as ${[...seen.facebook].join(', ')}`);
    } finally {
      clearInterval(sampler);
    }
  });

  it('leaves none of the platforms’ tokens, codes, secrets or stream keys in any log, and the dashboard never threw', async () => {
    assert.deepEqual(browser.pageErrors, [], 'the dashboard threw');
    assert.deepEqual(browser.dialogs, [], 'a dialog opened');
    // Stopped first, so that every line up to the services' exit is in the files.
    await stack.stop();
    const files = (await readdir(stack.logDir)).filter((file) => file.endsWith('.log'));
    assert.ok(files.includes('publisher.log') && files.includes('gateway.log'), `the logs are ${files.join(', ')}`);
    const logs = [...(await Promise.all(files.map(async (file) => ({ source: file, text: await readFile(join(stack.logDir, file), 'utf8') })))), { source: 'process output', text: outputLines.join('\n') }];
    assert.ok(logs.some((log) => log.text.includes('YouTube')), 'the logs say nothing of the platforms: the check would prove nothing');
    const secrets = fakes!.secrets();
    assert.ok(secrets.length > 20, `the fakes handed out only ${secrets.length} secrets`);
    // A Facebook stream key is the stream name followed by its query: either part alone must not leak either.
    const wanted = [...new Set(secrets.flatMap((secret) => [secret, secret.split('?')[0]!]).filter((secret) => secret.length >= 12))];
    const leaks = wanted.flatMap((secret) => logs.filter((log) => log.text.includes(secret)).map((log) => `${log.source} has ${secret.slice(0, 6)}…`));
    assert.deepEqual(leaks, []);
  });
});
