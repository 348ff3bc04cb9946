import assert from 'node:assert/strict';
import { BusRequestError } from '@streamcaster/service-kit';

/** For `assert.rejects`: a bus request refused with `code`, its message matching `messagePart`. */
export function isBusError(code: BusRequestError['code'], messagePart: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof BusRequestError, `expected a BusRequestError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, new RegExp(messagePart));
    return true;
  };
}
