import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FfmpegProgress, HostStats, IngestStats } from '@streamcaster/contracts';
import type { TrackedBroadcast, TrackedRelay } from '../lifecycle/tracked-broadcasts.repository.js';
import type { Heard, RelayReport, ViewersReport } from '../progress/progress-store.js';
import { buildBroadcastStats, historyPointOf, ingestStreamOf, type BroadcastInputs } from './snapshot-builder.js';

const NOW = new Date('2026-03-01T20:00:10.400Z');
const BROADCAST = '0a4c1f2e-9a5b-4c3d-8e7f-6a5b4c3d2e1f';
const DJ = '5b0c7a52-3f6e-4f0e-9a77-1c2d3e4f5a6b';
const YOUTUBE = '11111111-1111-4111-8111-111111111111';
const TWITCH = '22222222-2222-4222-8222-222222222222';
const RECORDING = '33333333-3333-4333-8333-333333333333';

const broadcast: TrackedBroadcast = { id: BROADCAST, environment: 'test', state: 'live', djId: DJ, ingest: null, startedAt: new Date(NOW.getTime() - 60_000), endedAt: null };
const ingest: IngestStats = {
  videoCodec: 'h264', width: 1280, height: 720, fps: 30, bitrateKbps: 4500, audioCodec: 'aac', audioChannels: 2, audioSampleRate: 48000, bytesReceived: 9_000_000, uptimeSeconds: 58,
};
const progress = (figures: Partial<FfmpegProgress>): FfmpegProgress => ({
  frame: 1500, fps: 29.97, bitrateKbps: 6000, totalSizeBytes: 45_000_000, outTimeSeconds: 50, droppedFrames: 2, duplicatedFrames: 1, speed: 1.01, ...figures,
});
const heard = <T>(value: T, ageMs: number): Heard<T> => ({ value, receivedAt: NOW.getTime() - ageMs });
const relay = (destinationId: string, figures: Partial<TrackedRelay>): TrackedRelay => ({
  broadcastId: BROADCAST, destinationId, name: null, state: 'pending', reconnects: 0, lastError: null, liveSince: null, ...figures,
});

function inputs(changes: Partial<BroadcastInputs> = {}): BroadcastInputs {
  return {
    broadcast,
    relays: [],
    recording: undefined,
    ingestStreams: new Map([[`test/${DJ}`, ingest]]),
    encoder: undefined,
    relayProgress: new Map(),
    recordingProgress: undefined,
    now: NOW,
    ...changes,
  };
}

describe('buildBroadcastStats', () => {
  it('finds the ingest under the DJ\'s id in the environment\'s application, or where the program reads it', () => {
    assert.deepEqual(buildBroadcastStats(inputs()).ingest, ingest);
    assert.deepEqual(ingestStreamOf({ ...broadcast, ingest: { app: 'live', streamName: 'renamed' } }), { app: 'live', streamName: 'renamed' });
    assert.equal(buildBroadcastStats(inputs({ broadcast: { ...broadcast, environment: 'live' } })).ingest, null);
    assert.equal(buildBroadcastStats(inputs({ broadcast: { ...broadcast, djId: null } })).ingest, null);
  });

  it('shows the composer from the encoder\'s fresh progress only', () => {
    const stats = buildBroadcastStats(inputs({ encoder: heard({ encoder: 'libx264', progress: progress({}) }, 900) }));
    assert.deepEqual(stats.composer, { encoder: 'libx264', fps: 29.97, speed: 1.01, bitrateKbps: 6000, droppedFrames: 2, duplicatedFrames: 1, outTimeSeconds: 50 });
    assert.equal(buildBroadcastStats(inputs({ encoder: heard({ encoder: 'nvenc', progress: progress({}) }, 6_000) })).composer, null);
  });

  it('gives each relay its state, current bitrate, bytes, reconnects, uptime since live and last error', () => {
    const youtube: Heard<RelayReport> = heard({ progress: progress({ totalSizeBytes: 7_000_000 }), currentBitrateKbps: 5900 }, 500);
    const stats = buildBroadcastStats(
      inputs({
        relays: [
          relay(YOUTUBE, { name: 'YouTube', state: 'live', reconnects: 1, liveSince: new Date(NOW.getTime() - 42_500) }),
          relay(TWITCH, { name: 'Twitch', state: 'reconnecting', reconnects: 3, lastError: 'Connection refused (rtmp://twitch/app/****)' }),
        ],
        relayProgress: new Map([
          [YOUTUBE, youtube],
          [TWITCH, heard({ progress: progress({ totalSizeBytes: 1_000 }), currentBitrateKbps: 12 }, 200)],
        ]),
      }),
    );
    assert.deepEqual(stats.relays, [
      { destinationId: YOUTUBE, name: 'YouTube', state: 'live', bitrateKbps: 5900, bytesSent: 7_000_000, reconnects: 1, uptimeSeconds: 42.5, lastError: null },
      { destinationId: TWITCH, name: 'Twitch', state: 'reconnecting', bitrateKbps: null, bytesSent: 1_000, reconnects: 3, uptimeSeconds: null, lastError: 'Connection refused (rtmp://twitch/app/****)' },
    ]);
  });

  it('takes ffmpeg\'s average before a relay\'s second report, and no bitrate from a relay gone silent', () => {
    const live = relay(YOUTUBE, { name: 'YouTube', state: 'live', liveSince: NOW });
    const first = buildBroadcastStats(inputs({ relays: [live], relayProgress: new Map([[YOUTUBE, heard({ progress: progress({ bitrateKbps: 2500 }), currentBitrateKbps: null }, 100)]]) }));
    assert.equal(first.relays[0]!.bitrateKbps, 2500);
    const silent = buildBroadcastStats(inputs({ relays: [live], relayProgress: new Map([[YOUTUBE, heard({ progress: progress({}), currentBitrateKbps: 6000 }, 8_000)]]) }));
    assert.equal(silent.relays[0]!.bitrateKbps, null);
    assert.equal(silent.relays[0]!.bytesSent, 45_000_000);
  });

  it('shows the recording being written from the recorder\'s report, and a finished one from its final figures', () => {
    const writing = buildBroadcastStats(inputs({
      recording: { id: RECORDING, broadcastId: BROADCAST, state: 'recording', sizeBytes: 0, durationSeconds: 0 },
      recordingProgress: heard({ recordingId: RECORDING, sizeBytes: 12_345_678, durationSeconds: 61.5 }, 300),
    }));
    assert.deepEqual(writing.recorder, { recordingId: RECORDING, state: 'recording', sizeBytes: 12_345_678, durationSeconds: 61.5 });
    const ready = buildBroadcastStats(inputs({
      recording: { id: RECORDING, broadcastId: BROADCAST, state: 'ready', sizeBytes: 20_000_000, durationSeconds: 90 },
      recordingProgress: heard({ recordingId: RECORDING, sizeBytes: 12_345_678, durationSeconds: 61.5 }, 300),
    }));
    assert.deepEqual(ready.recorder, { recordingId: RECORDING, state: 'ready', sizeBytes: 20_000_000, durationSeconds: 90 });
    assert.equal(buildBroadcastStats(inputs()).recorder, null);
  });

  it('has nothing but the ingest and the relays\' states before any progress came', () => {
    const stats = buildBroadcastStats(inputs({ relays: [relay(YOUTUBE, {})] }));
    assert.equal(stats.broadcastId, BROADCAST);
    assert.equal(stats.environment, 'test');
    assert.equal(stats.at, NOW.toISOString());
    assert.equal(stats.composer, null);
    assert.deepEqual(stats.relays, [{ destinationId: YOUTUBE, name: '', state: 'pending', bitrateKbps: null, bytesSent: null, reconnects: 0, uptimeSeconds: null, lastError: null }]);
  });
});

describe('historyPointOf', () => {
  it('keeps the charted figures at the start of their second, with the bitrate of every relay that sends', () => {
    const stats = buildBroadcastStats(inputs({
      encoder: heard({ encoder: 'libx264', progress: progress({}) }, 100),
      relays: [relay(YOUTUBE, { state: 'live', liveSince: NOW }), relay(TWITCH, { state: 'connecting' })],
      relayProgress: new Map([[YOUTUBE, heard({ progress: progress({}), currentBitrateKbps: 5900 }, 100)]]),
    }));
    const host = { cpuPercent: 37.5 } as HostStats;
    assert.deepEqual(historyPointOf(stats, host), {
      at: '2026-03-01T20:00:10.000Z',
      bucketSeconds: 1,
      ingestBitrateKbps: 4500,
      encoderFps: 29.97,
      encoderSpeed: 1.01,
      cpuPercent: 37.5,
      relayBitrateKbps: { [YOUTUBE]: 5900 },
      viewersTotal: null,
      viewersByPlatform: {},
    });
  });
});

describe('viewers', () => {
  const at = NOW.toISOString();
  const KICK = '44444444-4444-4444-8444-444444444444';

  it('sums the platforms that gave a count, per platform and in total, and keeps each destination as reported', () => {
    const stats = buildBroadcastStats(
      inputs({
        viewers: new Map<string, Heard<ViewersReport>>([
          [YOUTUBE, heard({ platform: 'youtube', viewers: 120, at }, 10_000)],
          [TWITCH, heard({ platform: 'twitch', viewers: 30, at }, 20_000)],
          [KICK, heard({ platform: 'kick', viewers: null, at }, 5_000)],
        ]),
      }),
    );
    assert.equal(stats.viewers?.total, 150);
    assert.deepEqual(stats.viewers?.byPlatform, { youtube: 120, twitch: 30 });
    assert.deepEqual(stats.viewers?.destinations.map((destination) => destination.viewers), [120, 30, null]);
    const point = historyPointOf(stats, { cpuPercent: 10 } as HostStats);
    assert.equal(point.viewersTotal, 150);
    assert.deepEqual(point.viewersByPlatform, { youtube: 120, twitch: 30 });
  });

  it('has no viewers at all before a platform reported, and a null total when none gave a count', () => {
    assert.equal(buildBroadcastStats(inputs()).viewers, undefined);
    assert.equal(historyPointOf(buildBroadcastStats(inputs()), { cpuPercent: 10 } as HostStats).viewersTotal, null);
    const hidden = buildBroadcastStats(inputs({ viewers: new Map<string, Heard<ViewersReport>>([[YOUTUBE, heard({ platform: 'youtube', viewers: null, at }, 1_000)]]) }));
    assert.equal(hidden.viewers?.total, null);
    assert.deepEqual(hidden.viewers?.byPlatform, {});
  });
});
