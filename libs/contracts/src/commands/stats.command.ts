import { z } from 'zod';
import { defineCommand } from '../envelope.js';
import { statsHistorySchema } from '../stats/stats-snapshot.js';

/** `GET /api/broadcasts/:id/stats?from=&to=`: without bounds, the whole broadcast. */
export const statsHistoryQuerySchema = z
  .object({ from: z.iso.datetime().optional(), to: z.iso.datetime().optional() })
  .refine((query) => !query.from || !query.to || query.from <= query.to, { path: ['to'], message: 'to must not be before from' });

export const GetStatsHistory = defineCommand(
  'stats',
  'stats.history.v1',
  z.object({ broadcastId: z.uuid(), from: z.iso.datetime().optional(), to: z.iso.datetime().optional() }),
  statsHistorySchema,
);
