import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { textRefusal } from './platform-rules.js';

describe('textRefusal', () => {
  it("counts characters as people do (an emoji is one) against each platform's limit", () => {
    assert.equal(textRefusal('youtube', { title: '🎧'.repeat(100) }), null);
    assert.equal(textRefusal('youtube', { title: '🎧'.repeat(101) }), 'YouTube takes titles of at most 100 characters; this one has 101');
    assert.equal(textRefusal('twitch', { title: 'x'.repeat(140) }), null);
    assert.equal(textRefusal('twitch', { title: 'x'.repeat(141) }), 'Twitch takes titles of at most 140 characters; this one has 141');
    assert.equal(textRefusal('youtube', { description: 'd'.repeat(5001) }), 'YouTube takes descriptions of at most 5000 characters; this one has 5001');
  });

  it('has no limit where the platform has no such text, and none for rtmp', () => {
    assert.equal(textRefusal('twitch', { description: 'd'.repeat(10_000) }), null);
    assert.equal(textRefusal('rtmp', { title: 't'.repeat(1_000) }), null);
  });
});
