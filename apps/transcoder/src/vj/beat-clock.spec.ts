import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agrees, BeatClock } from './beat-clock.js';

const PERIOD = 60 / 124;
const strong = (beat: number, period = PERIOD) => ({ period, beat, strength: 0.9 });
const weak = { period: 0.58, beat: 3, strength: 0.2 };

describe('the beat clock', () => {
  it('takes a grid only when two estimates in a row agree; then phrase starts every N beats from its anchor', () => {
    const clock = new BeatClock();
    assert.equal(clock.update(strong(5.5), 6), 'none');
    assert.equal(clock.current, null);
    assert.equal(clock.update(strong(5.5 + 2 * PERIOD), 7), 'locked');
    const next = clock.nextPhrase(8, 16)!;
    assert.ok(Math.abs(next.time - (5.5 + 2 * PERIOD + 16 * PERIOD)) < 1e-9);
    assert.equal(next.beat, 16);
    assert.equal(clock.nextPhrase(next.time, 16)!.beat, 16, 'a phrase start exactly at `after` is that one');
    assert.equal(clock.nextPhrase(next.time + 0.01, 16)!.beat, 32);
  });

  it('does not lock on two estimates that disagree, nor on weak ones', () => {
    const clock = new BeatClock();
    clock.update(strong(5.5), 6);
    assert.equal(clock.update(strong(5.5 + PERIOD / 2), 7), 'none', 'half a beat off');
    assert.equal(clock.update(weak, 8), 'none');
    assert.equal(clock.update(weak, 9), 'none');
    assert.equal(clock.current, null);
  });

  it('follows a confirming estimate smoothly: the phrase count and the phrase start barely move', () => {
    const clock = new BeatClock();
    clock.update(strong(5), 6);
    clock.update(strong(5 + 2 * PERIOD), 7);
    const before = clock.nextPhrase(20, 16)!;
    assert.equal(clock.update(strong(5 + 4 * PERIOD + 0.01, PERIOD * 1.001), 8), 'followed');
    const after = clock.nextPhrase(20, 16)!;
    assert.equal(after.beat, before.beat);
    assert.ok(Math.abs(after.time - before.time) < 0.02, `${after.time - before.time}`);
  });

  it('keeps the grid through a breakdown without a beat, and gives it up after holdSeconds', () => {
    const clock = new BeatClock({ minStrength: 0.35, holdSeconds: 10 });
    clock.update(strong(5), 6);
    clock.update(strong(5 + 2 * PERIOD), 7);
    assert.equal(clock.update(weak, 12), 'kept');
    assert.equal(clock.update(null, 17), 'kept');
    assert.ok(clock.current);
    assert.equal(clock.update(weak, 17.5), 'lost');
    assert.equal(clock.current, null);
  });

  it('replaces the grid only after three disagreeing estimates in a row (a new track), and counts phrases from there', () => {
    const clock = new BeatClock();
    clock.update(strong(5), 6);
    clock.update(strong(5 + 2 * PERIOD), 7);
    const other = 60 / 132;
    assert.equal(clock.update(strong(20, other), 20.1), 'kept');
    assert.equal(clock.update(strong(21, other), 21.1), 'kept');
    assert.equal(clock.update(strong(22, other), 22.1), 'relocked');
    assert.deepEqual(clock.current, { period: other, anchor: 22 });
    assert.equal(clock.nextPhrase(22.5, 16)!.beat, 16);
  });

  it('an estimate agrees with a grid on any of its beats, within 35 ms or 7 % of a beat', () => {
    const grid = { period: 0.5, anchor: 1 };
    assert.ok(agrees(grid, strong(11.03, 0.5)));
    assert.ok(!agrees(grid, strong(11.05, 0.5)));
    assert.ok(!agrees(grid, strong(11, 0.52)), '4 % slower');
  });
});
