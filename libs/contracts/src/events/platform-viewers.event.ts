import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { apiPlatformSchema, environmentSchema } from '../domain.js';

/**
 * A platform's concurrent viewer count for one destination of a running broadcast, as the publisher
 * polled it. Core NATS: a lost one is replaced by the next poll.
 */
export const PlatformViewers = defineEvent(
  'platform.viewers.v1',
  z.object({
    broadcastId: z.uuid(),
    environment: environmentSchema,
    destinationId: z.uuid(),
    platform: apiPlatformSchema,
    /** Null when the platform does not tell (count hidden, not live yet). */
    viewers: z.number().int().nonnegative().nullable(),
    at: z.iso.datetime(),
  }),
);
