import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chooseVjScene, probeVjScenes } from '../src/vj/vj-probe.js';

/** The probe on this machine's real ffmpeg, with the command an audio-only job runs (libx264 here). */
describe("the automated VJ's scene probe", { timeout: 120_000 }, () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'vj-probe-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('measures every scene: the CPU it takes per second of program (and how fast the probe ran, at the lowest priority)', async () => {
    const results = await probeVjScenes({
      ffmpegPath: 'ffmpeg',
      encoder: { kind: 'libx264' },
      profile: { width: 640, height: 360, fps: 30, videoBitrateKbps: 1500, audioBitrateKbps: 128, keyframeSeconds: 2, x264Preset: 'veryfast' },
      fontFile: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
      scratchDir: scratch,
    });
    assert.deepEqual(results.map((result) => (result.ok ? result.figures.scene : `${result.scene}: ${result.reason}`)), ['spectrum', 'scope', 'histogram']);
    for (const result of results) {
      assert.ok(result.ok);
      console.log(`VJ probe (640x360, libx264 veryfast): ${result.figures.scene} ${result.figures.cores.toFixed(2)} cores, ${result.figures.speed.toFixed(2)}× real time`);
      // Drawing and encoding 4 s of program is real work, and a 640x360 program takes well under a core.
      assert.ok(result.figures.cores > 0.02 && result.figures.cores < 1, `${result.figures.scene}: ${result.figures.cores} cores`);
      assert.ok(result.figures.speed > 0, `${result.figures.scene}: speed ${result.figures.speed}`);
    }
    const choice = chooseVjScene(results, { maxCores: 1.3, machineCores: 2 });
    assert.ok(['spectrum', 'scope', 'histogram'].includes(choice.scene));
    // The probe cleans up after itself.
    assert.deepEqual(await readdir(scratch), []);
  });
});
