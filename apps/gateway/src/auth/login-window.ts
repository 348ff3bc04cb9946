import { isIPv6 } from 'node:net';

export interface WindowLimit {
  /** Failures allowed inside one window; the next attempt is refused. */
  limit: number;
  windowMs: number;
}

export type WindowVerdict = { blocked: false } | { blocked: true; retryAfterMs: number };

/**
 * A sliding window over the times of recent failures (ms). Blocked while `limit` of them lie inside
 * the window; free again when enough of them have aged out to leave room for one more.
 */
export function judgeWindow(failureTimes: readonly number[], now: number, { limit, windowMs }: WindowLimit): WindowVerdict {
  const recent = failureTimes.filter((time) => time > now - windowMs && time <= now).sort((a, b) => a - b);
  if (recent.length < limit) return { blocked: false };
  // The attempt is allowed again once recent.length - limit + 1 failures have left the window.
  const freeingFailure = recent[recent.length - limit]!;
  return { blocked: true, retryAfterMs: Math.max(1, freeingFailure + windowMs - now) };
}

/** "in 15 minutes", "in 40 seconds": for a person reading the refusal. */
export function describeWait(milliseconds: number): string {
  const seconds = Math.max(1, Math.ceil(milliseconds / 1000));
  if (seconds < 60) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * The client a failure is counted against. An IPv6 client usually holds a whole /64, so it is counted
 * by its /64; an IPv4-mapped IPv6 address is its IPv4 address.
 */
export function clientAddressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const withoutZone = address.split('%')[0]!;
  const [head, tail] = withoutZone.includes('::') ? withoutZone.split('::') : [withoutZone, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::1.2.3.4) counts as two groups; only the first four groups matter here.
  const groupCount = (groups: string[]) => groups.reduce((count, group) => count + (group.includes('.') ? 2 : 1), 0);
  const missing = tail === undefined ? 0 : 8 - groupCount(headGroups) - groupCount(tailGroups);
  return [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups].map((group) =>
    group.includes('.') ? group : (Number.parseInt(group, 16) || 0).toString(16),
  );
}
