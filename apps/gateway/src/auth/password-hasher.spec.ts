import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from './password-hasher.js';

describe('password hasher', () => {
  it('writes scrypt$32768$<salt>$<hash> with a 16-byte salt and a 32-byte key', async () => {
    const stored = await hashPassword('correct horse battery staple');
    const [scheme, cost, salt, hash, ...rest] = stored.split('$');
    assert.equal(scheme, 'scrypt');
    assert.equal(cost, '32768');
    assert.equal(Buffer.from(salt!, 'base64url').length, 16);
    assert.equal(Buffer.from(hash!, 'base64url').length, 32);
    assert.deepEqual(rest, []);
    assert.equal(stored.includes('correct horse'), false);
  });

  it('verifies the right password and rejects wrong ones', async () => {
    const stored = await hashPassword('s3cret-Pässword');
    assert.equal(await verifyPassword('s3cret-Pässword', stored), true);
    for (const wrong of ['s3cret-Password', 's3cret-Pässword ', '', 'S3cret-Pässword', 's3cret-Pässwor']) {
      assert.equal(await verifyPassword(wrong, stored), false, JSON.stringify(wrong));
    }
  });

  it('salts every hash: the same password hashes differently, and each verifies', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    assert.notEqual(a, b);
    assert.notEqual(a.split('$')[2], b.split('$')[2], 'salts must differ');
    assert.equal(await verifyPassword('same password', a), true);
    assert.equal(await verifyPassword('same password', b), true);
  });

  it('handles an empty password like any other', async () => {
    const stored = await hashPassword('');
    assert.equal(await verifyPassword('', stored), true);
    assert.equal(await verifyPassword(' ', stored), false);
  });

  it('rejects tampered or foreign hash formats instead of throwing', async () => {
    const stored = await hashPassword('pw');
    const [, , salt, hash] = stored.split('$');
    const otherSalt = Buffer.alloc(16, 7).toString('base64url');
    const flipped = Buffer.from(hash!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    const tampered = [
      '',
      'pw',
      `bcrypt$32768$${salt}$${hash}`,
      `scrypt$16384$${salt}$${hash}`, // another cost would derive another key
      `scrypt$abc$${salt}$${hash}`,
      `scrypt$32768$${salt}`,
      `scrypt$32768$$${hash}`,
      `scrypt$32768$${salt}$`,
      `scrypt$32768$${otherSalt}$${hash}`,
      `scrypt$32768$${salt}$${flipped.toString('base64url')}`,
      `scrypt$32768$${salt}$${hash!.slice(0, 20)}`, // truncated key
      `scrypt$32768$${salt}$${hash}${hash}`, // doubled key
    ];
    for (const candidate of tampered) {
      assert.equal(await verifyPassword('pw', candidate), false, candidate);
    }
    assert.equal(await verifyPassword('pw', stored), true);
  });
});
