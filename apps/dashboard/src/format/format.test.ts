import { describe, expect, it } from 'vitest';
import { formatBitrate, formatBytes, formatCount, formatDuration, formatFps, formatOffset, formatPercent, formatSpeed, formatUptime } from './format';

describe('formatBitrate', () => {
  it('reads kb/s below a megabit and Mb/s above', () => {
    expect(formatBitrate(320)).toBe('320 kb/s');
    expect(formatBitrate(999.6)).toBe('1000 kb/s');
    expect(formatBitrate(4500)).toBe('4.50 Mb/s');
  });
  it('says "—" for a figure nobody measured, never 0', () => {
    expect(formatBitrate(null)).toBe('—');
    expect(formatBitrate(undefined)).toBe('—');
    expect(formatBitrate(Number.NaN)).toBe('—');
    expect(formatBitrate(0)).toBe('0 kb/s');
  });
});

describe('formatBytes', () => {
  it('counts in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500)).toBe('1.5 kB');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(734_000_000)).toBe('734 MB');
    expect(formatBytes(2_100_000_000)).toBe('2.1 GB');
  });
  it('says "—" for unknown or impossible sizes', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });
});

describe('formatDuration', () => {
  it('reads seconds, then m:ss, then h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(59.9)).toBe('59 s');
    expect(formatDuration(61)).toBe('1:01');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(36_000)).toBe('10:00:00');
  });
  it('says "—" for nothing', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(-5)).toBe('—');
  });
});

describe('formatUptime', () => {
  const now = Date.parse('2026-03-14T20:00:00Z');
  it('is the time since it went live', () => {
    expect(formatUptime('2026-03-14T19:58:30Z', now)).toBe('1:30');
    expect(formatUptime('2026-03-14T18:00:00Z', now)).toBe('2:00:00');
  });
  it('reads "—" while not live, and 0 when the server is ahead of this clock', () => {
    expect(formatUptime(null, now)).toBe('—');
    expect(formatUptime('not a date', now)).toBe('—');
    expect(formatUptime('2026-03-14T20:00:05Z', now)).toBe('0 s');
  });
});

describe('encoder figures', () => {
  it('formats fps, speed and percent', () => {
    expect(formatFps(29.97)).toBe('30 fps');
    expect(formatFps(7.5)).toBe('7.5 fps');
    expect(formatSpeed(0.987)).toBe('0.99×');
    expect(formatPercent(42.4)).toBe('42 %');
    expect(formatFps(null)).toBe('—');
    expect(formatSpeed(null)).toBe('—');
    expect(formatPercent(null)).toBe('—');
  });
});

describe('formatCount', () => {
  it('groups thousands and says "—" for a count nobody reported, 0 for zero', () => {
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(null)).toBe('—');
    expect(formatCount(undefined)).toBe('—');
  });
});

describe('formatOffset', () => {
  it('reads a tracklist cue as HH:MM:SS from the broadcast start', () => {
    expect(formatOffset('2026-03-14T19:58:00Z', '2026-03-14T19:58:00Z')).toBe('00:00:00');
    expect(formatOffset('2026-03-14T19:58:00Z', '2026-03-14T21:00:05.900Z')).toBe('01:02:05');
    expect(formatOffset('2026-03-14T00:00:00Z', '2026-03-15T02:00:00Z')).toBe('26:00:00');
  });
  it('reads a moment before the start (a clock a little off) as 00:00:00, and nonsense as "—"', () => {
    expect(formatOffset('2026-03-14T19:58:00Z', '2026-03-14T19:57:59Z')).toBe('00:00:00');
    expect(formatOffset('2026-03-14T19:58:00Z', 'not a time')).toBe('—');
  });
});
