import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseRtmpStat } from './nginx-rtmp-stat.js';

// Captured from a running nginx-rtmp 1.1.4 (nginx 1.22.1): a DJ in `live` (1280x720 30 fps, stereo
// AAC, with one player), another in `test` (640x360 25 fps, mono 44.1 kHz) and a program, ~12 s in.
const RTMP_STAT_SAMPLE_PATH = new URL('../../../../../libs/service-kit/src/ingest/nginx-rtmp-stat.sample.xml', import.meta.url);
const SAMPLE = readFileSync(RTMP_STAT_SAMPLE_PATH, 'utf8');
const LIVE_DJ = '5b0c7a52-3f6e-4f0e-9a77-1c2d3e4f5a6b';

describe('parseRtmpStat on a real /stat page', () => {
  const streams = parseRtmpStat(SAMPLE);

  it('finds every stream under its application', () => {
    assert.deepEqual(
      streams.map((stream) => `${stream.app}/${stream.name}`),
      [`live/${LIVE_DJ}`, 'test/0f9e8d7c-1a2b-4c3d-8e4f-5a6b7c8d9e0f', 'program/9e8d7c6b-5a49-4382-b716-0f1e2d3c4b5a'],
    );
  });

  it('reads the stream\'s own figures, not those of its clients', () => {
    const dj = streams[0]!;
    assert.equal(dj.publishing, true);
    assert.equal(dj.timeMs, 12108);
    assert.equal(dj.bytesIn, 226276);
    assert.equal(dj.bwInBitsPerSecond, 157336);
    assert.deepEqual(dj.video, { codec: 'h264', width: 1280, height: 720, fps: 30 });
    assert.deepEqual(dj.audio, { codec: 'aac', channels: 2, sampleRate: 48000 });
    assert.deepEqual(streams[1]!.audio, { codec: 'aac', channels: 1, sampleRate: 44100 });
  });

  it('has no stream on a page of an idle server, and no metadata before the publisher sent it', () => {
    assert.deepEqual(parseRtmpStat('<rtmp><server><application><name>live</name><live><nclients>0</nclients></live></application></server></rtmp>'), []);
    const bare = parseRtmpStat('<rtmp><server><application><name>live</name><live><stream><name>dj</name><time>10</time><bw_in>0</bw_in><bytes_in>0</bytes_in><publishing/><active/></stream></live></application></server></rtmp>');
    assert.equal(bare[0]!.video, null);
    assert.equal(bare[0]!.publishing, true);
  });
});
