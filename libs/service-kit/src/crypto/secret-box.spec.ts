import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

const keyBase64 = randomBytes(32).toString('base64');

/** Flips one bit of the base64url part `index` of a sealed secret. */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[index] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join(':');
}

describe('SecretBox', () => {
  it('opens what it sealed: ASCII, Unicode and the empty string', () => {
    const box = new SecretBox(keyBase64);
    for (const secret of ['live_1234567890_abcdefghij', 'clé-🔑-ключ', '']) {
      assert.equal(box.open(box.seal(secret)), secret);
    }
  });

  it('opens with another instance built from the same key', () => {
    const sealed = new SecretBox(keyBase64).seal('stream-key');
    assert.equal(new SecretBox(keyBase64).open(sealed), 'stream-key');
  });

  it('stores v1:<iv>:<tag>:<ciphertext> in base64url, never the plain text', () => {
    const sealed = new SecretBox(keyBase64).seal('stream-key-in-clear');
    const parts = sealed.split(':');
    assert.equal(parts.length, 4);
    assert.equal(parts[0], 'v1');
    for (const part of parts.slice(1)) assert.match(part, /^[A-Za-z0-9_-]+$/);
    assert.equal(Buffer.from(parts[1] ?? '', 'base64url').length, 12, 'a 96-bit IV');
    assert.equal(Buffer.from(parts[2] ?? '', 'base64url').length, 16, 'a 128-bit tag');
    assert.ok(!sealed.includes('stream-key-in-clear'));
  });

  it('seals one text differently every time (random IV)', () => {
    const box = new SecretBox(keyBase64);
    const first = box.seal('same key');
    const second = box.seal('same key');
    assert.notEqual(first, second);
    assert.notEqual(first.split(':')[1], second.split(':')[1]);
    assert.equal(box.open(first), 'same key');
    assert.equal(box.open(second), 'same key');
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const box = new SecretBox(keyBase64);
    const sealed = box.seal('stream-key');
    for (const [part, index] of [['iv', 1], ['tag', 2], ['ciphertext', 3]] as const) {
      assert.throws(() => box.open(tamper(sealed, index)), Error, `tampered ${part} was accepted`);
    }
  });

  it('refuses a truncated authentication tag', () => {
    const box = new SecretBox(keyBase64);
    const [version, iv, tag, ciphertext] = box.seal('stream-key').split(':');
    const shortTag = Buffer.from(tag ?? '', 'base64url').subarray(0, 4).toString('base64url');
    assert.throws(() => box.open([version, iv, shortTag, ciphertext].join(':')));
  });

  it('cannot be opened with another key', () => {
    const sealed = new SecretBox(keyBase64).seal('stream-key');
    assert.throws(() => new SecretBox(randomBytes(32).toString('base64')).open(sealed));
  });

  it('rejects what is not a sealed secret', () => {
    const box = new SecretBox(keyBase64);
    const [, iv, tag, ciphertext] = box.seal('stream-key').split(':');
    for (const value of ['', 'stream-key', 'v1:', 'v1:abc', `v2:${iv}:${tag}:${ciphertext}`, `v1::${tag}:${ciphertext}`]) {
      assert.throws(() => box.open(value), { message: 'not a sealed secret' }, JSON.stringify(value));
    }
  });

  it('rejects a key that is not 32 bytes', () => {
    for (const length of [0, 16, 31, 33, 64]) {
      assert.throws(
        () => new SecretBox(randomBytes(length).toString('base64')),
        { message: `the encryption key must be 32 bytes in base64, got ${length} bytes` },
        `${length} bytes`,
      );
    }
  });
});
