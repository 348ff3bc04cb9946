import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { broadcastStatsSchema, hostStatsSchema } from '../stats/stats-snapshot.js';

/**
 * Once a second, from the stats service (core NATS: a lost one is replaced by the next): the host and
 * every running broadcast.
 */
export const StatsSnapshot = defineEvent(
  'stats.snapshot.v1',
  z.object({ at: z.iso.datetime(), host: hostStatsSchema, broadcasts: z.array(broadcastStatsSchema) }),
);
