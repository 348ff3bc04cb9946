import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publishingStreams, streamIsPublishing } from './ingest-server-status.js';

// The shape of nginx-rtmp's /stat, trimmed to what matters: applications, their live streams, and
// the clients of a stream (the publisher's client and the stream itself carry <publishing/>).
const STAT = `<?xml version="1.0" encoding="utf-8" ?>
<rtmp><server>
<application><name>live</name><live>
  <stream><name>dj-one</name><time>1200</time>
    <client><id>4</id><address>203.0.113.7</address><publishing/><active/></client>
    <client><id>6</id><address>127.0.0.1</address><active/></client>
    <publishing/><active/>
  </stream>
  <stream><name>dj-waiting</name><time>900</time>
    <client><id>9</id><address>127.0.0.1</address><active/></client>
  </stream>
  <nclients>3</nclients>
</live></application>
<application><name>test</name><live>
  <stream><name>dj-two</name><client><id>12</id><publishing/></client><publishing/></stream>
</live></application>
<application><name>program</name><live><nclients>0</nclients></live></application>
</server></rtmp>`;

describe('streamIsPublishing', () => {
  it('finds a stream with a publisher in its application', () => {
    assert.equal(streamIsPublishing(STAT, 'live', 'dj-one'), true);
    assert.equal(streamIsPublishing(STAT, 'test', 'dj-two'), true);
  });

  it('does not count a stream that only has players waiting', () => {
    assert.equal(streamIsPublishing(STAT, 'live', 'dj-waiting'), false);
  });

  it('does not take a stream of another application for this one', () => {
    assert.equal(streamIsPublishing(STAT, 'test', 'dj-one'), false);
    assert.equal(streamIsPublishing(STAT, 'live', 'dj-two'), false);
  });

  it('answers false for an unknown stream and for an empty server', () => {
    assert.equal(streamIsPublishing(STAT, 'live', 'nobody'), false);
    assert.equal(streamIsPublishing('<rtmp><server></server></rtmp>', 'live', 'dj-one'), false);
  });
});

describe('publishingStreams', () => {
  it('lists every app/stream that has a publisher, and no player-only stream', () => {
    const xml = `<rtmp><server>
      <application><name>live</name><live>
        <stream><name>dj-1</name><client><id>1</id><publishing/></client></stream>
        <stream><name>dj-2</name><client><id>2</id></client></stream>
      </live></application>
      <application><name>test</name><live>
        <stream><name>dj-3</name><client><id>3</id><publishing/></client></stream>
      </live></application>
    </server></rtmp>`;
    assert.deepEqual([...publishingStreams(xml)].sort(), ['live/dj-1', 'test/dj-3']);
  });

  it('is empty when nothing publishes', () => {
    assert.equal(publishingStreams('<rtmp><server><application><name>live</name><live></live></application></server></rtmp>').size, 0);
  });
});
