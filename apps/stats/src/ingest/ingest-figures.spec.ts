import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseRtmpStat, type RtmpStreamStat } from '@streamcaster/service-kit';
import { ingestBitrateKbps, ingestStats } from './ingest-figures.js';

// The /stat page captured from a real nginx-rtmp that libs/service-kit's parser is tested on.
const SAMPLE = readFileSync(new URL('../../../../../libs/service-kit/src/ingest/nginx-rtmp-stat.sample.xml', import.meta.url), 'utf8');

describe('ingest figures from a real /stat page', () => {
  const streams = parseRtmpStat(SAMPLE);

  it('turns it into the ingest figures of the contract', () => {
    assert.deepEqual(ingestStats(streams[0]!, undefined), {
      videoCodec: 'h264',
      width: 1280,
      height: 720,
      fps: 30,
      bitrateKbps: 157.3,
      audioCodec: 'aac',
      audioChannels: 2,
      audioSampleRate: 48000,
      bytesReceived: 226276,
      uptimeSeconds: 12.108,
    });
  });

  it('has no figure before the publisher sent its metadata', () => {
    const bare = parseRtmpStat('<rtmp><server><application><name>live</name><live><stream><name>dj</name><time>10</time><bw_in>0</bw_in><bytes_in>0</bytes_in><publishing/><active/></stream></live></application></server></rtmp>');
    assert.equal(ingestStats(bare[0]!, undefined).videoCodec, null);
    assert.equal(ingestStats(bare[0]!, undefined).bitrateKbps, null);
  });
});

describe('ingestBitrateKbps', () => {
  const stream = (timeMs: number, bytesIn: number, bwInBitsPerSecond = 0): RtmpStreamStat => ({
    app: 'live', name: 'dj', publishing: true, timeMs, bytesIn, bwInBitsPerSecond, video: null, audio: null,
  });

  it('measures the bytes since the previous reading on the stream\'s own clock', () => {
    // 750 000 bytes in 1.5 s = 4000 kbit/s
    assert.equal(ingestBitrateKbps(stream(11_500, 1_000_000), { timeMs: 10_000, bytesIn: 250_000 }), 4000);
  });

  it('falls back on nginx-rtmp\'s 10 s average without a usable previous reading', () => {
    assert.equal(ingestBitrateKbps(stream(12_000, 900_000, 6_000_000), undefined), 6000);
    // a new publish under the same name: its clock started again
    assert.equal(ingestBitrateKbps(stream(2_000, 100_000, 0), { timeMs: 50_000, bytesIn: 9_000_000 }), null);
  });
});
