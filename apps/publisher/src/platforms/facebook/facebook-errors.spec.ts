import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlatformErrorAnswer } from '../platform-http.js';
import { describeGraphError, describeTokenError } from './facebook-errors.js';

function answer(status: number, error: Record<string, unknown> | null, headers: Record<string, string> = {}, retryAfterMs?: number): PlatformErrorAnswer {
  return { status, body: error === null ? null : { error: { type: 'OAuthException', fbtrace_id: 'AbCdEf', ...error } }, retryAfterMs, headers: new Headers(headers) };
}

describe('describeGraphError', () => {
  it('makes an invalid or expired token without a known subcode an auth error (refresh, then retry once)', () => {
    for (const code of [190, 102, 104, 2500]) {
      const error = describeGraphError(answer(400, { code, message: 'Invalid OAuth access token - Cannot parse access token' }));
      assert.equal(error.kind, 'auth', `code ${code}`);
      assert.match(error.message, /Cannot parse access token/);
    }
  });

  it('makes an expired, invalidated or removed sign-in (190 with 458/459/460/463/464/467) revoked, in words', () => {
    const words: Record<number, RegExp> = {
      458: /removed from the Facebook account’s apps/,
      459: /log in on facebook\.com/,
      460: /password was changed/,
      463: /expired \(Facebook sign-ins last about 60 days\)/,
      464: /not confirmed/,
      467: /invalidated/,
    };
    for (const [subcode, pattern] of Object.entries(words)) {
      const error = describeGraphError(answer(400, { code: 190, error_subcode: Number(subcode), message: 'Error validating access token: Session has expired' }));
      assert.equal(error.kind, 'revoked', `subcode ${subcode}`);
      assert.match(error.message, pattern);
      assert.match(error.message, /reconnect the Facebook account/);
      assert.equal(error.details.code, `190/${subcode}`);
    }
  });

  it('makes a missing permission (10, 200–299) refused and names the permissions', () => {
    const error = describeGraphError(answer(403, { code: 200, message: '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission' }));
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /lack of a permission \(pages_read_engagement, pages_manage_posts\)/);
    assert.match(error.message, /reconnect the account and allow every permission/);
    assert.equal(describeGraphError(answer(403, { code: 10, message: '(#10) Application does not have permission for this action' })).kind, 'refused');
    assert.equal(describeGraphError(answer(403, { code: 210, message: '(#210) A page access token is required to request this resource.' })).kind, 'refused');
  });

  it('makes the live eligibility errors refused with "this page cannot go live", in Facebook’s words for people', () => {
    for (const subcode of [1363120, 1363144]) {
      const error = describeGraphError(
        answer(400, { code: 200, error_subcode: subcode, message: '(#200) not eligible', error_user_title: "Can't go live", error_user_msg: 'Pages need 100 followers to go live.' }),
      );
      assert.equal(error.kind, 'refused');
      assert.equal(error.message, 'this page cannot go live: Pages need 100 followers to go live.');
    }
  });

  it('makes throttling (4, 17, 32, 341, 613, 80001) rate-limited, waiting as Facebook says', () => {
    for (const code of [4, 17, 32, 341, 613, 80001]) {
      const error = describeGraphError(answer(400, { code, message: 'Application request limit reached' }));
      assert.equal(error.kind, 'rate-limited', `code ${code}`);
      assert.equal(error.details.retryAfterMs, 60_000);
    }
    const usage = JSON.stringify({ '200000000000001': [{ type: 'pages', call_count: 100, estimated_time_to_regain_access: 3 }] });
    assert.equal(describeGraphError(answer(400, { code: 80001, message: 'limit' }, { 'x-business-use-case-usage': usage })).details.retryAfterMs, 180_000);
    assert.equal(describeGraphError(answer(400, { code: 32, message: 'limit' }, {}, 5_000)).details.retryAfterMs, 5_000);
  });

  it('makes unknown and service errors (1, 2, is_transient) transient', () => {
    assert.equal(describeGraphError(answer(500, { code: 1, message: 'An unknown error occurred' })).kind, 'transient');
    assert.equal(describeGraphError(answer(503, { code: 2, message: 'Service temporarily unavailable' })).kind, 'transient');
    assert.equal(describeGraphError(answer(400, { code: 100, is_transient: true, message: 'Please retry' })).kind, 'transient');
  });

  it('makes a policy block (368), an unknown object (100/33) and other client errors refused; a 5xx without details transient', () => {
    const blocked = describeGraphError(answer(400, { code: 368, message: 'The action attempted has been deemed abusive or is otherwise disallowed' }));
    assert.deepEqual([blocked.kind, /policy reason/.test(blocked.message)], ['refused', true]);
    const missing = describeGraphError(answer(400, { code: 100, error_subcode: 33, message: 'Unsupported get request.' }));
    assert.deepEqual([missing.kind, missing.message], ['refused', 'Facebook has no such object (deleted, or this page may not see it)']);
    const invalid = describeGraphError(answer(400, { code: 100, message: '(#100) Param status must be one of {UNPUBLISHED, LIVE_NOW}' }));
    assert.deepEqual([invalid.kind, invalid.message], ['refused', 'Facebook refused: (#100) Param status must be one of {UNPUBLISHED, LIVE_NOW}']);
    assert.equal(describeGraphError(answer(502, null)).kind, 'transient');
    assert.equal(describeGraphError(answer(404, null)).kind, 'refused');
  });
});

describe('describeTokenError', () => {
  it('words a wrong app secret as a configuration problem, and a bad code as a refused sign-in', () => {
    const secret = describeTokenError(answer(400, { code: 1, message: 'Error validating client secret.' }));
    assert.equal(secret.kind, 'refused');
    assert.match(secret.message, /FACEBOOK_APP_ID and FACEBOOK_APP_SECRET/);
    const code = describeTokenError(answer(400, { code: 100, message: 'This authorization code has been used.' }));
    assert.deepEqual([code.kind, code.message], ['refused', 'Facebook refused the sign-in: This authorization code has been used.']);
    assert.equal(describeTokenError(answer(500, { code: 2, message: 'Service temporarily unavailable' })).kind, 'transient');
  });
});
