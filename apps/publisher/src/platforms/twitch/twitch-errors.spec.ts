import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlatformError } from '../platform-error.js';
import { readTwitchFailure, twitchError, type TwitchStep } from './twitch-errors.js';

/**
 * Every Twitch answer the adapter knows, as twurple hands it over, mapped to what the publisher does
 * next and the words the dashboard shows.
 */

/** What twurple throws on an HTTP error (`@twurple/api-call`'s HttpStatusCodeError, same fields and message). */
class HttpStatusCodeError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
    url = 'token?grant_type=refresh_token&client_id=cid&client_secret=TOPSECRET&refresh_token=REFRESHTOKEN',
  ) {
    super(`Encountered HTTP status code ${statusCode}: x\n\nURL: ${url}\nMethod: POST\nBody:\n${body}`);
  }

  override get name(): string {
    return 'HttpStatusCodeError';
  }
}

/** twurple's errors from its own checks, by class name as twurple's CustomError reports it. */
class InvalidTokenError extends Error {
  override get name(): string {
    return 'InvalidTokenError';
  }
}

const helix = (status: number, message: string): HttpStatusCodeError =>
  new HttpStatusCodeError(status, JSON.stringify({ error: 'x', status, message }, null, 2), 'channels?broadcaster_id=1');
const auth = (status: number, message: string): HttpStatusCodeError => new HttpStatusCodeError(status, JSON.stringify({ status, message }));

function mapped(step: TwitchStep, error: unknown, retryAfterMs?: number): PlatformError {
  return twitchError(step, error, { timeoutMs: 10_000, retryAfterMs });
}

describe('Twitch errors', () => {
  it('401 with an invalid or expired token → auth (refresh and retry once), also from twurple validating the token', () => {
    const invalid = mapped('stream', helix(401, 'Invalid OAuth token'));
    assert.deepEqual([invalid.kind, invalid.details.status], ['auth', 401]);
    assert.match(invalid.message, /^Twitch \(reading whether the channel is live\): Twitch did not accept the access token: Invalid OAuth token$/);
    assert.equal(mapped('channel', new InvalidTokenError('Invalid token supplied')).kind, 'auth');
    assert.equal(mapped('channel', helix(401, 'Client ID and OAuth token do not match')).kind, 'auth');
  });

  it('401 "Missing scope" → refused, naming the permission and asking to reconnect, from Twitch or from twurple', () => {
    const fromTwitch = mapped('channel', helix(401, 'Missing scope: channel:manage:broadcast'));
    assert.equal(fromTwitch.kind, 'refused');
    assert.match(fromTwitch.message, /not allowed to set the channel's title and category \(Twitch permission channel:manage:broadcast\): reconnect the account and allow/);
    const local = new Error('This token does not have any of the requested scopes (channel:read:stream_key) and can not be upgraded.\nIf you need dynamically upgrading scopes...');
    const fromTwurple = mapped('stream-key', local);
    assert.equal(fromTwurple.kind, 'refused');
    assert.match(fromTwurple.message, /read the channel's stream key \(Twitch permission channel:read:stream_key\)/);
  });

  it('401 about broadcaster_id → refused: the account is not the channel owner', () => {
    const error = mapped('channel', helix(401, "The ID in broadcaster_id must match the user ID found in the request's OAuth token."));
    assert.deepEqual([error.kind, /not the owner of this channel/.test(error.message)], ['refused', true]);
  });

  it('refresh 400 "Invalid refresh token" → revoked; the code, client and secret refusals → refused', () => {
    const revoked = mapped('refresh', auth(400, 'Invalid refresh token'));
    assert.equal(revoked.kind, 'revoked');
    assert.match(revoked.message, /^Twitch \(renewing the access token\): Twitch no longer accepts this sign-in \(Invalid refresh token\)/);
    const code = mapped('exchange', auth(400, 'Invalid authorization code'));
    assert.deepEqual([code.kind, /sign-in code \(expired, already used/.test(code.message)], ['refused', true]);
    for (const error of [auth(400, 'invalid client'), auth(403, 'invalid client secret'), auth(404, 'client does not exist')]) {
      const refused = mapped('refresh', error);
      assert.equal(refused.kind, 'refused');
      assert.match(refused.message, /check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET/);
    }
  });

  it('400 "Title is too long." → refused, with the limit', () => {
    const error = mapped('channel', helix(400, 'Title is too long.'));
    assert.equal(error.kind, 'refused');
    assert.equal(error.message, "Twitch (setting the channel's title): Twitch refused the title: Title is too long. (Twitch takes at most 140 characters)");
  });

  it("403 from GET /streams/key → refused with Twitch's own words", () => {
    const words = 'The user must complete additional steps in order to stream. Present the user with the returned error message.';
    const error = mapped('stream-key', helix(403, words));
    assert.deepEqual([error.kind, error.message], ['refused', `Twitch (reading the stream key): Twitch does not let this channel stream yet: ${words}`]);
  });

  it('other 4xx → refused with Twitch\'s message', () => {
    const error = mapped('channel', helix(400, 'The game_id is not valid'));
    assert.deepEqual([error.kind, error.message], ['refused', "Twitch (setting the channel's title): Twitch refused it (HTTP 400): The game_id is not valid"]);
  });

  it('429 → rate-limited, waiting as long as Ratelimit-Reset said (60 s when twurple could not tell)', () => {
    const known = mapped('stream', helix(429, 'Too Many Requests'), 4200);
    assert.deepEqual([known.kind, known.details.retryAfterMs, known.retryable], ['rate-limited', 4200, true]);
    assert.match(known.message, /wait 5 s/);
    assert.equal(mapped('refresh', auth(429, 'Too Many Requests')).details.retryAfterMs, 60_000);
  });

  it('5xx, an HTML page, garbage, no answer and a timeout → transient', () => {
    assert.equal(mapped('channel', helix(503, 'Service Unavailable')).kind, 'transient');
    const html = mapped('stream', new HttpStatusCodeError(502, '<html><body>Bad gateway</body></html>'));
    assert.equal(html.kind, 'transient');
    const page = mapped('stream', new HttpStatusCodeError(404, '<html>Not found</html>'));
    assert.deepEqual([page.kind, /not Twitch's JSON answer/.test(page.message)], ['transient', true]);
    assert.equal(mapped('stream', new SyntaxError('Unexpected token < in JSON')).kind, 'transient');
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED ::1:443'), { code: 'ECONNREFUSED' }) });
    const down = mapped('stream', refused);
    assert.deepEqual([down.kind, down.message], ['transient', 'Twitch (reading whether the channel is live): cannot reach Twitch (ECONNREFUSED)']);
    const timeout = mapped('identify', new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    assert.deepEqual([timeout.kind, timeout.message], ['transient', 'Twitch (reading the account): no answer within 10 s']);
  });

  it('never carries what twurple puts in its message: the client secret and the tokens of the URL', () => {
    for (const status of [400, 401, 403, 429, 500]) {
      const error = mapped('refresh', new HttpStatusCodeError(status, JSON.stringify({ status, message: 'nope' })));
      assert.doesNotMatch(error.message, /TOPSECRET|REFRESHTOKEN|client_secret/);
    }
    assert.equal(readTwitchFailure(new HttpStatusCodeError(400, '{"status":400,"message":"Invalid refresh token"}')).message, 'Invalid refresh token');
  });

  it('passes a PlatformError through unchanged', () => {
    const original = new PlatformError('twitch', 'quota', 'x');
    assert.equal(mapped('stream', original), original);
  });
});
