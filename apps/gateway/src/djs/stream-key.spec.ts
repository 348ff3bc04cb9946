import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { generateStreamKey, hashStreamKey, isWellFormedStreamKey } from './stream-key.js';

describe('generateStreamKey', () => {
  it('is sk_ followed by 32 base64url characters', () => {
    for (let i = 0; i < 200; i += 1) {
      const key = generateStreamKey();
      assert.match(key, /^sk_[A-Za-z0-9_-]{32}$/);
      assert.equal(isWellFormedStreamKey(key), true, key);
    }
  });

  it('carries 192 random bits', () => {
    const key = generateStreamKey();
    assert.equal(Buffer.from(key.slice(3), 'base64url').length, 24);
  });

  it('never repeats over many generations', () => {
    const keys = new Set(Array.from({ length: 20_000 }, () => generateStreamKey()));
    assert.equal(keys.size, 20_000);
  });

  it('uses the whole alphabet rather than a fixed prefix', () => {
    // 2,000 keys x 32 characters: each of the 64 symbols is missed with probability ~1e-434.
    const seen = new Set(Array.from({ length: 2_000 }, () => generateStreamKey().slice(3)).join(''));
    assert.equal(seen.size, 64);
  });
});

describe('isWellFormedStreamKey', () => {
  it('rejects malformed keys', () => {
    const good = generateStreamKey();
    const malformed = [
      '',
      'sk_',
      good.slice(0, -1), // 31 characters
      `${good}A`, // 33 characters
      `SK_${good.slice(3)}`,
      `pk_${good.slice(3)}`,
      good.slice(3), // no prefix
      `sk_${'A'.repeat(31)}=`, // padding
      `sk_${'A'.repeat(31)}+`, // base64, not base64url
      `sk_${'A'.repeat(31)}/`,
      `sk_${'A'.repeat(31)} `,
      ` ${good}`,
      `${good}\n`,
      `sk_${'A'.repeat(31)}é`,
      `../${good}`,
    ];
    for (const candidate of malformed) {
      assert.equal(isWellFormedStreamKey(candidate), false, JSON.stringify(candidate));
    }
  });

  it('accepts - and _ from the base64url alphabet', () => {
    assert.equal(isWellFormedStreamKey(`sk_${'-_'.repeat(16)}`), true);
  });
});

describe('hashStreamKey', () => {
  it('is the SHA-256 hex digest, stable across calls', () => {
    const key = 'sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const hash = hashStreamKey(key);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(hashStreamKey(key), hash);
    assert.equal(hash, createHash('sha256').update(key, 'utf8').digest('hex'));
    assert.equal(hashStreamKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('differs for different keys and never contains the key', () => {
    const a = generateStreamKey();
    const b = generateStreamKey();
    assert.notEqual(hashStreamKey(a), hashStreamKey(b));
    assert.equal(hashStreamKey(a).includes(a.slice(3)), false);
  });
});
