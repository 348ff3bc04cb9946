import type { BroadcastStats, StatsHistoryPoint } from '@streamcaster/contracts';
import { describe, expect, it } from 'vitest';
import { pointFromHistory, pointFromSnapshot, viewerPlatforms } from './stats-series';

const BROADCAST_ID = '11111111-1111-4111-8111-111111111111';
const historyPoint = (overrides: Partial<StatsHistoryPoint> = {}): StatsHistoryPoint => ({
  at: '2026-03-14T20:00:00.000Z',
  bucketSeconds: 1,
  ingestBitrateKbps: 6000,
  encoderFps: 30,
  encoderSpeed: 1,
  cpuPercent: 40,
  relayBitrateKbps: {},
  ...overrides,
});
const snapshot = (viewers?: BroadcastStats['viewers']): BroadcastStats => ({
  broadcastId: BROADCAST_ID,
  environment: 'live',
  at: '2026-03-14T20:00:01.000Z',
  ingest: null,
  composer: null,
  relays: [],
  recorder: null,
  ...(viewers ? { viewers } : {}),
});

describe('viewers in the chart series', () => {
  it('reads the total and each platform from the stored history, null where none was reported', () => {
    expect(pointFromHistory(historyPoint({ viewersTotal: 42, viewersByPlatform: { youtube: 40, twitch: 2 } }))).toMatchObject({ viewers: 42, viewersByPlatform: { youtube: 40, twitch: 2 } });
    expect(pointFromHistory(historyPoint())).toMatchObject({ viewers: null, viewersByPlatform: {} });
    expect(pointFromHistory(historyPoint({ viewersTotal: null }))).toMatchObject({ viewers: null });
  });

  it('reads them from a live snapshot, null before any platform reported', () => {
    expect(pointFromSnapshot(snapshot({ total: 7, byPlatform: { kick: 7 }, destinations: [] }), null)).toMatchObject({ t: Date.parse('2026-03-14T20:00:01.000Z') / 1000, viewers: 7, viewersByPlatform: { kick: 7 } });
    expect(pointFromSnapshot(snapshot(), null)).toMatchObject({ viewers: null, viewersByPlatform: {} });
  });

  it('lists the platforms that reported somewhere in the series, once each', () => {
    const series = [
      pointFromHistory(historyPoint({ viewersTotal: 1, viewersByPlatform: { youtube: 1 } })),
      pointFromHistory(historyPoint({ viewersTotal: 3, viewersByPlatform: { youtube: 1, twitch: 2 } })),
      pointFromHistory(historyPoint()),
    ];
    expect(viewerPlatforms(series)).toEqual(['youtube', 'twitch']);
  });
});
