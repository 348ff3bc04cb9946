import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseVjScene, parseBenchmark, type VjProbeResult } from './vj-probe.js';

const measured = (scene: 'spectrum' | 'scope' | 'histogram', cores: number, speed: number): VjProbeResult => ({ ok: true, figures: { scene, cores, speed } });
const LIMITS = { maxCores: 1.3, machineCores: 2 };

describe("the automated VJ's scene choice", () => {
  it('takes the first scene in order of preference that stays within the cores and runs fast enough', () => {
    const choice = chooseVjScene([measured('spectrum', 1.2, 1.6), measured('scope', 0.9, 2.2), measured('histogram', 0.7, 2.8)], LIMITS);
    assert.equal(choice.scene, 'spectrum');
    assert.match(choice.reason, /spectrum 1\.20 cores per second of program \(probe ran 1\.60× real time\): within 1\.30 cores/);
  });

  it('passes over a scene that costs too much, or leaves a small machine no margin; the wall clock of a probe beside other work does not count', () => {
    assert.equal(chooseVjScene([measured('spectrum', 1.4, 1.6), measured('scope', 1.0, 2.0), measured('histogram', 0.7, 2.8)], LIMITS).scene, 'scope');
    const oneCore = { maxCores: 1.3, machineCores: 1 };
    assert.equal(chooseVjScene([measured('spectrum', 0.9, 1.1), measured('scope', 1.0, 1.0), measured('histogram', 0.8, 1.3)], oneCore).scene, 'histogram');
    assert.equal(chooseVjScene([measured('spectrum', 1.2, 0.4), measured('scope', 1.0, 0.3)], LIMITS).scene, 'spectrum');
  });

  it('takes the cheapest that works when none fits, and says so; the first when none could be probed', () => {
    const none = chooseVjScene(
      [measured('spectrum', 2.0, 0.8), { ok: false, scene: 'scope', reason: 'No such filter' }, measured('histogram', 1.6, 0.9)],
      LIMITS,
    );
    assert.equal(none.scene, 'histogram');
    assert.match(none.reason, /the cheapest, though none stays within 1\.30 cores/);
    const failed = chooseVjScene([{ ok: false, scene: 'spectrum', reason: 'x' }], LIMITS);
    assert.deepEqual([failed.scene, failed.reason], ['spectrum', 'no scene could be probed']);
  });
});

describe("the automated VJ's scene choice among the scenes the branding allows", () => {
  const all = [measured('spectrum', 1.2, 1.6), measured('scope', 0.9, 2.2), measured('histogram', 0.7, 2.8)];
  it('takes the first allowed scene that fits, never one the branding turned off', () => {
    assert.equal(chooseVjScene(all, LIMITS, ['scope', 'histogram']).scene, 'scope');
    assert.equal(chooseVjScene(all, LIMITS, ['histogram']).scene, 'histogram');
    assert.equal(chooseVjScene([measured('spectrum', 0.9, 1.6), measured('scope', 2.0, 0.7), measured('histogram', 1.8, 0.8)], LIMITS, ['scope', 'histogram']).scene, 'histogram', 'the cheapest allowed when none fits');
  });
  it('falls back to the first allowed scene when none of them could be probed', () => {
    assert.equal(chooseVjScene([measured('spectrum', 0.9, 1.6), { ok: false, scene: 'scope', reason: 'x' }], LIMITS, ['scope']).scene, 'scope');
  });
});

describe("ffmpeg's -benchmark line", () => {
  it('reads CPU seconds (user + system) and wall seconds', () => {
    assert.deepEqual(parseBenchmark('frame=  120 fps=60\nbench: utime=3.210s stime=0.290s rtime=2.500s\nbench: maxrss=80000kB\n'), { cpuSeconds: 3.5, wallSeconds: 2.5 });
    assert.equal(parseBenchmark('Conversion failed!'), null);
  });
});
