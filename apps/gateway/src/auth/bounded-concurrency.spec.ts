import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConcurrencyLimit, ConcurrencyLimitReached } from './bounded-concurrency.js';

/** A task that finishes when the test says so. */
function gate<T>(value: T) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, task: async () => (await opened, value) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs at most `concurrency` tasks, queues the next ones in order and refuses beyond the queue', async () => {
    const limit = new ConcurrencyLimit('hashes', 2, 2);
    const gates = Array.from({ length: 4 }, (_, index) => gate(index));
    const started: number[] = [];
    const runs = gates.map((g, index) =>
      limit.run(async () => {
        started.push(index);
        return g.task();
      }),
    );
    await tick();
    assert.deepEqual(started, [0, 1]);
    assert.equal(limit.running, 2);
    assert.equal(limit.queued, 2);
    await assert.rejects(limit.run(async () => 'too many'), (error) => error instanceof ConcurrencyLimitReached && error.message === 'too many hashes at once');

    gates[1]!.open();
    await tick();
    assert.deepEqual(started, [0, 1, 2], 'the first queued task takes the freed slot');
    assert.equal(limit.running, 2);
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3]);
    assert.equal(limit.running, 0);
    assert.equal(limit.queued, 0);
  });

  it('frees the slot of a task that throws', async () => {
    const limit = new ConcurrencyLimit('hashes', 1, 0);
    await assert.rejects(limit.run(async () => Promise.reject(new Error('scrypt failed'))), /scrypt failed/);
    assert.equal(limit.running, 0);
    assert.equal(await limit.run(async () => 'next'), 'next');
  });

  it('never runs more than the limit under a burst', async () => {
    const limit = new ConcurrencyLimit('hashes', 3, 100);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 60 }, () =>
        limit.run(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await tick();
          active -= 1;
        }),
      ),
    );
    assert.equal(peak, 3);
  });
});
