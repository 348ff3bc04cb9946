import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIcecastStatus, trackOfMount } from './icecast-status.js';

const mount = (path: string, fields: Record<string, unknown> = {}) => ({ listenurl: `http://127.0.0.1:8000${path}`, server_type: 'audio/ogg', ...fields });

describe("Icecast's status page", () => {
  it('reads one mount (an object), several (an array) and none (no source) alike', () => {
    assert.deepEqual(parseIcecastStatus({ icestats: { source: mount('/live/dj-a', { artist: 'A', title: 'T' }) } }), [
      { mount: '/live/dj-a', track: { artist: 'A', title: 'T' } },
    ]);
    assert.deepEqual(
      parseIcecastStatus({ icestats: { source: [mount('/live/dj-a'), mount('/test/dj-b', { title: 'Only a title' })] } }).map((entry) => [entry.mount, entry.track]),
      [
        ['/live/dj-a', null],
        ['/test/dj-b', { artist: null, title: 'Only a title' }],
      ],
    );
    assert.deepEqual(parseIcecastStatus({ icestats: { admin: 'x' } }), []);
    assert.deepEqual(parseIcecastStatus(null), []);
  });

  it('leaves out mounts outside /live and /test, and entries without a usable URL', () => {
    const parsed = parseIcecastStatus({ icestats: { source: [mount('/elsewhere'), { listenurl: 'not a url' }, { title: 'x' }, mount('/live/ok')] } });
    assert.deepEqual(parsed.map((entry) => entry.mount), ['/live/ok']);
  });

  it('splits an MP3 "Artist - Title" song string, and keeps Vorbis ARTIST and TITLE as they are', () => {
    assert.deepEqual(trackOfMount({ title: 'Echo Park - Low Sun' }), { artist: 'Echo Park', title: 'Low Sun' });
    assert.deepEqual(trackOfMount({ title: 'Dash - In - Title' }), { artist: 'Dash', title: 'In - Title' });
    assert.deepEqual(trackOfMount({ artist: 'A - B', title: 'C - D' }), { artist: 'A - B', title: 'C - D' });
    assert.deepEqual(trackOfMount({ title: ' - starts with a dash' }), { artist: null, title: '- starts with a dash' });
    assert.deepEqual(trackOfMount({ title: 'Ends with - ' }), { artist: null, title: 'Ends with -' });
    assert.deepEqual(trackOfMount({ title: 1999 }), { artist: null, title: '1999' });
  });

  it('cleans control characters and cuts overlong text, and has no track without a title', () => {
    assert.deepEqual(trackOfMount({ artist: 'Line\nbreak', title: 'Tab\there\u001b[31m' }), { artist: 'Line break', title: 'Tab here [31m' });
    const long = trackOfMount({ artist: 'a'.repeat(10_000), title: 't'.repeat(10_000) })!;
    assert.equal(long.artist!.length, 200);
    assert.equal(long.title.length, 300);
    assert.ok(long.title.endsWith('…'));
    assert.equal(trackOfMount({ artist: 'Somebody', title: '  \n ' }), null);
    assert.equal(trackOfMount({}), null);
    assert.equal(trackOfMount({ title: { nested: true } }), null);
  });
});
