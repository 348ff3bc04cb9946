import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { djInput } from './dj-input.js';

const servers = { rtmpInternalUrl: 'rtmp://127.0.0.1:1935', icecastInternalUrl: 'http://icecast:8000/', icecastReaderPassword: 'reader-secret-123456' };

describe("the DJ's input", () => {
  it('reads an RTMP DJ from nginx-rtmp by the DJ id, picture expected', () => {
    const input = djInput({ app: 'live', streamName: '0b6e3a8e-6c86-4f0b-9d55-5b3f1f0c1a2b' }, servers);
    assert.deepEqual(input, {
      url: 'rtmp://127.0.0.1:1935/live/0b6e3a8e-6c86-4f0b-9d55-5b3f1f0c1a2b',
      headers: null,
      kind: 'picture',
      label: 'rtmp://127.0.0.1:1935/live/0b6e3a8e-6c86-4f0b-9d55-5b3f1f0c1a2b',
    });
    assert.equal(djInput({ app: 'test', streamName: 'x', protocol: 'rtmp' }, servers).kind, 'picture');
  });

  it("reads a Traktor DJ from its Icecast mount as StreamCaster's reader, sound only, credentials only in a header", () => {
    const input = djInput({ app: 'test', streamName: 'dj-nova', protocol: 'icecast' }, servers);
    assert.equal(input.url, 'http://icecast:8000/test/dj-nova');
    assert.equal(input.kind, 'audio-only');
    assert.equal(input.headers, `Authorization: Basic ${Buffer.from('streamcaster:reader-secret-123456').toString('base64')}\r\n`);
    assert.ok(!input.label.includes('reader-secret'), 'the label goes into logs');
    assert.ok(!input.url.includes('reader-secret'), 'ffmpeg logs its input URL');
  });
});
