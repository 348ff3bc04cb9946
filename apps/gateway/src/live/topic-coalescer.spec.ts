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

  it('sends 20 messages offered within a second as two: the first at once, the last when the window is up', () => {
    const { clock, sent, coalescer } = setUp();
    for (let index = 1; index <= 20; index++) {
      coalescer.offer('stats:a', index);
      clock.advance(45);
    }
    clock.advance(2_000);
    assert.deepEqual(sent, [
      { topic: 'stats:a', message: 1, at: 0 },
      { topic: 'stats:a', message: 20, at: 900 },
    ]);
  });

  it('never sends two ordinary messages of a topic less than 0.9 s apart', () => {
    const { clock, sent, coalescer } = setUp();
    for (let index = 0; index < 200; index++) {
      coalescer.offer('stats:a', index);
      clock.advance(37);
    }
    clock.advance(2_000);
    const gaps = sent.slice(1).map((message, index) => message.at - sent[index]!.at);
    assert.ok(gaps.length >= 7, `${gaps.length} messages`);
    assert.ok(gaps.every((gap) => gap >= 900), gaps.join(', '));
  });

  it('lets a once-a-second stream through without delay, whatever the phase of the subscription', () => {
    const { clock, sent, coalescer } = setUp();
    // The state on subscribing (urgent), then snapshots every second from 0.7 s, with ±20 ms of jitter.
    coalescer.offer('stats:a', 0, true);
    const jitter = [0, 20, -20, 10, -10, 15, -15, 5, -5, 0];
    let offeredAt = 0;
    for (let index = 1; index <= 10; index++) {
      clock.advance(700 + (index - 1) * 1_000 + jitter[index - 1]! - offeredAt);
      offeredAt = clock.now();
      coalescer.offer('stats:a', index);
    }
    assert.deepEqual(
      sent.map(({ message }) => message),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      'each snapshot went out when it came: none was held for the next window',
    );
  });

  it('keeps one window per topic', () => {
    const { clock, sent, coalescer } = setUp();
    coalescer.offer('stats:a', 1);
    coalescer.offer('host', 2);
    coalescer.offer('stats:a', 3);
    clock.advance(1_000);
    assert.deepEqual(sent.map(({ topic, message }) => `${topic}=${message}`), ['stats:a=1', 'host=2', 'stats:a=3']);
  });

  it('sends an urgent message at once and drops the one it replaces, without opening a window', () => {
    const { clock, sent, coalescer } = setUp();
    coalescer.offer('broadcast:a', 1);
    clock.advance(100);
    coalescer.offer('broadcast:a', 2);
    clock.advance(100);
    coalescer.offer('broadcast:a', 3, true);
    assert.deepEqual(sent.map(({ message, at }) => [message, at]), [[1, 0], [3, 200]]);
    clock.advance(5_000);
    assert.equal(sent.length, 2, 'the held message 2 never goes out: 3 is newer');
    // The window is still the one message 1 opened: 4 goes out at once, 5 waits for 4's window.
    coalescer.offer('broadcast:a', 4);
    clock.advance(100);
    coalescer.offer('broadcast:a', 5);
    assert.equal(sent.length, 3);
    clock.advance(800);
    assert.deepEqual(sent.map(({ message, at }) => [message, at]), [[1, 0], [3, 200], [4, 5_200], [5, 6_100]]);
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
