import type { BroadcastView } from '@streamcaster/contracts';
import { describe, expect, it } from 'vitest';
import { countsViewers, statsViewersOf, totalViewers } from './viewers';

type Destination = BroadcastView['destinations'][number];
const destination = (platform: Destination['platform'], viewers: number | null) => ({ platform, viewers }) as Destination;
const at = '2026-03-14T20:00:00.000Z';
const ID = '22222222-2222-4222-8222-222222222222';

describe('viewers of a broadcast', () => {
  it("takes the stats service's total when it has one", () => {
    const stats = { viewers: { total: 900, byPlatform: { youtube: 900 }, destinations: [] } };
    expect(totalViewers({ destinations: [destination('youtube', 10)] }, stats)).toBe(900);
  });

  it("adds up the destinations' counts otherwise, skipping those that reported none", () => {
    expect(totalViewers({ destinations: [destination('youtube', 10), destination('twitch', null), destination('kick', 5)] }, null)).toBe(15);
    expect(totalViewers({ destinations: [destination('youtube', 10)] }, { viewers: { total: null, byPlatform: {}, destinations: [] } })).toBe(10);
  });

  it('is unknown (null), not 0, when no platform reported a count', () => {
    expect(totalViewers({ destinations: [destination('rtmp', null), destination('youtube', null)] }, {})).toBeNull();
    expect(totalViewers({ destinations: [destination('youtube', 0)] }, null)).toBe(0);
  });

  it('counts only where a platform can be asked, and finds a destination in the stats', () => {
    expect(countsViewers({ destinations: [destination('rtmp', null)] })).toBe(false);
    expect(countsViewers({ destinations: [destination('rtmp', null), destination('kick', null)] })).toBe(true);
    const stats = { viewers: { total: 7, byPlatform: { kick: 7 }, destinations: [{ destinationId: ID, platform: 'kick' as const, viewers: 7, at }] } };
    expect(statsViewersOf(stats, ID)).toBe(7);
    expect(statsViewersOf(stats, '33333333-3333-4333-8333-333333333333')).toBeUndefined();
  });
});
