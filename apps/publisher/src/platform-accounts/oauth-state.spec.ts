import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { newPkcePair, OAuthStateSigner } from './oauth-state.js';

const KEY = randomBytes(32).toString('base64');

describe('OAuthStateSigner', () => {
  it('gives back the attempt id of a state it signed', () => {
    const signer = new OAuthStateSigner(KEY);
    const id = signer.newAttemptId();
    assert.equal(signer.verify(signer.sign(id)), id);
  });

  it('refuses a state signed under another key, altered, truncated, or not of its form', () => {
    const signer = new OAuthStateSigner(KEY);
    const other = new OAuthStateSigner(randomBytes(32).toString('base64'));
    const id = signer.newAttemptId();
    const state = signer.sign(id);
    const [, mac] = state.split('.');
    const flipped = `${mac!.slice(0, -1)}${mac!.endsWith('A') ? 'B' : 'A'}`;
    for (const forged of [other.sign(id), `${signer.newAttemptId()}.${mac}`, `${id}.${flipped}`, `${id}.${mac!.slice(0, 20)}`, id, `${state}.x`, '', 'a.b', `../${state}`]) {
      assert.equal(signer.verify(forged), null, forged);
    }
  });

  it('makes attempt ids that cannot be guessed (128 bits) and never repeat', () => {
    const signer = new OAuthStateSigner(KEY);
    const ids = new Set(Array.from({ length: 1000 }, () => signer.newAttemptId()));
    assert.equal(ids.size, 1000);
    assert.ok([...ids].every((id) => Buffer.from(id, 'base64url').length === 16));
  });
});

describe('newPkcePair', () => {
  it('makes an RFC 7636 S256 pair: a 43-character verifier and the base64url SHA-256 of it', () => {
    const { verifier, challenge } = newPkcePair();
    assert.match(verifier, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(challenge, createHash('sha256').update(verifier).digest('base64url'));
    assert.notEqual(newPkcePair().verifier, verifier);
  });
});
