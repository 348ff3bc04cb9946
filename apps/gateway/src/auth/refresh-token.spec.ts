import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { generateRefreshToken, hashRefreshToken, isWellFormedRefreshToken, judgeRefreshToken, refusalMessage, type StoredRefreshToken } from './refresh-token.js';

const now = new Date('2025-06-01T12:00:00Z');
const later = new Date(now.getTime() + 60_000);
const earlier = new Date(now.getTime() - 60_000);
const current: StoredRefreshToken = { expiresAt: later, usedAt: null, revokedAt: null, revokedReason: null };

describe('refresh tokens', () => {
  it('are rt_ + 256 random bits, well formed, never repeated', () => {
    const tokens = new Set(Array.from({ length: 5_000 }, () => generateRefreshToken()));
    assert.equal(tokens.size, 5_000);
    for (const token of [...tokens].slice(0, 100)) {
      assert.match(token, /^rt_[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(token.slice(3), 'base64url').length, 32);
      assert.equal(isWellFormedRefreshToken(token), true);
    }
  });

  it('refuses malformed tokens before any lookup', () => {
    const good = generateRefreshToken();
    for (const candidate of ['', 'rt_', good.slice(0, -1), `${good}A`, `sk_${good.slice(3)}`, ` ${good}`, `${good};`, `rt_${'A'.repeat(42)}=`]) {
      assert.equal(isWellFormedRefreshToken(candidate), false, JSON.stringify(candidate));
    }
  });

  it('are stored as their SHA-256, which does not contain them', () => {
    const token = generateRefreshToken();
    assert.equal(hashRefreshToken(token), createHash('sha256').update(token).digest('hex'));
    assert.equal(hashRefreshToken(token).includes(token.slice(3, 20)), false);
    assert.notEqual(hashRefreshToken(token), hashRefreshToken(generateRefreshToken()));
  });
});

describe('judgeRefreshToken (the token family rules)', () => {
  it('lets a current token be exchanged', () => {
    assert.deepEqual(judgeRefreshToken(current, now), { kind: 'current' });
  });

  it('calls a token that was already exchanged a replay, whatever else holds', () => {
    assert.deepEqual(judgeRefreshToken({ ...current, usedAt: earlier }, now), { kind: 'replayed' });
    // Used, then its family revoked by the replay: presenting it again is still a replay.
    assert.deepEqual(judgeRefreshToken({ ...current, usedAt: earlier, revokedAt: now, revokedReason: 'replayed' }, now), { kind: 'replayed' });
    // Used and expired: still a replay (its successor may be alive).
    assert.deepEqual(judgeRefreshToken({ ...current, usedAt: earlier, expiresAt: earlier }, now), { kind: 'replayed' });
  });

  it('refuses a revoked token with its reason, before looking at expiry', () => {
    assert.deepEqual(judgeRefreshToken({ ...current, revokedAt: earlier, revokedReason: 'logged out' }, now), { kind: 'revoked', reason: 'logged out' });
    assert.deepEqual(judgeRefreshToken({ ...current, revokedAt: earlier, revokedReason: null, expiresAt: earlier }, now), { kind: 'revoked', reason: 'revoked' });
  });

  it('refuses a token at and after its expiry', () => {
    assert.deepEqual(judgeRefreshToken({ ...current, expiresAt: now }, now), { kind: 'expired' });
    assert.deepEqual(judgeRefreshToken({ ...current, expiresAt: earlier }, now), { kind: 'expired' });
    assert.deepEqual(judgeRefreshToken({ ...current, expiresAt: new Date(now.getTime() + 1) }, now), { kind: 'current' });
  });

  it('explains each refusal so that the caller knows to log in again', () => {
    assert.equal(refusalMessage({ kind: 'replayed' }), 'refresh token was already used; the session is revoked, log in again');
    assert.equal(refusalMessage({ kind: 'revoked', reason: 'password changed' }), 'refresh token was revoked (password changed); log in again');
    assert.equal(refusalMessage({ kind: 'expired' }), 'refresh token expired; log in again');
  });
});
