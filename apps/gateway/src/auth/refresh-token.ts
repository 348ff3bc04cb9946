import { createHash, randomBytes } from 'node:crypto';

/** `rt_` + 43 base64url characters (256 random bits). */
const REFRESH_TOKEN_PATTERN = /^rt_[A-Za-z0-9_-]{43}$/;

export function generateRefreshToken(): string {
  return `rt_${randomBytes(32).toString('base64url')}`;
}

export function isWellFormedRefreshToken(candidate: string): boolean {
  return REFRESH_TOKEN_PATTERN.test(candidate);
}

/** 256 random bits need no salt or slow hash; SHA-256 lets the token be found by index. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface StoredRefreshToken {
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
}

/**
 * What a presented refresh token is worth. A token that was already exchanged is a replay: either
 * its owner or a thief holds the successor, and nobody can tell which, so the whole family goes.
 */
export type RefreshVerdict =
  | { kind: 'current' }
  | { kind: 'replayed' }
  | { kind: 'revoked'; reason: string }
  | { kind: 'expired' };

export function judgeRefreshToken(token: StoredRefreshToken, now: Date): RefreshVerdict {
  if (token.usedAt) return { kind: 'replayed' };
  if (token.revokedAt) return { kind: 'revoked', reason: token.revokedReason ?? 'revoked' };
  if (token.expiresAt.getTime() <= now.getTime()) return { kind: 'expired' };
  return { kind: 'current' };
}

/** The reason a refused refresh gives the caller; never the token. */
export function refusalMessage(verdict: Exclude<RefreshVerdict, { kind: 'current' }>): string {
  switch (verdict.kind) {
    case 'replayed':
      return 'refresh token was already used; the session is revoked, log in again';
    case 'revoked':
      return `refresh token was revoked (${verdict.reason}); log in again`;
    case 'expired':
      return 'refresh token expired; log in again';
  }
}
