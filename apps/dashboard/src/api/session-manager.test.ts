import type { Session } from '@streamcaster/contracts';
import { describe, expect, it, vi } from 'vitest';
import { REFRESH_AHEAD_MS, REFRESH_RETRY_MS, refreshDelayMs, SessionManager, type Clock } from './session-manager';

const T0 = Date.parse('2026-03-14T20:00:00Z');
const session = (token: string, expiresInMs: number, now = T0): Session => ({
  accessToken: token,
  expiresAt: new Date(now + expiresInMs).toISOString(),
  user: { id: '00000000-0000-4000-8000-000000000001', email: 'a@example.com', role: 'admin', djId: null },
});

/** A clock whose timers run only when the test moves time. */
function fakeClock() {
  let now = T0;
  let timers: { at: number; callback: () => void; id: number }[] = [];
  let nextId = 1;
  const clock: Clock & { advance(ms: number): void; pending(): number[] } = {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, callback, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((timer) => timer.id !== id);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((timer) => timer.at <= now);
      timers = timers.filter((timer) => timer.at > now);
      for (const timer of due) timer.callback();
    },
    pending: () => timers.map((timer) => timer.at - now),
  };
  return clock;
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('refreshDelayMs', () => {
  it('renews a minute before expiry', () => {
    expect(refreshDelayMs(new Date(T0 + 15 * 60_000).toISOString(), T0)).toBe(15 * 60_000 - REFRESH_AHEAD_MS);
  });
  it('renews halfway through a short lifetime, and at once when due', () => {
    expect(refreshDelayMs(new Date(T0 + 60_000).toISOString(), T0)).toBe(30_000);
    expect(refreshDelayMs(new Date(T0 - 1).toISOString(), T0)).toBe(0);
    expect(refreshDelayMs('garbage', T0)).toBe(0);
  });
});

describe('SessionManager', () => {
  it('renews by itself before expiry, and again after each renewal', async () => {
    const clock = fakeClock();
    let count = 0;
    const refresh = vi.fn(async () => session(`t${++count}`, 15 * 60_000, clock.now()));
    const manager = new SessionManager(refresh, clock);
    manager.set(session('t0', 15 * 60_000));
    expect(clock.pending()).toEqual([14 * 60_000]);

    clock.advance(14 * 60_000 - 1);
    expect(refresh).not.toHaveBeenCalled();
    clock.advance(1);
    await flush();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(manager.current?.accessToken).toBe('t1');
    expect(clock.pending()).toEqual([14 * 60_000]);
  });

  it('runs one refresh for overlapping callers (a refresh token presented twice ends the session)', async () => {
    let resolve!: (value: Session) => void;
    const refresh = vi.fn(() => new Promise<Session>((done) => (resolve = done)));
    const manager = new SessionManager(refresh, fakeClock());
    const first = manager.refresh();
    const second = manager.refresh();
    const token = manager.token();
    resolve(session('renewed', 15 * 60_000));
    await expect(first).resolves.toMatchObject({ accessToken: 'renewed' });
    await expect(second).resolves.toMatchObject({ accessToken: 'renewed' });
    await expect(token).resolves.toBe('renewed');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('signs out when the server has no session for us', async () => {
    const manager = new SessionManager(async () => null, fakeClock());
    const seen: (string | null)[] = [];
    manager.subscribe((current) => seen.push(current?.accessToken ?? null));
    manager.set(session('t0', 15 * 60_000));
    await manager.refresh();
    expect(manager.current).toBeNull();
    expect(seen).toEqual(['t0', null]);
  });

  it('keeps a valid session through a passing failure and tries again soon', async () => {
    const clock = fakeClock();
    const refresh = vi.fn(async (): Promise<Session | null> => {
      throw new Error('gateway restarting');
    });
    const manager = new SessionManager(refresh, clock);
    manager.set(session('t0', 15 * 60_000));
    await expect(manager.refresh()).resolves.toMatchObject({ accessToken: 't0' });
    expect(clock.pending()).toEqual([REFRESH_RETRY_MS]);
  });

  it('renews an expired token before handing it out', async () => {
    const clock = fakeClock();
    const manager = new SessionManager(async () => session('fresh', 15 * 60_000, clock.now()), clock);
    manager.set(session('old', 1_000));
    clock.clearTimeout(1); // pretend the timer was throttled in a background tab
    clock.advance(2_000);
    await expect(manager.token()).resolves.toBe('fresh');
  });

  it('stops renewing after sign-out', () => {
    const clock = fakeClock();
    const manager = new SessionManager(async () => null, clock);
    manager.set(session('t0', 15 * 60_000));
    manager.clear();
    expect(clock.pending()).toEqual([]);
  });
});
