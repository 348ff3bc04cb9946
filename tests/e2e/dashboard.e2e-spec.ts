import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { Stack } from '@streamcaster/stack';
import { runOnce } from '@streamcaster/supervisor';
import {
  chooseEnvironment,
  chooseOption,
  createTestEnvironment,
  environmentSwitch,
  HeadlessChromium,
  meanColourShown,
  mediaSize,
  PHONE,
  publishAsDj,
  shownText,
  signInToDashboard,
  testStackOptions,
  waitFor,
  waitForPlayback,
  type Box,
  type DjStream,
  type RtmpSink,
  type TestEnvironment,
} from '@streamcaster/testing';
import { ApiClient } from './api-client.js';
import { startDestinationSinks, type DestinationSinks } from './destination-sinks.js';

/**
 * The dashboard in a real Chromium on the whole system (nginx-rtmp, every service, ffmpeg publishing
 * as a DJ, platform ingests that are real nginx-rtmp servers, one behind stunnel for RTMPS), driven
 * only through the accessible names that issue 6 fixes, plus a few of the forms' field names (see
 * UI below). One stack and one browser for every step, in order: each step builds on the last.
 */

const ADMIN = { email: 'admin@dashboard.streamcaster.test', password: 'dashboard-e2e-password' };
const OPERATOR = { email: 'operator@dashboard.streamcaster.test', password: 'operator-e2e-password' };
const DJ_USER = { email: 'dj@dashboard.streamcaster.test', password: 'dj-user-e2e-password' };
const DJ_NAME = 'DJ Dashboard';
const REHEARSAL_DJ = 'DJ Rehearsal';
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const PROGRAM = { width: 960, height: 540 };
const LOGO = { width: 320, height: 160 };
const GRACE_MS = 3_000;
const STATES = ['pending', 'connecting', 'live', 'reconnecting', 'stopped', 'error'] as const;

/**
 * Names of controls the issue does not fix (the destination form, the logo upload, the title's
 * editor, the recordings' player): the dashboard's own wording (apps/dashboard), kept here in one place.
 */
const UI = {
  addDestination: 'Add destination',
  platform: 'Platform',
  rtmpPlatform: 'RTMP(S)',
  preset: 'Preset',
  customPreset: /^custom/i,
  destinationUrl: 'Server URL',
  saveDestination: 'Save destination',
  logoFile: 'Logo file',
  logoPreview: 'Logo preview',
  editTitle: 'Edit title',
  titleField: 'Title',
  recordingPlayer: 'Recording',
  notAllowed: /not allowed/i,
  wrongPassword: /wrong/i,
  signOut: 'Sign out',
} as const;

/** A destination as the test sets it up: a sink, and how its card is named. */
interface DestinationSetup {
  name: string;
  sink: RtmpSink;
  /** The preset chosen in the form; a preset's own URL is replaced by the sink's. */
  preset: 'custom' | 'Instagram';
}

interface BroadcastView {
  id: string;
  environment: string;
  state: string;
  djName: string;
  title: string;
  destinations: Array<{ id: string; name: string; state: string; lastError: string | null; bitrateKbps: number | null }>;
}

/** "1 234 kb/s", "1.2 Mb/s", "850 kbps" → kb/s; null when the text shows no bitrate. */
function bitrateShown(text: string): number | null {
  const match = /(\d[\d\s.,]*)\s*(kb\/s|kbit\/s|kbps|Mb\/s|Mbit\/s|Mbps)/i.exec(text);
  if (!match) return null;
  const value = Number(match[1]!.replace(/[\s,]/g, ''));
  return /^m/i.test(match[2]!) ? value * 1000 : value;
}

/** The state words a card shows, each as a text of its own (a badge), not inside a sentence. */
async function statesShown(page: Page, destination: string): Promise<string[]> {
  const card = page.getByRole('region', { name: destination, exact: true });
  const shown: string[] = [];
  for (const state of STATES) if ((await card.getByText(state, { exact: true }).count()) > 0) shown.push(state);
  return shown;
}

/** Where the composer draws the logo (apps/transcoder overlay-layout): a 25% × 15% box, 3% from the edges. */
function logoBox(frame: { width: number; height: number }, position: 'top-right'): Box {
  const even = (value: number) => Math.max(2, 2 * Math.round(value / 2));
  const margin = even(frame.height * 0.03);
  const scale = Math.min((frame.width * 0.25) / LOGO.width, (frame.height * 0.15) / LOGO.height);
  const width = even(LOGO.width * scale);
  const height = even(LOGO.height * scale);
  const x = position === 'top-right' ? frame.width - margin - width : margin;
  // The inner half of the logo: the scaler blends its edges with the picture.
  return { x: Math.round(x + width / 4), y: Math.round(margin + height / 4), width: Math.round(width / 2), height: Math.round(height / 2) };
}

describe('the dashboard, end to end in Chromium', { timeout: 300_000 }, () => {
  let environment: TestEnvironment;
  let stack: Stack;
  let api: ApiClient;
  let browser: HeadlessChromium;
  let page: Page;
  let work: string;
  let logoFile: string;
  const sinks = {} as DestinationSinks;
  let destinations: DestinationSetup[];
  let djKey = '';
  let djStream: DjStream | undefined;
  let rehearsal: DjStream | undefined;
  let broadcast: BroadcastView;
  const otherBrowsers: HeadlessChromium[] = [];

  const dashboard = () => `${stack.gatewayUrl}/`;
  const ingest = (app: 'live' | 'test', key: string) => `rtmp://127.0.0.1:${stack.options.rtmpPort}/${app}/${key}`;
  const navigate = async (link: string) => {
    await page.getByRole('link', { name: link, exact: true }).click();
    // The page's data comes over HTTP and the live channel: give it a moment before looking.
    await page.waitForLoadState('domcontentloaded');
  };
  const broadcastsOf = async (env: 'live' | 'test') => (await api.call<BroadcastView[]>('GET', `/api/broadcasts?environment=${env}`, undefined, 200)).body;

  before(async () => {
    environment = await createTestEnvironment('dashboard');
    work = join(environment.dataDir, 'dashboard-e2e');
    // Sink b is down at the start: a test brings it up.
    await startDestinationSinks(sinks, work);
    destinations = [
      { name: 'Club stream A', sink: sinks.a, preset: 'custom' },
      { name: 'Club stream B', sink: sinks.b, preset: 'custom' },
      { name: 'Tube C', sink: sinks.c, preset: 'Instagram' },
    ];

    logoFile = join(work, 'logo.png');
    const made = await runOnce('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `color=c=0x00FF00:s=${LOGO.width}x${LOGO.height}`, '-frames:v', '1', '-y', logoFile]);
    assert.equal(made.code, 0, made.stderr);

    stack = new Stack(
      await testStackOptions(environment, join(work, 'run'), {
        STREAMCASTER_ADMIN_EMAIL: ADMIN.email,
        STREAMCASTER_ADMIN_PASSWORD: ADMIN.password,
        BROADCAST_GRACE_PERIOD_MS: String(GRACE_MS),
        TRANSCODER_ENCODER: 'libx264',
        TRANSCODER_WIDTH: String(PROGRAM.width),
        TRANSCODER_HEIGHT: String(PROGRAM.height),
        TRANSCODER_VIDEO_BITRATE_KBPS: '1500',
        // What is tested is how fast the dashboard shows a sink coming back, not the relay's backoff
        // policy: keep the retries close together.
        RELAY_BACKOFF_MAX_MS: '1500',
      }),
    );
    await stack.start();
    api = new ApiClient(stack.gatewayUrl);
    await api.login(ADMIN.email, ADMIN.password);
    browser = await HeadlessChromium.launch();
    browser.context.setDefaultTimeout(10_000);
    page = await browser.page();
  });

  after(async () => {
    djStream?.process.kill('SIGKILL');
    rehearsal?.process.kill('SIGKILL');
    for (const other of otherBrowsers) await other.close();
    await browser?.close();
    await stack?.stop();
    if (stack) await cp(stack.logDir, resolve('var/e2e-logs/dashboard'), { recursive: true, force: true });
    for (const sink of Object.values(sinks)) await sink.stop();
    await environment?.dispose();
  });

  it('refuses a wrong password and says why, then signs in', async () => {
    await page.goto(dashboard());
    await page.getByLabel('Email').waitFor();
    await browser.screenshot(page, 'sign-in');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(UI.wrongPassword).first().waitFor();
    assert.equal(await page.getByRole('link', { name: 'On air' }).count(), 0, 'signed in with a wrong password');
    await signInToDashboard(page, dashboard(), ADMIN);
    assert.ok(await environmentSwitch(page).isVisible(), 'no Environment switch on the start page');
  });

  it('adds a DJ and shows its stream key, and shows a DJ name with markup as text', async () => {
    await navigate('DJs');
    for (const name of [DJ_NAME, HOSTILE_NAME]) {
      await page.getByRole('button', { name: 'Add DJ' }).click();
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByRole('button', { name: 'Create' }).click();
      const key = await shownText(page.getByLabel('Stream key', { exact: true }));
      assert.match(key, /^\S{16,}$/, `"${key}" does not look like a stream key`);
      if (name === DJ_NAME) djKey = key;
    }
    const djs = (await api.call<Array<{ id: string; name: string }>>('GET', '/api/djs', undefined, 200)).body;
    assert.deepEqual(djs.map((dj) => dj.name).sort(), [DJ_NAME, HOSTILE_NAME].sort());
    // The name is there as text; the markup did not become an element that runs its handler.
    await page.getByText(HOSTILE_NAME, { exact: true }).first().waitFor();
    await page.waitForTimeout(500);
    assert.deepEqual(browser.dialogs, [], 'a dialog opened');
    await browser.screenshot(page, 'djs');
  });

  it('adds destinations with presets, one of them pointing at a sink that is down', async () => {
    await navigate('Destinations');
    for (const destination of destinations) {
      await page.getByRole('button', { name: UI.addDestination, exact: true }).click();
      await chooseOption(page, UI.platform, UI.rtmpPlatform);
      await chooseOption(page, UI.preset, destination.preset === 'custom' ? UI.customPreset : destination.preset);
      const url = page.getByLabel(UI.destinationUrl, { exact: true });
      if (destination.preset === 'Instagram') assert.match(await url.inputValue(), /instagram\.com/, 'the Instagram preset did not fill its ingest URL');
      await url.fill(destination.sink.url);
      await page.getByLabel('Name', { exact: true }).fill(destination.name);
      await page.getByLabel('Stream key', { exact: true }).fill(destination.sink.streamKey);
      await page.getByRole('button', { name: UI.saveDestination, exact: true }).click();
      await page.getByText(destination.name, { exact: true }).first().waitFor();
    }
    const saved = (await api.call<Array<{ name: string; environment: string; url: string }>>('GET', '/api/destinations?environment=live', undefined, 200)).body;
    for (const destination of destinations) {
      const found = saved.find((candidate) => candidate.name === destination.name);
      assert.equal(found?.url, destination.sink.url, `${destination.name} was not saved with the sink's URL`);
    }
    // The key is never shown again after saving.
    for (const destination of destinations) assert.equal(await page.getByText(destination.sink.streamKey).count(), 0, `${destination.name}'s key is shown`);
    await browser.screenshot(page, 'destinations');
    // The Test environment's destination, through the API: the form was tested above.
    await api.call('POST', '/api/destinations', { environment: 'test', platform: 'rtmp', name: 'Rehearsal sink', url: sinks.test.url, streamKey: sinks.test.streamKey }, 201);
  });

  it('uploads a logo and previews it', async () => {
    await navigate('Branding');
    await page.getByLabel(UI.logoFile, { exact: true }).setInputFiles(logoFile);
    const preview = page.getByRole('img', { name: UI.logoPreview, exact: true });
    await waitFor('the logo preview to load', async () => ((await mediaSize(preview)).width > 0 ? true : undefined), 10_000);
    const [r, g, b] = await meanColourShown(preview, { x: 10, y: 10, width: 40, height: 40 });
    assert.ok(g > 200 && r < 60 && b < 60, `the preview shows rgb(${r}, ${g}, ${b}), not the green logo`);
    const branding = (await api.call<{ logo: { width: number; height: number } | null; logoPosition: string }>('GET', '/api/branding', undefined, 200)).body;
    assert.deepEqual({ width: branding.logo?.width, height: branding.logo?.height }, LOGO);
    assert.equal(branding.logoPosition, 'top-right', 'the default logo position changed; logoBox() below assumes top-right');
    await browser.screenshot(page, 'branding');
  });

  it('shows the broadcast on air within 10 s, every card live with a bitrate, the card of the sink that is down reconnecting with its reason', async () => {
    await navigate('On air');
    const startedAt = Date.now();
    djStream = publishAsDj(ingest('live', djKey), 600, { size: `${PROGRAM.width}x${PROGRAM.height}` });
    const deadline = startedAt + 10_000;
    await page.getByText(DJ_NAME).first().waitFor({ timeout: Math.max(1, deadline - Date.now()) });
    for (const destination of destinations.filter((candidate) => candidate.sink !== sinks.b)) {
      const card = page.getByRole('region', { name: destination.name, exact: true });
      await waitFor(
        `${destination.name}'s card to say live with a bitrate`,
        async () => ((await statesShown(page, destination.name)).join() === 'live' && (bitrateShown(await card.innerText()) ?? 0) > 0 ? true : undefined),
        Math.max(1, deadline - Date.now()),
      ).catch(async (error: Error) => assert.fail(`${error.message}; the card shows: ${await card.innerText().catch(() => 'nothing')}`));
    }
    console.log(`e2e: on air with every card live ${Date.now() - startedAt} ms after the DJ started`);
    broadcast = (await broadcastsOf('live'))[0]!;
    const down = destinations.find((candidate) => candidate.sink === sinks.b)!;
    const card = page.getByRole('region', { name: down.name, exact: true });
    await waitFor(`${down.name}'s card to say reconnecting`, async () => ((await statesShown(page, down.name)).includes('reconnecting') ? true : undefined), 10_000);
    const view = (await api.call<BroadcastView>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body;
    const reason = view.destinations.find((candidate) => candidate.name === down.name)?.lastError;
    assert.ok(reason, `the API gives no reason for ${down.name}`);
    const text = await card.innerText();
    // The reason in words (the API's, or the start of it), never the key.
    assert.ok(text.includes(reason.slice(0, 30)), `the card of ${down.name} does not give its reason "${reason}": ${text}`);
    assert.ok(!text.includes(sinks.b.streamKey), 'the stream key is shown');
    for (const destination of destinations.filter((candidate) => candidate !== down)) {
      assert.deepEqual(await statesShown(page, destination.name), ['live'], `${destination.name} is not live while ${down.name} reconnects`);
    }
  });

  it('turns the card of the sink that comes up live within 3 s', async () => {
    const down = destinations.find((candidate) => candidate.sink === sinks.b)!;
    await sinks.b.start();
    const upAt = Date.now();
    await waitFor(`${down.name}'s card to say live`, async () => ((await statesShown(page, down.name)).join() === 'live' ? true : undefined), 3_000, 100);
    console.log(`e2e: ${down.name} live on the page ${Date.now() - upAt} ms after its sink came up`);
  });

  it('plays the program preview, with the logo where it is placed', async () => {
    const preview = page.getByLabel('Program preview');
    await waitForPlayback(preview, 3, 30_000);
    const frame = await mediaSize(preview);
    assert.deepEqual(frame, PROGRAM);
    const [r, g, b] = await meanColourShown(preview, logoBox(frame, 'top-right'));
    assert.ok(g > 180 && r < 90 && b < 90, `the logo's place shows rgb(${r.toFixed(0)}, ${g.toFixed(0)}, ${b.toFixed(0)}), not green`);
    // And the DJ's own picture (0x203040) where the logo is not.
    const [pr, pg, pb] = await meanColourShown(preview, { x: PROGRAM.width / 2 - 40, y: PROGRAM.height / 2 - 40, width: 80, height: 80 });
    assert.ok(Math.abs(pr - 0x20) < 30 && Math.abs(pg - 0x30) < 30 && Math.abs(pb - 0x40) < 30, `the picture's centre is rgb(${pr}, ${pg}, ${pb})`);
  });

  it('edits the title in place: the API has it, and it is still shown after a reload', async () => {
    const title = `Sunset set, edited ${new Date().toISOString().slice(11, 19)}`;
    await page.getByRole('button', { name: UI.editTitle, exact: true }).click();
    const field = page.getByRole('textbox', { name: UI.titleField, exact: true });
    await field.fill(title);
    await field.press('Enter');
    const saved = await waitFor('the API to have the new title', async () => {
      const view = (await api.call<BroadcastView>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body;
      return view.title === title ? view : undefined;
    }, 5_000);
    assert.equal(saved.title, title);
    await page.reload();
    await page.getByText(title).first().waitFor();
    await waitForPlayback(page.getByLabel('Program preview'), 1, 20_000);
    await browser.screenshot(page, 'on-air');
    await browser.screenshot(page, 'on-air-phone', PHONE);
  });

  it('keeps a screenshot of History, Recordings and Users', async () => {
    for (const [link, file] of [['History', 'history'], ['Recordings', 'recordings'], ['Users', 'users']] as const) {
      await navigate(link);
      await page.waitForTimeout(1_000);
      await browser.screenshot(page, file);
    }
    await navigate('On air');
  });

  it('shows TEST on every page in Test, and a Test broadcast never under Live', async () => {
    const djs = (await api.call<Array<{ id: string; name: string }>>('GET', '/api/djs', undefined, 200)).body;
    const rehearsalDj = (await api.call<{ id: string; streamKey: string }>('POST', '/api/djs', { name: REHEARSAL_DJ }, 201)).body;
    assert.ok(djs.length >= 2);
    await chooseEnvironment(page, 'Test');
    for (const link of ['On air', 'DJs', 'Destinations', 'Branding', 'History', 'Recordings', 'Users', 'On air']) {
      await navigate(link);
      await page.getByText('TEST', { exact: true }).first().waitFor({ timeout: 5_000 }).catch(() => assert.fail(`no TEST banner on ${link}`));
    }
    rehearsal = publishAsDj(ingest('test', rehearsalDj.streamKey), 600, { size: '640x360' });
    await page.getByText(REHEARSAL_DJ).first().waitFor({ timeout: 15_000 });
    await browser.screenshot(page, 'on-air-test');
    await chooseEnvironment(page, 'Live');
    await page.getByText(DJ_NAME).first().waitFor();
    assert.equal(await page.getByText('TEST', { exact: true }).count(), 0, 'the TEST banner stays in Live');
    // For as long as the rehearsal runs (it is checked in the API), it never shows under Live.
    for (let look = 0; look < 10; look += 1) {
      assert.equal(await page.getByText(REHEARSAL_DJ).count(), 0, 'the Test broadcast appears under Live');
      await page.waitForTimeout(300);
    }
    assert.ok((await broadcastsOf('test')).some((candidate) => candidate.djName === REHEARSAL_DJ && candidate.state !== 'ended'));
    rehearsal.process.kill('SIGINT');
  });

  it('gives an operator no Users page, and 403 from the users route', async () => {
    await api.call('POST', '/api/users', { email: OPERATOR.email, role: 'operator', password: OPERATOR.password }, 201);
    const other = await HeadlessChromium.launch();
    otherBrowsers.push(other);
    other.context.setDefaultTimeout(10_000);
    const operatorPage = await other.page();
    await signInToDashboard(operatorPage, dashboard(), OPERATOR);
    await operatorPage.getByRole('link', { name: 'DJs' }).waitFor();
    assert.equal(await operatorPage.getByRole('link', { name: 'Users' }).count(), 0, 'an operator has a Users link');
    await operatorPage.goto(`${stack.gatewayUrl}/users`);
    await operatorPage.getByText(UI.notAllowed).first().waitFor();
    const operatorApi = new ApiClient(stack.gatewayUrl);
    await operatorApi.login(OPERATOR.email, OPERATOR.password);
    assert.equal((await operatorApi.call('GET', '/api/users')).status, 403);
    // Sign out ends the session: the sign-in form is back, and a reload does not sign in again.
    await operatorPage.getByRole('button', { name: UI.signOut, exact: true }).click();
    await operatorPage.getByLabel('Email').waitFor();
    await operatorPage.reload();
    await operatorPage.getByLabel('Email').waitFor();
  });

  it('shows a DJ user only its own DJ', async () => {
    const djs = (await api.call<Array<{ id: string; name: string }>>('GET', '/api/djs', undefined, 200)).body;
    const own = djs.find((dj) => dj.name === DJ_NAME)!;
    await api.call('POST', '/api/users', { email: DJ_USER.email, role: 'dj', djId: own.id, password: DJ_USER.password }, 201);
    const djPage = await otherBrowsers[0]!.page();
    await signInToDashboard(djPage, dashboard(), DJ_USER);
    await djPage.getByRole('link', { name: 'DJs' }).click();
    await djPage.getByText(DJ_NAME).first().waitFor();
    for (const foreign of [HOSTILE_NAME, REHEARSAL_DJ]) assert.equal(await djPage.getByText(foreign).count(), 0, `a DJ user sees ${foreign}`);
    assert.equal(await djPage.getByRole('link', { name: 'Users' }).count(), 0);
    assert.deepEqual(otherBrowsers[0]!.dialogs, []);
  });

  it('lists the recording after the DJ stopped and the grace period, and plays it in the page', async () => {
    djStream!.process.kill('SIGINT');
    await djStream!.exited;
    await waitFor('the broadcast to end', async () => {
      const view = (await api.call<BroadcastView>('GET', `/api/broadcasts/${broadcast.id}`, undefined, 200)).body;
      return view.state === 'ended' ? true : undefined;
    }, GRACE_MS + 20_000);
    const recordings = await waitFor('the recording to be ready', async () => {
      const all = (await api.call<Array<{ broadcastId: string; state: string }>>('GET', '/api/recordings', undefined, 200)).body;
      return all.some((candidate) => candidate.broadcastId === broadcast.id && candidate.state === 'ready') ? all : undefined;
    }, 30_000);
    assert.ok(recordings.length >= 1);
    await navigate('Recordings');
    await page.getByText(DJ_NAME).first().waitFor();
    // The DJ's recording, not the rehearsal's: its button is "Play <DJ> <date>".
    await page.getByRole('button', { name: new RegExp(`^Play ${DJ_NAME}`) }).first().click();
    const player = page.getByLabel(UI.recordingPlayer, { exact: true });
    const refusal = page.getByRole('region', { name: /^Playing / }).getByRole('alert');
    await player.or(refusal).first().waitFor();
    if (await refusal.isVisible()) assert.fail(`the recording does not play: ${await refusal.innerText()}`);
    await waitForPlayback(player, 2, 20_000);
    await browser.screenshot(page, 'recordings');
    assert.deepEqual(browser.dialogs, [], 'a dialog opened during the run');
    assert.deepEqual(browser.pageErrors, [], 'the dashboard threw');
  });
});

