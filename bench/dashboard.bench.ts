// Benchmark of the dashboard's first load, in Debian's Chromium against the whole system (see bench/README.md):
//   initial JS      the scripts the first HTML loads before anything renders (its <script src> and
//                   modulepreload links: the entry and its static imports), gzipped               (target ≤ 300 kB)
//   JS of a visit   every script fetched by signing in and opening On air while a broadcast runs (the
//                   preview player and the charts with it), gzipped and as transferred              (information)
//   interactive     navigation start → the first frame with the Environment switch visible and
//                   enabled, signed in, a broadcast on air, median of RUNS (5) cold (empty cache)
//                   and RUNS warm loads                                                             (target ≤ 1.5 s)
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page, Request } from 'playwright-core';
import { Stack } from '@streamcaster/stack';
import { createTestEnvironment, environmentSwitch, HeadlessChromium, publishAsDj, signInToDashboard, testStackOptions, waitFor, type DjStream } from '@streamcaster/testing';
import { callApi } from './gateway-api.js';
import { percentile } from './live-client.js';

const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 5);
const TARGETS = { initialJsGzipKb: 300, interactiveSeconds: 1.5 };
const ADMIN = { email: 'bench@streamcaster.test', password: 'bench-password-123' };
const benchStartedAt = Date.now();

const environment = await createTestEnvironment('dashbench');
let stack: Stack | null = null;
let browser: HeadlessChromium | null = null;
let dj: DjStream | null = null;

const round1 = (value: number) => Number(value.toFixed(1));
const round3 = (value: number) => Number(value.toFixed(3));
const kb = (bytes: number) => bytes / 1000;

function log(message: string): void {
  console.log(`[bench +${Math.round((Date.now() - benchStartedAt) / 1000)}s] ${message}`);
}

/**
 * Runs in the page from its first byte: on every animation frame (just before the browser paints),
 * looks for the Environment switch, and keeps the time of the first frame where it is visible and
 * enabled, relative to the navigation's start (performance.now()). It finds the switch by its
 * accessible name as the page spells it (aria-label, aria-labelledby); the bench then checks with
 * playwright's own accessible-name lookup that it was the same element.
 */
const WATCH_ENVIRONMENT_SWITCH = `(() => {
  const named = (element) => {
    if (element.getAttribute('aria-label') === 'Environment') return true;
    const ids = (element.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    return ids.some((id) => (document.getElementById(id)?.textContent || '').trim() === 'Environment');
  };
  const usable = (element) => {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || element.getAttribute('aria-disabled') === 'true') return false;
    const options = element.querySelectorAll('input, button, [role=radio], [role=tab]');
    return options.length === 0 || [...options].some((option) => !option.disabled && option.getAttribute('aria-disabled') !== 'true');
  };
  const look = () => {
    const found = [...document.querySelectorAll('[role=radiogroup], [role=tablist], [role=group], fieldset')].find((element) => named(element) && usable(element));
    if (found) {
      window.__environmentSwitch = found;
      window.__environmentSwitchAt = performance.now();
    } else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();`;

interface LoadTiming {
  interactiveSeconds: number;
  domContentLoadedSeconds: number;
  loadSeconds: number;
}

/** One navigation to On air as a signed-in user (the refresh cookie is in the profile). */
async function timeOnAir(page: Page, url: string, cold: boolean): Promise<LoadTiming> {
  if (cold) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
  }
  await page.goto(url, { waitUntil: 'commit' });
  const at = (await (await page.waitForFunction('window.__environmentSwitchAt', undefined, { timeout: 20_000 })).jsonValue()) as number;
  const same = await environmentSwitch(page).evaluate((element: unknown, marker: string) => element === (globalThis as unknown as Record<string, unknown>)[marker], '__environmentSwitch');
  if (!same) throw new Error('the element found in the page is not the one named Environment');
  await page.waitForLoadState('load');
  const navigation = (await page.evaluate('JSON.stringify(performance.getEntriesByType("navigation")[0])')) as string;
  const entry = JSON.parse(navigation) as { domContentLoadedEventEnd: number; loadEventEnd: number };
  return { interactiveSeconds: at / 1000, domContentLoadedSeconds: entry.domContentLoadedEventEnd / 1000, loadSeconds: entry.loadEventEnd / 1000 };
}

/** The scripts the first HTML references, gzipped one by one as a server would send them. */
async function initialScripts(dashboardUrl: string): Promise<Array<{ path: string; bytes: number; gzipBytes: number }>> {
  const html = await (await fetch(dashboardUrl)).text();
  const paths = new Set<string>();
  for (const match of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) paths.add(match[1]!);
  for (const match of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"|<link[^>]*href="([^"]+)"[^>]*rel="modulepreload"/g)) paths.add((match[1] ?? match[2])!);
  const scripts = [];
  for (const path of paths) {
    const body = Buffer.from(await (await fetch(new URL(path, dashboardUrl))).arrayBuffer());
    scripts.push({ path, bytes: body.length, gzipBytes: gzipSync(body).length });
  }
  return scripts;
}

try {
  stack = new Stack(
    await testStackOptions(environment, join(environment.dataDir, 'run'), {
      STREAMCASTER_ADMIN_EMAIL: ADMIN.email,
      STREAMCASTER_ADMIN_PASSWORD: ADMIN.password,
      TRANSCODER_ENCODER: 'libx264',
      // A small program: what is measured is the page, on a machine that also encodes a set.
      TRANSCODER_WIDTH: '640',
      TRANSCODER_HEIGHT: '360',
    }),
  );
  await stack.start();
  const dashboardUrl = `${stack.gatewayUrl}/`;

  // A broadcast on air, as when the crew opens the page during a set: the preview and charts load too.
  const login = await fetch(`${stack.gatewayUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const { streamKey } = await callApi<{ streamKey: string }>(stack.gatewayUrl, 'POST', '/api/djs', accessToken, { name: 'Bench DJ' });
  dj = publishAsDj(`rtmp://127.0.0.1:${stack.options.rtmpPort}/live/${streamKey}`, 3_600, { size: '640x360' });
  await waitFor('a live broadcast', async () => {
    const running = await callApi<Array<{ state: string }>>(stack!.gatewayUrl, 'GET', '/api/broadcasts?environment=live', accessToken);
    return running.some((broadcast) => broadcast.state === 'live') ? true : undefined;
  }, 30_000);

  const initial = await initialScripts(dashboardUrl);
  const initialGzip = initial.reduce((sum, script) => sum + script.gzipBytes, 0);
  log(`initial scripts: ${initial.map((script) => `${script.path} ${kb(script.gzipBytes).toFixed(1)} kB`).join(', ')}`);

  // A first visit in a fresh profile: every script it fetches, the lazy ones included.
  browser = await HeadlessChromium.launch();
  const page = await browser.page();
  const visit: Array<{ url: string; transferredBytes: number; gzipBytes: number }> = [];
  const pending: Array<Promise<void>> = [];
  const seen = new Set<string>();
  const countScript = (request: Request) => {
    // Once per file: a script the page asks for again comes from the memory cache.
    if (request.resourceType() !== 'script' || seen.has(request.url())) return;
    seen.add(request.url());
    pending.push(
      (async () => {
        const response = await request.response();
        const body = response ? await response.body() : Buffer.alloc(0);
        const sizes = await request.sizes();
        visit.push({ url: new URL(request.url()).pathname, transferredBytes: sizes.responseBodySize, gzipBytes: gzipSync(body).length });
      })(),
    );
  };
  page.on('requestfinished', countScript);
  await signInToDashboard(page, dashboardUrl, ADMIN);
  await page.getByRole('link', { name: 'On air' }).click();
  await page.getByLabel('Program preview').waitFor();
  await page.waitForTimeout(3_000);
  page.off('requestfinished', countScript);
  await Promise.all(pending);
  const visitGzip = visit.reduce((sum, script) => sum + script.gzipBytes, 0);
  const visitTransferred = visit.reduce((sum, script) => sum + script.transferredBytes, 0);

  // Interactive: signed in (the refresh cookie stays in the profile), straight to the On air page.
  await page.addInitScript(WATCH_ENVIRONMENT_SWITCH);
  const cold: LoadTiming[] = [];
  const warm: LoadTiming[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    cold.push(await timeOnAir(page, dashboardUrl, true));
    warm.push(await timeOnAir(page, dashboardUrl, false));
    log(`run ${run + 1}: interactive ${cold.at(-1)!.interactiveSeconds.toFixed(3)} s cold, ${warm.at(-1)!.interactiveSeconds.toFixed(3)} s warm`);
  }
  const median = (timings: LoadTiming[], pick: (timing: LoadTiming) => number) => round3(percentile(timings.map(pick), 0.5));

  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9), browser: browser.context.browser()?.version() ?? 'chromium' },
    benchSeconds: Math.round((Date.now() - benchStartedAt) / 1000),
    conditions: 'signed in as admin, one broadcast on air (640x360 libx264 program), the gateway serving dist/apps/dashboard',
    initialJs: { gzipKb: round1(kb(initialGzip)), rawKb: round1(kb(initial.reduce((sum, script) => sum + script.bytes, 0))), scripts: initial, target: TARGETS.initialJsGzipKb },
    firstVisitJs: { gzipKb: round1(kb(visitGzip)), transferredKb: round1(kb(visitTransferred)), scripts: visit },
    interactiveSeconds: {
      cold: { median: median(cold, (timing) => timing.interactiveSeconds), runs: cold.map((timing) => round3(timing.interactiveSeconds)) },
      warm: { median: median(warm, (timing) => timing.interactiveSeconds), runs: warm.map((timing) => round3(timing.interactiveSeconds)) },
      domContentLoaded: { cold: median(cold, (timing) => timing.domContentLoadedSeconds), warm: median(warm, (timing) => timing.domContentLoadedSeconds) },
      load: { cold: median(cold, (timing) => timing.loadSeconds), warm: median(warm, (timing) => timing.loadSeconds) },
      target: TARGETS.interactiveSeconds,
    },
  };
  const verdict = (value: number, target: number, digits: number) => `${value.toFixed(digits)} (target ≤ ${target}: ${value <= target ? 'met' : 'MISSED'}; ratio ${(value / target).toFixed(2)})`;
  console.log('\nStreamCaster dashboard first-load benchmark');
  console.log(`  initial JS, gzipped (kB):            ${verdict(results.initialJs.gzipKb, TARGETS.initialJsGzipKb, 1)}  [${initial.length} files, ${results.initialJs.rawKb} kB raw]`);
  console.log(`  JS of a first visit to On air (kB):  ${results.firstVisitJs.gzipKb} gzipped, ${results.firstVisitJs.transferredKb} transferred (${visit.length} files, lazy chunks included)`);
  console.log(`  On air interactive, cold (s):        ${verdict(results.interactiveSeconds.cold.median, TARGETS.interactiveSeconds, 3)}  [median of ${RUNS}: ${results.interactiveSeconds.cold.runs.join(', ')}]`);
  console.log(`  On air interactive, warm (s):        ${verdict(results.interactiveSeconds.warm.median, TARGETS.interactiveSeconds, 3)}  [${results.interactiveSeconds.warm.runs.join(', ')}]`);
  console.log(`  DOMContentLoaded / load, cold (s):   ${results.interactiveSeconds.domContentLoaded.cold} / ${results.interactiveSeconds.load.cold}`);
  const file = resolve('bench/results/dashboard.json');
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nresults kept in ${file}`);
} finally {
  dj?.process.kill('SIGKILL');
  await browser?.close();
  await stack?.stop();
  await environment.dispose();
}
