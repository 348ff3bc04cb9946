import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANALYSIS_RATE, BeatTracker } from './beat-tracker.js';

/** A repeatable noise source, so that a failing case fails again. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff - 0.5;
  };
}

/** Kicks (55 Hz, decaying) on every beat from `firstBeat`, hi-hats between them, a little noise. */
function kicks(bpm: number, seconds: number, firstBeat: number, options: { hats?: boolean; pad?: boolean } = {}): Float32Array {
  const period = 60 / bpm;
  const random = noise(bpm);
  const samples = new Float32Array(seconds * ANALYSIS_RATE);
  for (let n = 0; n < samples.length; n++) {
    const t = n / ANALYSIS_RATE;
    let value = 0.02 * random();
    const since = t - firstBeat;
    if (since >= 0) {
      const inBeat = since % period;
      value += 0.8 * Math.sin(2 * Math.PI * 55 * inBeat) * Math.exp(-18 * inBeat);
      if (options.hats !== false) value += 0.15 * random() * Math.exp(-60 * ((since + period / 2) % period));
    }
    if (options.pad) value += 0.1 * (Math.sin(2 * Math.PI * 220 * t) + Math.sin(2 * Math.PI * 277 * t)) * (0.6 + 0.4 * Math.sin((2 * Math.PI * t) / 7));
    samples[n] = value;
  }
  return samples;
}

/** Feeds the sound in 100 ms pieces, as the encoder sends it. */
function track(samples: Float32Array): BeatTracker {
  const tracker = new BeatTracker();
  for (let at = 0; at < samples.length; at += ANALYSIS_RATE / 10) tracker.push(samples.subarray(at, at + ANALYSIS_RATE / 10));
  return tracker;
}

/** How far a beat time is from the nearest kick of the signal. */
function offKick(beat: number, bpm: number, firstBeat: number): number {
  const period = 60 / bpm;
  return beat - (firstBeat + Math.round((beat - firstBeat) / period) * period);
}

describe('the beat tracker', () => {
  for (const [bpm, firstBeat] of [[120, 0.1], [124, 0.37], [128, 0.237], [140, 0.05], [90, 0.4]] as const) {
    it(`${bpm} BPM: the tempo to 0.1 %, the beat on the kick to 10 ms (a third of a frame), strongly`, () => {
      const estimate = track(kicks(bpm, 20, firstBeat)).estimate();
      assert.ok(estimate);
      assert.ok(Math.abs(60 / estimate.period - bpm) / bpm < 0.001, `tempo ${60 / estimate.period}`);
      assert.ok(Math.abs(offKick(estimate.beat, bpm, firstBeat)) < 0.01, `beat ${(offKick(estimate.beat, bpm, firstBeat) * 1000).toFixed(1)} ms off`);
      assert.ok(estimate.strength > 0.8, `strength ${estimate.strength}`);
    });
  }

  it('puts the beat on the kick, not on the hi-hat between (the whole spectrum rises more on a hi-hat)', () => {
    const estimate = track(kicks(126, 20, 0.2)).estimate()!;
    assert.ok(Math.abs(offKick(estimate.beat, 126, 0.2)) < 0.01);
  });

  it('follows kicks under a chord that swells and fades', () => {
    const estimate = track(kicks(126, 20, 0, { hats: false, pad: true })).estimate()!;
    assert.ok(Math.abs(60 / estimate.period - 126) < 0.2);
    assert.ok(Math.abs(offKick(estimate.beat, 126, 0)) < 0.01);
    assert.ok(estimate.strength > 0.35);
  });

  it('finds the beat of clicks with no bass (the whole spectrum carries the phase then)', () => {
    const bpm = 135;
    const period = 60 / bpm;
    const random = noise(7);
    const samples = new Float32Array(20 * ANALYSIS_RATE);
    for (let n = 0; n < samples.length; n++) samples[n] = random() * Math.exp(-80 * (((n / ANALYSIS_RATE - 0.2) % period) + (n / ANALYSIS_RATE < 0.2 ? 100 : 0)));
    const estimate = track(samples).estimate()!;
    assert.ok(Math.abs(60 / estimate.period - bpm) < 0.2);
    assert.ok(Math.abs(offKick(estimate.beat, bpm, 0.2)) < 0.01);
  });

  it('says the beat of noise is weak (below what the clock takes)', () => {
    const random = noise(3);
    const estimate = track(Float32Array.from({ length: 20 * ANALYSIS_RATE }, () => 0.5 * random())).estimate();
    assert.ok(estimate && estimate.strength < 0.3, `strength ${estimate?.strength}`);
  });

  it('says nothing before it holds 6 s of sound, and keeps the stream time of every sample it read', () => {
    const tracker = track(kicks(124, 5, 0));
    assert.equal(tracker.estimate(), null);
    assert.equal(tracker.now, 5);
    tracker.push(new Float32Array(60));
    assert.equal(tracker.now, 5.005);
  });

  it('reads a beat from the most recent 12 s: a new tempo is what it reports once the old one has left the window', () => {
    const tracker = track(kicks(124, 12, 0));
    for (const piece of [kicks(132, 14, 0)]) tracker.push(piece);
    const estimate = tracker.estimate()!;
    assert.ok(Math.abs(60 / estimate.period - 132) < 0.3, `tempo ${60 / estimate.period}`);
  });
});
