import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { joinStreamKey } from './destinations.service.js';

describe('joinStreamKey', () => {
  it('appends the key as the last path segment', () => {
    assert.equal(joinStreamKey('rtmp://a.rtmp.youtube.com/live2', 'abcd-1234'), 'rtmp://a.rtmp.youtube.com/live2/abcd-1234');
  });

  it('does not double the slash when the server URL ends with one or more', () => {
    assert.equal(joinStreamKey('rtmp://a.rtmp.youtube.com/live2/', 'abcd-1234'), 'rtmp://a.rtmp.youtube.com/live2/abcd-1234');
    assert.equal(joinStreamKey('rtmps://live-api-s.facebook.com:443/rtmp///', 'FB-1'), 'rtmps://live-api-s.facebook.com:443/rtmp/FB-1');
  });

  it('keeps slashes inside the URL and the key untouched', () => {
    assert.equal(joinStreamKey('rtmp://host//app/inst', 'k?x=1'), 'rtmp://host//app/inst/k?x=1');
  });
});
