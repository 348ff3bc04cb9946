import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddressKey, describeWait, judgeWindow } from './login-window.js';

const limit = { limit: 10, windowMs: 15 * 60_000 };
const now = 1_000_000_000;
const minute = 60_000;

describe('judgeWindow (sliding window of failed logins)', () => {
  it('allows up to limit - 1 recent failures and blocks at the limit', () => {
    const failures = Array.from({ length: 9 }, (_, index) => now - index * 1000);
    assert.deepEqual(judgeWindow(failures, now, limit), { blocked: false });
    const verdict = judgeWindow([...failures, now - 9_000], now, limit);
    assert.equal(verdict.blocked, true);
  });

  it('frees the client when the oldest counted failure leaves the window', () => {
    // Ten failures one minute apart, the oldest 14 minutes ago: free again in one minute.
    const failures = Array.from({ length: 10 }, (_, index) => now - index * minute);
    const verdict = judgeWindow(failures, now, limit);
    assert.deepEqual(verdict, { blocked: true, retryAfterMs: 6 * minute });
    // The oldest is at now - 9 min; it leaves at now + 6 min: then nine remain.
    assert.deepEqual(judgeWindow(failures, now + 6 * minute, limit), { blocked: false });
    assert.equal(judgeWindow(failures, now + 6 * minute - 1, limit).blocked, true);
  });

  it('with more failures than the limit, waits until enough of them have aged out', () => {
    // Twelve failures: three must leave before one more attempt fits under ten.
    const failures = Array.from({ length: 12 }, (_, index) => now - index * minute);
    const verdict = judgeWindow(failures, now, limit);
    assert.deepEqual(verdict, { blocked: true, retryAfterMs: 15 * minute - 9 * minute });
  });

  it('ignores failures outside the window and in the future, in any order', () => {
    const old = Array.from({ length: 20 }, (_, index) => now - limit.windowMs - index);
    assert.deepEqual(judgeWindow(old, now, limit), { blocked: false });
    const shuffled = [now - 5, now - 1, now - 9, now - 3, now - 7, now - 2, now - 8, now - 4, now - 6, now - 10];
    assert.deepEqual(judgeWindow(shuffled, now, limit), { blocked: true, retryAfterMs: limit.windowMs - 10 });
    assert.deepEqual(judgeWindow([...shuffled.slice(0, 9), now + 5_000], now, limit), { blocked: false });
  });

  it('never answers a zero or negative wait', () => {
    const failures = Array.from({ length: 10 }, () => now - limit.windowMs + 1);
    assert.deepEqual(judgeWindow(failures, now, limit), { blocked: true, retryAfterMs: 1 });
  });
});

describe('describeWait', () => {
  it('says seconds under a minute and whole minutes (rounded up) above', () => {
    assert.equal(describeWait(1), 'in 1 second');
    assert.equal(describeWait(40_000), 'in 40 seconds');
    assert.equal(describeWait(59_000), 'in 59 seconds');
    assert.equal(describeWait(59_001), 'in 1 minute');
    assert.equal(describeWait(60_000), 'in 1 minute');
    assert.equal(describeWait(61_000), 'in 2 minutes');
    assert.equal(describeWait(15 * 60_000), 'in 15 minutes');
  });
});

describe('clientAddressKey', () => {
  it('counts IPv4 and IPv4-mapped IPv6 as the IPv4 address', () => {
    assert.equal(clientAddressKey('192.0.2.7'), '192.0.2.7');
    assert.equal(clientAddressKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(clientAddressKey('::FFFF:127.0.0.1'), '127.0.0.1');
  });

  it('counts an IPv6 client by its /64, however the address is written', () => {
    const key = '2001:db8:1:2::/64';
    for (const address of ['2001:db8:1:2::1', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2:a:b:c:d', '2001:DB8:1:2::', 'fe80::1%eth0'.replace('fe80::1', '2001:db8:1:2::9')]) {
      assert.equal(clientAddressKey(address), key, address);
    }
    assert.notEqual(clientAddressKey('2001:db8:1:3::1'), key);
    assert.equal(clientAddressKey('::1'), '0:0:0:0::/64');
    assert.equal(clientAddressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientAddressKey('::2001:db8:1:2:3:4'), '0:0:2001:db8::/64');
  });

  it('leaves anything else as it came (e.g. no socket address)', () => {
    assert.equal(clientAddressKey('unknown'), 'unknown');
  });
});
