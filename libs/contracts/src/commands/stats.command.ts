import { z } from 'zod';
import { defineCommand } from '../envelope.js';
import { statsHistorySchema } from '../stats/stats-snapshot.js';

export const MAX_STATS_HISTORY_POINTS = 5000;

/** `GET /api/broadcasts/:id/stats?from=&to=`: without bounds, the whole broadcast. */
export const statsHistoryQuerySchema = z
  .object({ from: z.iso.datetime().optional(), to: z.iso.datetime().optional() })
  .refine((query) => !query.from || !query.to || query.from <= query.to, { path: ['to'], message: 'to must not be before from' });

/**
 * A broadcast's stats history in time order, from `from` (default: the broadcast's start) to `to`
 * (default: its end, or now). The answer must fit in one NATS message: it holds at most
 * `MAX_STATS_HISTORY_POINTS` points, fewer when the broadcast has many destinations (each adds a
 * relay bitrate to every point); a longer range comes back averaged into wider time buckets, each
 * point saying its width in `bucketSeconds`.
 */
export const GetStatsHistory = defineCommand(
  'stats',
  'stats.history.v1',
  z.object({ broadcastId: z.uuid(), from: z.iso.datetime().optional(), to: z.iso.datetime().optional() }),
  statsHistorySchema,
);
