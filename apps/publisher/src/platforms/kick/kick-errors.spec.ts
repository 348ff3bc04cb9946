import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlatformErrorAnswer } from '../platform-http.js';
import { describeKickCodeError, describeKickError, describeKickRefreshError } from './kick-errors.js';

function answer(status: number, body: unknown): PlatformErrorAnswer {
  return { status, body, retryAfterMs: undefined, headers: new Headers() };
}

const BLOCKED = { error: 'Request blocked by security policy.', reference: '7f3a9c' };

describe('describeKickError', () => {
  it('makes a 401 an auth error (refresh, then retry once)', () => {
    const error = describeKickError(answer(401, { data: {}, message: 'Unauthorized' }));
    assert.deepEqual([error.kind, error.message], ['auth', 'Kick refused the access token (Unauthorized)']);
  });

  it('makes the Cloudflare block (403 with an "error" string) transient, and an API 403 refused', () => {
    const blocked = describeKickError(answer(403, BLOCKED));
    assert.equal(blocked.kind, 'transient');
    assert.match(blocked.message, /edge blocked the request \(Request blocked by security policy\.\)/);
    const forbidden = describeKickError(answer(403, { data: {}, message: 'Forbidden' }));
    assert.equal(forbidden.kind, 'refused');
    assert.match(forbidden.message, /reconnect it/);
  });

  it('makes a 400 refused with Kick’s detail, a 404 refused, a 5xx transient', () => {
    const bad = describeKickError(answer(400, { data: 'stream_title must be at most 100 characters', message: 'Bad request' }));
    assert.deepEqual([bad.kind, bad.message], ['refused', 'Kick refused the request (Bad request: stream_title must be at most 100 characters)']);
    assert.equal(describeKickError(answer(404, { data: {}, message: 'Not Found' })).kind, 'refused');
    assert.equal(describeKickError(answer(500, { data: {}, message: 'Internal Server Error' })).kind, 'transient');
    assert.equal(describeKickError(answer(502, null)).kind, 'transient');
  });
});

describe('the token endpoint’s errors', () => {
  it('makes a refused refresh token (400 Invalid request) revoked: reconnect', () => {
    const error = describeKickRefreshError(answer(400, { error: 'Invalid request' }));
    assert.equal(error.kind, 'revoked');
    assert.equal(error.message, 'Kick refused to renew the sign-in (Invalid request): it was revoked or has expired; reconnect the Kick account');
  });

  it('makes a refused code refused, and leaves an edge block or a 5xx transient in both', () => {
    assert.equal(describeKickCodeError(answer(400, { error: 'Invalid request' })).kind, 'refused');
    for (const describe of [describeKickCodeError, describeKickRefreshError]) {
      assert.equal(describe(answer(403, BLOCKED)).kind, 'transient');
      assert.equal(describe(answer(503, { data: {}, message: 'Service Unavailable' })).kind, 'transient');
    }
  });
});
