import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Where the end-to-end tests keep their screenshots (var/ is not tracked). */
export const E2E_ARTIFACTS_DIR = resolve('var/e2e-artifacts');

/** Debian's Chromium: plays H.264 and AAC, which the program preview and the recordings are. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The preview is muted and starts by itself in a real browser; headless has no user to click.
  '--autoplay-policy=no-user-gesture-required',
];

export interface Viewport {
  width: number;
  height: number;
}

export const DESKTOP: Viewport = { width: 1440, height: 900 };
export const PHONE: Viewport = { width: 390, height: 844 };

/**
 * One headless Chromium with a profile of its own (a fresh folder, removed on close), so that two
 * of them are two users with their own cookies. Every dialog (alert, confirm…) that any page opens
 * is recorded and dismissed: a test of markup injection asserts that none opened; every uncaught
 * page error is recorded too, for the failure messages.
 */
export class HeadlessChromium {
  readonly dialogs: string[] = [];
  readonly pageErrors: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    private readonly profile: string,
  ) {
    context.on('page', (page) => this.watch(page));
    for (const page of context.pages()) this.watch(page);
  }

  /**
   * playwright's launch() refuses a `--user-data-dir` argument and keeps its profile elsewhere; a
   * persistent context on a fresh folder is the same thing, with the folder ours to remove.
   */
  static async launch(viewport: Viewport = DESKTOP): Promise<HeadlessChromium> {
    try {
      return await HeadlessChromium.launchOnce(viewport);
    } catch (error) {
      // The first Chromium of a freshly installed machine builds its font cache and profile
      // templates, and has failed to start once in CI for it: one more try, the first error shown.
      console.error(`Chromium did not start; trying once more: ${error instanceof Error ? error.message : String(error)}`);
      return HeadlessChromium.launchOnce(viewport);
    }
  }

  private static async launchOnce(viewport: Viewport): Promise<HeadlessChromium> {
    const profile = mkdtempSync(join(tmpdir(), 'streamcaster-chromium-'));
    try {
      const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport, timeout: 60_000 });
      return new HeadlessChromium(context, profile);
    } catch (error) {
      rmSync(profile, { recursive: true, force: true });
      throw error;
    }
  }

  /** The page the browser opened with (a persistent context always has one). */
  async page(): Promise<Page> {
    return this.context.pages()[0] ?? (await this.context.newPage());
  }

  /** A screenshot of the visible part of a page into var/e2e-artifacts/<name>.png, at a given size. */
  async screenshot(page: Page, name: string, viewport: Viewport = DESKTOP): Promise<string> {
    mkdirSync(E2E_ARTIFACTS_DIR, { recursive: true });
    const previous = page.viewportSize();
    await page.setViewportSize(viewport);
    // Layouts that change with the width (a navigation drawer) animate into place.
    if (previous && previous.width !== viewport.width) await page.waitForTimeout(600);
    const path = join(E2E_ARTIFACTS_DIR, `${name}.png`);
    await page.screenshot({ path });
    if (previous && (previous.width !== viewport.width || previous.height !== viewport.height)) await page.setViewportSize(previous);
    return path;
  }

  /** Closes every page and the browser process, then removes the profile. */
  async close(): Promise<void> {
    try {
      await this.context.close();
    } finally {
      rmSync(this.profile, { recursive: true, force: true });
    }
  }

  private watch(page: Page): void {
    page.on('dialog', (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => undefined);
    });
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
  }
}

/** What an element shows, once it is there: the value of a field, the text of anything else. */
export async function shownText(element: Locator): Promise<string> {
  await element.waitFor();
  const tag = await element.evaluate((node: { tagName: string }) => node.tagName);
  return (tag === 'INPUT' || tag === 'TEXTAREA' ? await element.inputValue() : await element.innerText()).trim();
}

// The few DOM types the in-page functions below use: this workspace compiles without the DOM library,
// and these functions run in the page, not in Node.
interface PageImageData {
  data: ArrayLike<number>;
}
interface PageCanvasContext {
  drawImage(source: unknown, x: number, y: number, width: number, height: number): void;
  getImageData(x: number, y: number, width: number, height: number): PageImageData;
}
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d', options: { willReadFrequently: boolean }): PageCanvasContext | null;
}
declare const document: { createElement(tag: 'canvas'): PageCanvas };
interface PageVideo {
  currentTime: number;
  paused: boolean;
  readyState: number;
  videoWidth: number;
  videoHeight: number;
  error: { code: number; message: string } | null;
  play(): Promise<void>;
}
interface PageImage {
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
}

export interface VideoState {
  currentTime: number;
  paused: boolean;
  readyState: number;
  width: number;
  height: number;
  error: string | null;
}

export function videoState(video: Locator): Promise<VideoState> {
  return video.evaluate((element: PageVideo) => ({
    currentTime: element.currentTime,
    paused: element.paused,
    readyState: element.readyState,
    width: element.videoWidth,
    height: element.videoHeight,
    error: element.error ? `${element.error.code}: ${element.error.message}` : null,
  }));
}

/**
 * Resolves once a video element has played `seconds` of media (its currentTime advanced that far
 * from where it was when it first had a picture); rejects with its last state after `timeoutMs`.
 * A paused video is asked to play once: autoplay is the page's business, playing is the test's.
 */
export async function waitForPlayback(video: Locator, seconds: number, timeoutMs: number): Promise<VideoState> {
  const deadline = Date.now() + timeoutMs;
  let start: number | null = null;
  let nudged = false;
  let state = await videoState(video);
  while (Date.now() < deadline) {
    state = await videoState(video);
    if (state.error) throw new Error(`the video failed: ${state.error}`);
    if (state.readyState >= 2 && state.width > 0) {
      start ??= state.currentTime;
      if (state.currentTime - start >= seconds) return state;
      if (state.paused && !nudged) {
        nudged = true;
        await video.evaluate((element: PageVideo) => element.play().catch(() => undefined));
      }
    }
    await new Promise((settle) => setTimeout(settle, 200));
  }
  throw new Error(`the video did not play ${seconds} s within ${timeoutMs} ms (from ${start ?? 'no picture'}): ${JSON.stringify(state)}`);
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The mean colour [r, g, b] of a box of what a `video` or `img` element shows, drawn to a canvas in
 * the page at the media's own size (so the box is in the media's pixels, not the page's).
 */
export function meanColourShown(element: Locator, box: Box): Promise<[number, number, number]> {
  return element.evaluate((media: PageVideo & PageImage, area: Box) => {
    const width = media.videoWidth || media.naturalWidth;
    const height = media.videoHeight || media.naturalHeight;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2d canvas');
    context.drawImage(media, 0, 0, width, height);
    const { data } = context.getImageData(area.x, area.y, area.width, area.height);
    const sum = [0, 0, 0];
    for (let offset = 0; offset < data.length; offset += 4) {
      sum[0]! += data[offset]!;
      sum[1]! += data[offset + 1]!;
      sum[2]! += data[offset + 2]!;
    }
    const count = data.length / 4;
    return [sum[0]! / count, sum[1]! / count, sum[2]! / count] as [number, number, number];
  }, box);
}

/** The size of what a `video` or `img` element shows (0 × 0 while it has nothing). */
export function mediaSize(element: Locator): Promise<Viewport> {
  return element.evaluate((media: PageVideo & PageImage) => ({ width: media.videoWidth || media.naturalWidth || 0, height: media.videoHeight || media.naturalHeight || 0 }));
}

// The dashboard's controls, found by the accessible names its issue fixes (issue 6, "Accessible
// names"); the end-to-end test and the dashboard's benchmark drive it through these alone.

export interface Credentials {
  email: string;
  password: string;
}

/** Opens the dashboard and signs in; resolves once the navigation ("On air") is there. */
export async function signInToDashboard(page: Page, dashboardUrl: string, credentials: Credentials): Promise<void> {
  if (!page.url().startsWith(dashboardUrl)) await page.goto(dashboardUrl);
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'On air' }).waitFor();
}

/**
 * The environment switch "Environment" with its options "Live" and "Test": a radio group (a
 * segmented control), a tab list or a group of buttons.
 */
export function environmentSwitch(page: Page): Locator {
  const name = 'Environment';
  return page.getByRole('radiogroup', { name }).or(page.getByRole('tablist', { name })).or(page.getByRole('group', { name })).first();
}

export async function chooseEnvironment(page: Page, environment: 'Live' | 'Test'): Promise<void> {
  const group = environmentSwitch(page);
  const option = group.getByRole('radio', { name: environment }).or(group.getByRole('tab', { name: environment })).or(group.getByRole('button', { name: environment }));
  // A segmented control keeps its radio inputs out of sight under their labels: the click lands on the label.
  await option.first().click({ force: true });
}

/**
 * Picks an option of the field labelled `label`: a native select, or a combobox whose options show
 * once it is clicked (Mantine's Select).
 */
export async function chooseOption(page: Page, label: string, option: RegExp | string): Promise<void> {
  const field = page.getByLabel(label, { exact: true });
  if ((await field.evaluate((element: { tagName: string }) => element.tagName)) === 'SELECT') {
    const options = await field.locator('option').allTextContents();
    const wanted = options.find((text) => (typeof option === 'string' ? text.trim() === option : option.test(text)));
    if (!wanted) throw new Error(`no option ${String(option)} among ${options.join(', ')}`);
    await field.selectOption({ label: wanted });
    return;
  }
  await field.click();
  await page.getByRole('option', { name: option }).first().click();
}
