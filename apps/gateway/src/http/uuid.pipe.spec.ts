import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestException } from '@nestjs/common';
import { UuidPipe } from './uuid.pipe.js';

const pipe = new UuidPipe('broadcast id');
const refusal = (value: unknown) => {
  try {
    pipe.transform(value);
  } catch (error) {
    assert.ok(error instanceof BadRequestException);
    return error.message;
  }
  assert.fail(`${JSON.stringify(value)} was accepted`);
};

describe('UuidPipe', () => {
  it('accepts a UUID of any version and gives it back in lower case', () => {
    assert.equal(pipe.transform('0b6f6f0e-5b0e-4c8e-9d55-3f1c0a6f2a11'), '0b6f6f0e-5b0e-4c8e-9d55-3f1c0a6f2a11');
    assert.equal(pipe.transform('0B6F6F0E-5B0E-4C8E-9D55-3F1C0A6F2A11'), '0b6f6f0e-5b0e-4c8e-9d55-3f1c0a6f2a11');
    assert.equal(pipe.transform('01890a5d-ac96-774b-bcce-b302099a8057'), '01890a5d-ac96-774b-bcce-b302099a8057', 'v7');
  });

  it('refuses anything else with a message naming the id and quoting what came, escaped', () => {
    assert.equal(refusal('not-a-uuid'), 'broadcast id must be a UUID, got "not-a-uuid"');
    assert.equal(refusal('../../etc/passwd'), 'broadcast id must be a UUID, got "../../etc/passwd"');
    assert.equal(refusal('a\u0000b'), 'broadcast id must be a UUID, got "a\\u0000b"');
    assert.equal(refusal('0b6f6f0e-5b0e-4c8e-9d55-3f1c0a6f2a11/..'), 'broadcast id must be a UUID, got "0b6f6f0e-5b0e-4c8e-9d55-3f1c0a6f2a11/.."');
    assert.equal(refusal(' 0b6f6f0e-5b0e-4c8e-9d55-3f1c0a6f2a11'), 'broadcast id must be a UUID, got " 0b6f6f0e-5b0e-4c8e-9d55-3f1c0a6f2a11"');
    assert.equal(refusal(''), 'broadcast id must be a UUID, got ""');
  });

  it('shortens an over-long id in the message', () => {
    assert.equal(refusal('a'.repeat(5000)), `broadcast id must be a UUID, got "${'a'.repeat(40)}"… (5000 characters)`);
  });
});
