import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BroadcastState } from '@streamcaster/contracts';
import { ACTIVE_STATES, canTake, IllegalTransitionError, nextState, type BroadcastEvent } from './broadcast-state-machine.js';

const STATES: BroadcastState[] = ['starting', 'live', 'interrupted', 'ending', 'ended', 'failed'];
const EVENTS: BroadcastEvent[] = ['program-up', 'dj-left', 'dj-returned', 'stop', 'stopped', 'failure'];

/** The whole legal table, written out independently of the implementation. */
const LEGAL: Array<[BroadcastState, BroadcastEvent, BroadcastState]> = [
  ['starting', 'program-up', 'live'],
  ['starting', 'dj-left', 'interrupted'],
  ['starting', 'dj-returned', 'starting'],
  ['starting', 'stop', 'ending'],
  ['starting', 'failure', 'failed'],
  ['live', 'program-up', 'live'],
  ['live', 'dj-left', 'interrupted'],
  ['live', 'dj-returned', 'live'],
  ['live', 'stop', 'ending'],
  ['live', 'failure', 'failed'],
  ['interrupted', 'dj-returned', 'live'],
  ['interrupted', 'program-up', 'interrupted'],
  ['interrupted', 'dj-left', 'interrupted'],
  ['interrupted', 'stop', 'ending'],
  ['interrupted', 'failure', 'failed'],
  ['ending', 'stopped', 'ended'],
  ['ending', 'stop', 'ending'],
  ['ending', 'failure', 'failed'],
];

describe('broadcast state machine: legal transitions', () => {
  for (const [from, event, to] of LEGAL) {
    it(`${from} --${event}--> ${to}`, () => {
      assert.equal(canTake(from, event), true);
      assert.equal(nextState(from, event), to);
    });
  }
});

describe('broadcast state machine: illegal transitions', () => {
  const legal = new Set(LEGAL.map(([from, event]) => `${from}:${event}`));

  it('rejects every (state, event) pair outside the legal table, and canTake agrees', () => {
    let rejected = 0;
    for (const from of STATES) {
      for (const event of EVENTS) {
        if (legal.has(`${from}:${event}`)) continue;
        assert.equal(canTake(from, event), false, `${from} + ${event}`);
        assert.throws(() => nextState(from, event), IllegalTransitionError, `${from} + ${event}`);
        rejected += 1;
      }
    }
    assert.equal(rejected, STATES.length * EVENTS.length - LEGAL.length);
  });

  for (const [from, event] of [
    ['starting', 'stopped'],
    ['live', 'stopped'],
    ['interrupted', 'stopped'],
    ['ending', 'program-up'],
    ['ending', 'dj-returned'],
    ['ending', 'dj-left'],
  ] as Array<[BroadcastState, BroadcastEvent]>) {
    it(`${from} cannot take ${event}`, () => {
      assert.throws(
        () => nextState(from, event),
        (error: unknown) => {
          assert.ok(error instanceof IllegalTransitionError);
          assert.ok(error instanceof Error);
          assert.equal(error.name, 'IllegalTransitionError');
          assert.equal(error.message, `a broadcast that is ${from} cannot take "${event}"`);
          assert.equal(error.from, from);
          assert.equal(error.event, event);
          return true;
        },
      );
    });
  }
});

describe('broadcast state machine: terminal states', () => {
  for (const terminal of ['ended', 'failed'] as const) {
    it(`${terminal} takes no event at all, not even failure or stop`, () => {
      for (const event of EVENTS) {
        assert.equal(canTake(terminal, event), false, event);
        assert.throws(() => nextState(terminal, event), { message: `a broadcast that is ${terminal} cannot take "${event}"` });
      }
    });
  }

  it('counts exactly the non-terminal states as active', () => {
    assert.deepEqual([...ACTIVE_STATES].sort(), ['ending', 'interrupted', 'live', 'starting']);
    for (const state of STATES) {
      const hasExit = EVENTS.some((event) => canTake(state, event));
      assert.equal(ACTIVE_STATES.includes(state), hasExit, state);
    }
  });

  it('lets every active state reach failed via failure and ending via stop', () => {
    for (const state of ACTIVE_STATES) {
      assert.equal(nextState(state, 'failure'), 'failed', state);
      assert.equal(nextState(state, 'stop'), 'ending', state);
    }
  });

  it('follows a whole broadcast: start, live, drop, return, stop, stopped', () => {
    const events: BroadcastEvent[] = ['program-up', 'dj-left', 'dj-returned', 'dj-left', 'stop', 'stop', 'stopped'];
    const path: BroadcastState[] = ['starting'];
    for (const event of events) path.push(nextState(path.at(-1)!, event));
    assert.deepEqual(path, ['starting', 'live', 'interrupted', 'live', 'interrupted', 'ending', 'ending', 'ended']);
  });
});
