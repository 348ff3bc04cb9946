import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './manual-clock.js';
import { TopicCoalescer } from './topic-coalescer.js';

function setUp() {
  const clock = new ManualClock();
  const sent: Array<{ topic: string; message: number; at: number }> = [];
  const coalescer = new TopicCoalescer<number>((topic, message) => sent.push({ topic, message, at: clock.now() }), 1_000, clock);
  return { clock, sent, coalescer };
}

describe('TopicCoalescer', () => {
  it('sends the first message of a topic at once', () => {
    const { sent, coalescer } = setUp();
    coalescer.offer('stats:a', 1);
    assert.deepEqual(sent, [{ topic: 'stats:a', message: 1, at: 0 }]);
  });

  it('sends 20 messages offered within a second as two: the first at once, the last when the second is up', () => {
    const { clock, sent, coalescer } = setUp();
    for (let index = 1; index <= 20; index++) {
      coalescer.offer('stats:a', index);
      clock.advance(45);
    }
    clock.advance(2_000);
    assert.deepEqual(sent, [
      { topic: 'stats:a', message: 1, at: 0 },
      { topic: 'stats:a', message: 20, at: 1_000 },
    ]);
  });

  it('keeps one window per topic', () => {
    const { clock, sent, coalescer } = setUp();
    coalescer.offer('stats:a', 1);
    coalescer.offer('host', 2);
    coalescer.offer('stats:a', 3);
    clock.advance(1_000);
    assert.deepEqual(sent.map(({ topic, message }) => `${topic}=${message}`), ['stats:a=1', 'host=2', 'stats:a=3']);
  });

  it('sends an urgent message at once and drops the one it replaces', () => {
    const { clock, sent, coalescer } = setUp();
    coalescer.offer('broadcast:a', 1);
    clock.advance(100);
    coalescer.offer('broadcast:a', 2);
    clock.advance(100);
    coalescer.offer('broadcast:a', 3, true);
    assert.deepEqual(sent.map(({ message, at }) => [message, at]), [[1, 0], [3, 200]]);
    clock.advance(5_000);
    assert.equal(sent.length, 2, 'the held message 2 never goes out: 3 is newer');
    // The urgent one opens a new window.
    coalescer.offer('broadcast:a', 4);
    assert.equal(sent.length, 3);
  });

  it('after a quiet second, sends at once again', () => {
    const { clock, sent, coalescer } = setUp();
    coalescer.offer('host', 1);
    clock.advance(1_000);
    coalescer.offer('host', 2);
    assert.deepEqual(sent.map(({ message, at }) => [message, at]), [[1, 0], [2, 1_000]]);
  });

  it('sends nothing held back for a topic that was forgotten or after dispose', () => {
    const { clock, sent, coalescer } = setUp();
    coalescer.offer('stats:a', 1);
    coalescer.offer('stats:a', 2);
    coalescer.offer('host', 3);
    coalescer.offer('host', 4);
    coalescer.forget('stats:a');
    clock.advance(1_000);
    assert.deepEqual(sent.map(({ message }) => message), [1, 3, 4]);
    coalescer.offer('host', 5);
    coalescer.dispose();
    assert.equal(clock.pendingTimers, 0);
    clock.advance(1_000);
    assert.deepEqual(sent.map(({ message }) => message), [1, 3, 4]);
  });
});
