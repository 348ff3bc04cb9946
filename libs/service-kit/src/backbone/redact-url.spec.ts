import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('replaces the password and keeps what locates the server', () => {
    assert.equal(redactUrl('redis://:hunter2@redis:6379'), 'redis://:***@redis:6379');
    assert.equal(redactUrl('nats://streamcaster:hunter2@nats:4222'), 'nats://streamcaster:***@nats:4222');
    assert.equal(redactUrl('postgres://app:hunter2@db:5432/streamcaster'), 'postgres://app:***@db:5432/streamcaster');
  });

  it('leaves a URL without a password as it is, and prints nothing of a value that is no URL', () => {
    assert.equal(redactUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
    assert.equal(redactUrl('not a url hunter2'), '(not a URL)');
  });
});
