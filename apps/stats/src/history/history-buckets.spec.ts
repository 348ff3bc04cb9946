import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatsHistoryPoint } from '@streamcaster/contracts';
import { bucketPoints, bucketStart, fitHistory } from './history-buckets.js';

const T0 = Date.parse('2026-03-01T20:00:00.000Z');
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

function point(second: number, figures: Partial<StatsHistoryPoint> = {}): StatsHistoryPoint {
  return {
    at: new Date(T0 + second * 1000).toISOString(),
    bucketSeconds: 1,
    ingestBitrateKbps: 6000,
    encoderFps: 30,
    encoderSpeed: 1,
    cpuPercent: 20,
    relayBitrateKbps: { [A]: 6000 },
    ...figures,
  };
}

describe('bucketPoints', () => {
  it('averages the seconds of each 10 s bucket, aligned on the epoch, in time order', () => {
    const points = [
      ...Array.from({ length: 10 }, (_, second) => point(second, { ingestBitrateKbps: 1000 + second * 100, cpuPercent: second })),
      point(10, { ingestBitrateKbps: 500 }),
      point(13, { ingestBitrateKbps: 700 }),
    ];
    const buckets = bucketPoints(points.reverse(), 10);
    assert.deepEqual(buckets.map((bucket) => [bucket.at, bucket.bucketSeconds]), [
      [new Date(T0).toISOString(), 10],
      [new Date(T0 + 10_000).toISOString(), 10],
    ]);
    // 1000, 1100 ... 1900 → 1450; cpu 0 ... 9 → 4.5
    assert.equal(buckets[0]!.ingestBitrateKbps, 1450);
    assert.equal(buckets[0]!.cpuPercent, 4.5);
    assert.equal(buckets[1]!.ingestBitrateKbps, 600);
    assert.equal(bucketStart(T0 + 9_999, 10), T0);
  });

  it('counts a figure only where it was measured: nulls and absent destinations are gaps', () => {
    const [bucket] = bucketPoints(
      [
        point(0, { encoderFps: null, relayBitrateKbps: { [A]: 3000 } }),
        point(1, { encoderFps: 25, relayBitrateKbps: { [A]: 5000, [B]: 800 } }),
        point(2, { encoderFps: null, relayBitrateKbps: {} }),
      ],
      10,
    );
    assert.equal(bucket!.encoderFps, 25);
    assert.deepEqual(bucket!.relayBitrateKbps, { [A]: 4000, [B]: 800 });
    const [empty] = bucketPoints([point(0, { encoderSpeed: null })], 10);
    assert.equal(empty!.encoderSpeed, null);
  });

  it('weighs a 10 s point ten times a 1 s one when wider buckets are made', () => {
    const [bucket] = bucketPoints([{ ...point(0, { ingestBitrateKbps: 1000 }), bucketSeconds: 10 }, point(10, { ingestBitrateKbps: 2100 })], 20);
    // (1000 × 10 + 2100 × 1) / 11 = 1100
    assert.equal(bucket!.ingestBitrateKbps, 1100);
    assert.equal(bucket!.bucketSeconds, 20);
  });
});

describe('fitHistory', () => {
  it('leaves a range that fits as it is', () => {
    const points = Array.from({ length: 100 }, (_, second) => point(second));
    assert.deepEqual(fitHistory(points, 100, { maxPoints: 5000, maxBytes: 1_000_000 }), points);
  });

  it('averages a long range into buckets of a multiple of 10 s under the point limit', () => {
    // 3 h at 1 s: 10 800 points, 5000 at most → 10 800 / 5000 = 2.16 s → 10 s buckets
    const points = Array.from({ length: 10_800 }, (_, second) => point(second, { cpuPercent: second % 10 }));
    const fitted = fitHistory(points, 10_800, { maxPoints: 5000, maxBytes: 10_000_000 });
    assert.equal(fitted.length, 1080);
    assert.ok(fitted.every((bucket) => bucket.bucketSeconds === 10 && bucket.cpuPercent === 4.5));
    // 12 h: 43 200 s / 5000 = 8.64 → still 10 s; 30 h → 21.6 → 30 s
    assert.equal(fitHistory(Array.from({ length: 6000 }, (_, second) => point(second * 18)), 108_000, { maxPoints: 5000, maxBytes: 10_000_000 })[0]!.bucketSeconds, 30);
  });

  it('widens the buckets further until the answer fits in its byte budget', () => {
    const points = Array.from({ length: 600 }, (_, second) => point(second, { relayBitrateKbps: { [A]: 6000, [B]: 6000 } }));
    const oneBytes = JSON.stringify(points[0]).length;
    const fitted = fitHistory(points, 600, { maxPoints: 5000, maxBytes: oneBytes * 25 });
    assert.ok(JSON.stringify(fitted).length <= oneBytes * 25, `${JSON.stringify(fitted).length} bytes`);
    // 10 s buckets: 60 points, too many bytes; 20 s: 30; 40 s: 15
    assert.equal(fitted[0]!.bucketSeconds, 40);
  });
});

describe('bucketPoints with viewers', () => {
  it('averages the viewers in total and per platform into whole people; a second without a count is a gap', () => {
    const [bucket] = bucketPoints(
      [
        point(0, { viewersTotal: 10, viewersByPlatform: { youtube: 10 } }),
        point(1, { viewersTotal: 15, viewersByPlatform: { youtube: 10, twitch: 5 } }),
        point(2, { viewersTotal: null, viewersByPlatform: {} }),
      ],
      10,
    );
    assert.equal(bucket!.viewersTotal, 13);
    assert.deepEqual(bucket!.viewersByPlatform, { twitch: 5, youtube: 10 });
  });
});
