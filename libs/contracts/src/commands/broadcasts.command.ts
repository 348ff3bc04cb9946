import { z } from 'zod';
import { defineCommand } from '../envelope.js';
import { broadcastStateSchema, environmentSchema, platformSchema, platformStateSchema, relayStateSchema } from '../domain.js';

export const broadcastDestinationViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  platform: platformSchema,
  state: relayStateSchema,
  /** When the relay last went `live` (for its uptime); null while it is not live. */
  liveSince: z.iso.datetime().nullable(),
  reconnects: z.number().int().nonnegative(),
  bitrateKbps: z.number().nonnegative().nullable(),
  /** Why the relay last failed (platform refused, unreachable...), with the stream key hidden. */
  lastError: z.string().nullable(),
  /** What the platform itself says (API platforms); null for `rtmp`, which has no one to ask. */
  platformState: platformStateSchema.nullable(),
  /** The platform's reason in words when `platformState` is `error` (or a note while waiting). */
  platformReason: z.string().nullable(),
  /**
   * No false green: bytes leave (relay `live`) and the platform confirms it receives (`live` or
   * `testing`). For `rtmp` destinations the relay's bytes are all there is to go on.
   */
  confirmed: z.boolean(),
  /** Where the fans watch it (YouTube watch page, Twitch channel, Facebook permalink, Kick channel). */
  watchUrl: z.string().nullable(),
  /** Concurrent viewers as the platform last reported them; null when unknown. */
  viewers: z.number().int().nonnegative().nullable(),
});

export const broadcastViewSchema = z.object({
  id: z.uuid(),
  environment: environmentSchema,
  state: broadcastStateSchema,
  djId: z.uuid(),
  djName: z.string(),
  title: z.string(),
  description: z.string(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
  destinations: z.array(broadcastDestinationViewSchema),
  /** The track playing now (the last of its tracklist); null before the first. */
  nowPlaying: z.object({ artist: z.string().nullable(), title: z.string(), startedAt: z.iso.datetime() }).nullable(),
});
export type BroadcastView = z.infer<typeof broadcastViewSchema>;

export const ListBroadcasts = defineCommand(
  'publisher',
  'broadcasts.list.v1',
  z.object({
    environment: environmentSchema.optional(),
    /** Only this DJ's broadcasts (what a user with role dj may see). */
    djId: z.uuid().optional(),
    /** Broadcasts that started at or after `from` and before `to` (the History page's dates). */
    from: z.iso.datetime().optional(),
    to: z.iso.datetime().optional(),
    /** Only the running ones (starting, live, interrupted): what the On air page shows. */
    running: z.boolean().optional(),
    limit: z.number().int().min(1).max(500).default(100),
  }),
  z.array(broadcastViewSchema),
);
export const GetBroadcast = defineCommand('publisher', 'broadcasts.get.v1', z.object({ id: z.uuid() }), broadcastViewSchema);
export const StopBroadcast = defineCommand('publisher', 'broadcasts.stop.v1', z.object({ id: z.uuid() }), broadcastViewSchema);

/** `PATCH /api/broadcasts/:id`: one title and description for the broadcast and every platform of it. */
export const broadcastPatchSchema = z
  .strictObject({
    title: z.string().trim().min(1, 'title must not be empty').max(100, 'title is longer than 100 characters').optional(),
    description: z.string().max(5000, 'description is longer than 5000 characters').optional(),
  })
  .refine((patch) => patch.title !== undefined || patch.description !== undefined, { message: 'nothing to change: give title or description' });
export type BroadcastPatch = z.output<typeof broadcastPatchSchema>;

/** How each platform of the broadcast took a new title or description. */
export const platformTextUpdateSchema = z.object({
  destinationId: z.uuid(),
  name: z.string(),
  platform: platformSchema,
  /** `refused`: the platform (or its limits) said no; it keeps its old text, `message` says why. */
  outcome: z.enum(['updated', 'refused', 'not-running']),
  message: z.string(),
});
export type PlatformTextUpdate = z.infer<typeof platformTextUpdateSchema>;

export const broadcastUpdateResultSchema = broadcastViewSchema.extend({ platformUpdates: z.array(platformTextUpdateSchema) });
export type BroadcastUpdateResult = z.infer<typeof broadcastUpdateResultSchema>;

export const UpdateBroadcast = defineCommand(
  'publisher',
  'broadcasts.update.v1',
  z.object({ id: z.uuid(), patch: broadcastPatchSchema }),
  broadcastUpdateResultSchema,
);
