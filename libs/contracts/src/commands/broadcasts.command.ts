import { z } from 'zod';
import { defineCommand } from '../envelope.js';
import { broadcastStateSchema, environmentSchema, relayStateSchema } from '../domain.js';

export const broadcastDestinationViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  state: relayStateSchema,
  reconnects: z.number().int().nonnegative(),
  bitrateKbps: z.number().nonnegative().nullable(),
  /** Why the relay last failed (platform refused, unreachable...), with the stream key hidden. */
  lastError: z.string().nullable(),
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
});
export type BroadcastView = z.infer<typeof broadcastViewSchema>;

export const ListBroadcasts = defineCommand(
  'publisher',
  'broadcasts.list.v1',
  z.object({
    environment: environmentSchema.optional(),
    /** Only this DJ's broadcasts (what a user with role dj may see). */
    djId: z.uuid().optional(),
    limit: z.number().int().min(1).max(500).default(100),
  }),
  z.array(broadcastViewSchema),
);
export const GetBroadcast = defineCommand('publisher', 'broadcasts.get.v1', z.object({ id: z.uuid() }), broadcastViewSchema);
export const StopBroadcast = defineCommand('publisher', 'broadcasts.stop.v1', z.object({ id: z.uuid() }), broadcastViewSchema);
