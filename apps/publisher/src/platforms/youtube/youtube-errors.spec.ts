import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { googleTokenError, readGoogleFailure, youtubeApiError } from './youtube-errors.js';

// Failures shaped as gaxios's GaxiosError carries them: the request's config (with the token in
// it, which must never reach a message) and the answer.
const TOKEN = 'ya29.secret-access-token';

function apiFailure(status: number, reason: string, message: string, headers: Record<string, string> = {}): unknown {
  return {
    name: 'GaxiosError',
    message,
    config: { url: `https://youtube.googleapis.com/youtube/v3/liveBroadcasts?access_token=${TOKEN}`, headers: { authorization: `Bearer ${TOKEN}` } },
    response: {
      status,
      headers: new Headers(headers),
      data: { error: { code: status, message, errors: [{ message, domain: 'youtube.liveBroadcast', reason }], status: 'PERMISSION_DENIED' } },
    },
  };
}

function tokenFailure(status: number, error: string, description: string): unknown {
  return {
    name: 'GaxiosError',
    message: error,
    config: { url: 'https://oauth2.googleapis.com/token', data: `refresh_token=1//${TOKEN}` },
    response: { status, headers: new Headers({ 'content-type': 'application/json' }), data: { error, error_description: description } },
  };
}

const TIMEOUT_MS = 10_000;

describe('youtubeApiError: every documented YouTube error in words', () => {
  it('401 authError is an auth error, so that the publisher refreshes the token and retries', () => {
    const error = youtubeApiError('liveBroadcasts.list', apiFailure(401, 'authError', 'Request had invalid authentication credentials.'), TIMEOUT_MS);
    assert.equal(error.kind, 'auth');
    assert.equal(error.message, 'YouTube (reading the broadcast): YouTube did not accept the access token (expired or revoked)');
    assert.equal(error.retryable, true);
  });

  it("403 quotaExceeded is a quota error: YouTube's daily API quota is exhausted", () => {
    const error = youtubeApiError('liveBroadcasts.insert', apiFailure(403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your quota.'), TIMEOUT_MS);
    assert.equal(error.kind, 'quota');
    assert.match(error.message, /^YouTube \(creating the broadcast\): YouTube's daily API quota is exhausted \(it resets at midnight Pacific time/);
    assert.equal(error.retryable, false);
  });

  it('403 liveStreamingNotEnabled is refused: enable it in YouTube Studio, it takes 24 hours', () => {
    const error = youtubeApiError('liveBroadcasts.insert', apiFailure(403, 'liveStreamingNotEnabled', 'The user that authorized the request is not enabled to stream live video on YouTube.'), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.equal(error.message, 'YouTube (creating the broadcast): live streaming is not enabled on this YouTube channel (enable it in YouTube Studio; it takes 24 hours)');
    assert.equal(error.details.code, 'liveStreamingNotEnabled');
  });

  it('403 insufficientPermissions is refused, naming the permission to grant', () => {
    const error = youtubeApiError('liveStreams.insert', apiFailure(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.'), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /^YouTube \(creating the stream\): StreamCaster was not granted the permission to manage your YouTube account \(https:\/\/www\.googleapis\.com\/auth\/youtube\): reconnect/);
  });

  it('403 insufficientLivePermissions is refused: the account may not run live broadcasts there', () => {
    const error = youtubeApiError('liveBroadcasts.bind', apiFailure(403, 'insufficientLivePermissions', 'The request is not authorized to bind the live broadcast.'), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /may not run live broadcasts on the channel/);
  });

  it('403 livePermissionBlocked is refused: YouTube does not let the channel stream live', () => {
    const error = youtubeApiError('liveBroadcasts.insert', apiFailure(403, 'livePermissionBlocked', 'The user is unable to stream live video on YouTube.'), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /does not let this channel stream live/);
  });

  it("400 invalidTitle is refused with YouTube's own message", () => {
    const message = "The liveBroadcast resource did not specify a valid value for the snippet.title property. The property's value must be between 1 and 100 characters long.";
    const error = youtubeApiError('liveBroadcasts.update', apiFailure(400, 'invalidTitle', message), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.equal(error.message, `YouTube (changing the title): YouTube refused it: ${message} [invalidTitle]`);
  });

  it("400 invalidDescription is refused with YouTube's own message", () => {
    const message = "The liveBroadcast resource did not specify a valid value for the snippet.description property. The property's value can contain up to 5000 characters.";
    const error = youtubeApiError('liveBroadcasts.insert', apiFailure(400, 'invalidDescription', message), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.ok(error.message.includes(message));
  });

  it("400 titleRequired is refused with YouTube's own message", () => {
    const error = youtubeApiError('liveBroadcasts.insert', apiFailure(400, 'titleRequired', 'The liveBroadcast resource must specify the snippet.title property.'), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /must specify the snippet\.title property\. \[titleRequired\]$/);
  });

  it('404 liveBroadcastNotFound is refused: the broadcast no longer exists', () => {
    const error = youtubeApiError('liveBroadcasts.transition', apiFailure(404, 'liveBroadcastNotFound', 'Broadcast not found'), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.equal(error.message, "YouTube (changing the broadcast's status): the broadcast no longer exists on YouTube (it was deleted, in YouTube Studio perhaps)");
    assert.equal(error.details.code, 'liveBroadcastNotFound');
  });

  it('404 liveStreamNotFound is refused: the stream no longer exists', () => {
    const error = youtubeApiError('liveBroadcasts.bind', apiFailure(404, 'liveStreamNotFound', 'Stream not found'), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /the stream no longer exists on YouTube/);
  });

  it('403 redundantTransition keeps its reason, which the broadcaster takes as success', () => {
    const error = youtubeApiError('liveBroadcasts.transition', apiFailure(403, 'redundantTransition', 'Redundant transition'), TIMEOUT_MS);
    assert.equal(error.details.code, 'redundantTransition');
    assert.match(error.message, /already has that status/);
  });

  it('403 invalidTransition is refused in words', () => {
    const error = youtubeApiError('liveBroadcasts.transition', apiFailure(403, 'invalidTransition', 'Invalid transition'), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /cannot change to that status from its current one/);
  });

  it('403 errorStreamInactive is transient: YouTube does not receive the stream yet', () => {
    const error = youtubeApiError('liveBroadcasts.transition', apiFailure(403, 'errorStreamInactive', 'Stream is inactive'), TIMEOUT_MS);
    assert.equal(error.kind, 'transient');
    assert.equal(error.message, "YouTube (changing the broadcast's status): YouTube does not receive the stream yet");
  });

  it('403 liveBroadcastBindingNotAllowed and liveBroadcastDeletionNotAllowed are refused in words', () => {
    assert.match(youtubeApiError('liveBroadcasts.bind', apiFailure(403, 'liveBroadcastBindingNotAllowed', 'x'), TIMEOUT_MS).message, /cannot be bound to a stream/);
    assert.match(youtubeApiError('liveBroadcasts.delete', apiFailure(403, 'liveBroadcastDeletionNotAllowed', 'x'), TIMEOUT_MS).message, /cannot be deleted/);
  });

  it('500 and 503 backendError are transient', () => {
    for (const status of [500, 503]) {
      const error = youtubeApiError('liveBroadcasts.insert', apiFailure(status, 'backendError', 'Backend Error'), TIMEOUT_MS);
      assert.equal(error.kind, 'transient');
      assert.equal(error.message, `YouTube (creating the broadcast): YouTube had an internal error (HTTP ${status} backendError); it may pass`);
    }
  });

  it('an HTML page instead of the JSON error is transient', () => {
    const failure = { response: { status: 502, headers: new Headers({ 'content-type': 'text/html' }), data: '<!DOCTYPE html><html><title>Error 502</title></html>' } };
    const error = youtubeApiError('liveStreams.insert', failure, TIMEOUT_MS);
    assert.equal(error.kind, 'transient');
    assert.match(error.message, /HTTP 502 with a page that is not the API's JSON answer/);
  });

  it('429 is rate-limited and waits as Retry-After says', () => {
    const error = youtubeApiError('liveBroadcasts.list', apiFailure(429, 'rateLimitExceeded', 'Too many requests', { 'retry-after': '12' }), TIMEOUT_MS);
    assert.equal(error.kind, 'rate-limited');
    assert.equal(error.details.retryAfterMs, 12_000);
    assert.match(error.message, /wait 12 s/);
  });

  it("reads Retry-After from gaxios's node-fetch headers and from plain ones", () => {
    const nodeFetchLike = { response: { status: 429, headers: new Map([['retry-after', '5']]), data: { error: { code: 429, message: 'm', errors: [{ reason: 'rateLimitExceeded' }] } } } };
    assert.equal(youtubeApiError('videos.list', nodeFetchLike, TIMEOUT_MS).details.retryAfterMs, 5000);
    const plain = { response: { status: 429, headers: { 'retry-after': '6' }, data: '' } };
    assert.equal(youtubeApiError('videos.list', plain, TIMEOUT_MS).details.retryAfterMs, 6000);
  });

  it('403 rateLimitExceeded and userRequestsExceedRateLimit are rate-limited, a minute without Retry-After', () => {
    for (const reason of ['rateLimitExceeded', 'userRequestsExceedRateLimit']) {
      const error = youtubeApiError('liveBroadcasts.transition', apiFailure(403, reason, 'The user has sent too many requests in a given timeframe.'), TIMEOUT_MS);
      assert.equal(error.kind, 'rate-limited');
      assert.equal(error.details.retryAfterMs, 60_000);
    }
  });

  it('no answer at all is transient, with the system error or the timeout', () => {
    const refused = youtubeApiError('videos.list', { name: 'GaxiosError', code: 'ECONNREFUSED', message: 'request to http://x failed' }, TIMEOUT_MS);
    assert.equal(refused.kind, 'transient');
    assert.equal(refused.message, "YouTube (reading the viewer count): cannot reach YouTube's API (ECONNREFUSED)");
    const slow = youtubeApiError('videos.list', { name: 'GaxiosError', code: 'TimeoutError', message: 'The operation was aborted due to timeout' }, TIMEOUT_MS);
    assert.equal(slow.message, 'YouTube (reading the viewer count): no answer within 10 s');
  });

  it('an error YouTube documents nowhere here is refused with its own message and reason', () => {
    const error = youtubeApiError('liveBroadcasts.insert', apiFailure(400, 'invalidLatencyPreferenceOptions', 'Invalid latency preference.'), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.equal(error.message, 'YouTube (creating the broadcast): YouTube refused it: Invalid latency preference. [invalidLatencyPreferenceOptions]');
  });

  it('never puts the access token in a message', () => {
    for (const failure of [apiFailure(401, 'authError', 'x'), apiFailure(500, 'backendError', 'x'), { code: 'ECONNRESET', config: { headers: { authorization: `Bearer ${TOKEN}` } } }]) {
      assert.ok(!youtubeApiError('liveBroadcasts.list', failure, TIMEOUT_MS).message.includes(TOKEN));
    }
  });
});

describe("googleTokenError: Google's token endpoint in words", () => {
  it("invalid_grant on refresh is revoked, with Google's description", () => {
    const error = googleTokenError('refresh', tokenFailure(400, 'invalid_grant', 'Token has been expired or revoked.'), TIMEOUT_MS);
    assert.equal(error.kind, 'revoked');
    assert.equal(error.message, 'Google (renewing the access token): Google no longer accepts this sign-in: Token has been expired or revoked.');
    assert.ok(!error.message.includes(TOKEN));
  });

  it('invalid_grant on the code exchange is refused: the code is expired, used or not from this sign-in', () => {
    const error = googleTokenError('exchange', tokenFailure(400, 'invalid_grant', 'Malformed auth code.'), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /^Google \(signing in\): Google refused the sign-in code .*: Malformed auth code\.$/);
  });

  it('invalid_client is refused, pointing at the client credentials to check', () => {
    const error = googleTokenError('refresh', tokenFailure(401, 'invalid_client', 'The OAuth client was not found.'), TIMEOUT_MS);
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /check YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET: The OAuth client was not found\.$/);
  });

  it('a 5xx or an HTML page from the token endpoint is transient, so that the account is not marked for reconnection', () => {
    assert.equal(googleTokenError('refresh', tokenFailure(503, 'unavailable', 'x'), TIMEOUT_MS).kind, 'transient');
    const page = { response: { status: 200, headers: new Headers({ 'content-type': 'text/html' }), data: '<html>login</html>' } };
    assert.equal(googleTokenError('refresh', page, TIMEOUT_MS).kind, 'transient');
  });

  it('429 from the token endpoint is rate-limited', () => {
    const error = googleTokenError('exchange', { response: { status: 429, headers: new Headers({ 'retry-after': '3' }), data: '' } }, TIMEOUT_MS);
    assert.equal(error.kind, 'rate-limited');
    assert.equal(error.details.retryAfterMs, 3000);
  });
});

describe('readGoogleFailure', () => {
  it('reads the reason of the Data API error and of the OAuth error, and a JSON body given as text', () => {
    assert.equal(readGoogleFailure(apiFailure(403, 'quotaExceeded', 'q')).reason, 'quotaExceeded');
    assert.equal(readGoogleFailure(tokenFailure(400, 'invalid_grant', 'd')).message, 'd');
    const text = { response: { status: 404, headers: new Headers(), data: JSON.stringify({ error: { code: 404, message: 'm', errors: [{ reason: 'liveBroadcastNotFound' }] } }) } };
    assert.equal(readGoogleFailure(text).reason, 'liveBroadcastNotFound');
  });
});
