import { z } from 'zod';
import { encoderKindSchema, environmentSchema, platformSchema, relayStateSchema } from '../domain.js';

/**
 * What one stats snapshot says, once a second: the DJ's input as nginx-rtmp sees it, the composer
 * (the program's encoder), every relay, the recording, and the host. The stats service builds it;
 * the gateway's live channel and the dashboard read it. Every figure is in base units or says its
 * unit in its name; a figure nobody has measured yet is null, never 0.
 */

export const ingestStatsSchema = z.object({
  videoCodec: z.string().nullable(),
  width: z.number().int().nonnegative().nullable(),
  height: z.number().int().nonnegative().nullable(),
  fps: z.number().nonnegative().nullable(),
  /** Audio and video together, as received. */
  bitrateKbps: z.number().nonnegative().nullable(),
  audioCodec: z.string().nullable(),
  audioChannels: z.number().int().nonnegative().nullable(),
  audioSampleRate: z.number().int().nonnegative().nullable(),
  bytesReceived: z.number().int().nonnegative().nullable(),
  uptimeSeconds: z.number().nonnegative().nullable(),
});
export type IngestStats = z.output<typeof ingestStatsSchema>;

export const composerStatsSchema = z.object({
  encoder: encoderKindSchema,
  fps: z.number().nonnegative(),
  speed: z.number().nonnegative(),
  bitrateKbps: z.number().nonnegative(),
  droppedFrames: z.number().int().nonnegative(),
  duplicatedFrames: z.number().int().nonnegative(),
  outTimeSeconds: z.number().nonnegative(),
});
export type ComposerStats = z.output<typeof composerStatsSchema>;

export const relayStatsSchema = z.object({
  destinationId: z.uuid(),
  name: z.string(),
  state: relayStateSchema,
  /** Null until the relay's ffmpeg reported its first progress. */
  bitrateKbps: z.number().nonnegative().nullable(),
  bytesSent: z.number().int().nonnegative().nullable(),
  reconnects: z.number().int().nonnegative(),
  /** Since the relay last went `live`; null while it is not. */
  uptimeSeconds: z.number().nonnegative().nullable(),
  /** Why it last failed, the stream key masked. */
  lastError: z.string().nullable(),
});
export type RelayStats = z.output<typeof relayStatsSchema>;

export const recorderStatsSchema = z.object({
  recordingId: z.uuid().nullable(),
  state: z.enum(['recording', 'finalizing', 'ready', 'failed']),
  sizeBytes: z.number().int().nonnegative(),
  durationSeconds: z.number().nonnegative(),
});
export type RecorderStats = z.output<typeof recorderStatsSchema>;

export const hostStatsSchema = z.object({
  at: z.iso.datetime(),
  /** Busy share of each core over the last second, 0–100. */
  cpuPercentPerCore: z.array(z.number().min(0).max(100)),
  /** All cores together, 0–100. */
  cpuPercent: z.number().min(0).max(100),
  memory: z.object({ totalBytes: z.number().int().nonnegative(), availableBytes: z.number().int().nonnegative() }),
  loadAverage: z.tuple([z.number(), z.number(), z.number()]),
  /** The volume that holds the recordings. */
  recordingsDisk: z.object({ totalBytes: z.number().int().nonnegative(), freeBytes: z.number().int().nonnegative() }).nullable(),
  /** Null where there is no GPU (or nvidia-smi cannot read it). */
  gpu: z
    .object({
      name: z.string(),
      utilizationPercent: z.number().min(0).max(100),
      encoderPercent: z.number().min(0).max(100).nullable(),
      memoryUsedBytes: z.number().int().nonnegative(),
      memoryTotalBytes: z.number().int().nonnegative(),
    })
    .nullable(),
});
export type HostStats = z.output<typeof hostStatsSchema>;

/** Concurrent viewers as each platform reports them (polled by the publisher, default every 30 s). */
export const viewerStatsSchema = z.object({
  /** Sum over the destinations that reported a count; null when none has. */
  total: z.number().int().nonnegative().nullable(),
  byPlatform: z.record(z.string(), z.number().int().nonnegative()),
  destinations: z.array(
    z.object({ destinationId: z.uuid(), platform: platformSchema, viewers: z.number().int().nonnegative().nullable(), at: z.iso.datetime() }),
  ),
});
export type ViewerStats = z.output<typeof viewerStatsSchema>;

export const broadcastStatsSchema = z.object({
  broadcastId: z.uuid(),
  environment: environmentSchema,
  at: z.iso.datetime(),
  ingest: ingestStatsSchema.nullable(),
  composer: composerStatsSchema.nullable(),
  relays: z.array(relayStatsSchema),
  recorder: recorderStatsSchema.nullable(),
  /** Absent until a platform of the broadcast reported viewers. */
  viewers: viewerStatsSchema.optional(),
});
export type BroadcastStats = z.output<typeof broadcastStatsSchema>;

/**
 * One point of a broadcast's stats history: a second for the last hour, a 10 s bucket (averages)
 * beyond. `bucketSeconds` says which.
 */
export const statsHistoryPointSchema = z.object({
  at: z.iso.datetime(),
  bucketSeconds: z.number().int().positive(),
  ingestBitrateKbps: z.number().nonnegative().nullable(),
  encoderFps: z.number().nonnegative().nullable(),
  encoderSpeed: z.number().nonnegative().nullable(),
  cpuPercent: z.number().min(0).max(100).nullable(),
  /** Bitrate per destination id. */
  relayBitrateKbps: z.record(z.string(), z.number().nonnegative()),
  /** Viewers of all platforms together, and per platform; absent where none was reported. */
  viewersTotal: z.number().int().nonnegative().nullable().optional(),
  viewersByPlatform: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
export type StatsHistoryPoint = z.output<typeof statsHistoryPointSchema>;

export const statsHistorySchema = z.object({
  broadcastId: z.uuid(),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  points: z.array(statsHistoryPointSchema),
});
export type StatsHistory = z.output<typeof statsHistorySchema>;
