import { createHash, randomBytes } from 'node:crypto';

/** `sk_` + 32 base64url characters (192 random bits). */
const STREAM_KEY_PATTERN = /^sk_[A-Za-z0-9_-]{32}$/;

export function generateStreamKey(): string {
  return `sk_${randomBytes(24).toString('base64url')}`;
}

export function isWellFormedStreamKey(candidate: string): boolean {
  return STREAM_KEY_PATTERN.test(candidate);
}

/**
 * Keys are 192 random bits, so a plain SHA-256 cannot be brute-forced and can be looked up by index;
 * a password hash (salted, slow) would force a scan of every DJ on each publish.
 */
export function hashStreamKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
