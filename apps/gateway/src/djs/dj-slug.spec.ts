import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MOUNT_PATTERN, slugify, uniqueSlug } from './dj-slug.js';

describe('DJ slugs (Icecast mount names)', () => {
  it('makes lower-case ASCII words joined by single dashes from any name', () => {
    assert.equal(slugify('DJ Traktör'), 'dj-traktor');
    assert.equal(slugify('  Ünal & Friends!! '), 'unal-friends');
    assert.equal(slugify('A/B\\C..d'), 'a-b-c-d');
    assert.equal(slugify('Ça va? Ñandú'), 'ca-va-nandu');
  });

  it('gives a name with nothing usable in it the slug "dj", and keeps a long one short without a trailing dash', () => {
    assert.equal(slugify('💿🎧'), 'dj');
    assert.equal(slugify('---'), 'dj');
    const long = slugify(`${'a'.repeat(39)} b c`);
    assert.equal(long, 'a'.repeat(39));
    assert.ok(slugify('word '.repeat(30)).length <= 40);
    assert.ok(!slugify('word '.repeat(30)).endsWith('-'));
  });

  it('numbers a slug that is taken, within the length limit', () => {
    assert.equal(uniqueSlug('dj-nova', new Set()), 'dj-nova');
    assert.equal(uniqueSlug('dj-nova', new Set(['dj-nova'])), 'dj-nova-2');
    assert.equal(uniqueSlug('dj-nova', new Set(['dj-nova', 'dj-nova-2'])), 'dj-nova-3');
    const long = 'x'.repeat(40);
    assert.equal(uniqueSlug(long, new Set([long])).length, 40);
  });

  it('accepts exactly the mounts /live/<slug> and /test/<slug> that slugify can make', () => {
    for (const name of ['DJ Traktör', 'b2b', 'X']) assert.ok(MOUNT_PATTERN.test(`/live/${slugify(name)}`), name);
    for (const mount of ['/live/dj-a', '/test/a1-b2']) assert.ok(MOUNT_PATTERN.test(mount), mount);
    for (const mount of ['/live/', '/live/DJ', '/live/a/b', '/live/-a', '/live/a-', '/live/a--b', '/radio/a', 'live/a', '/live/a?x=1', '/live/a.ogg']) {
      assert.ok(!MOUNT_PATTERN.test(mount), mount);
    }
  });
});
