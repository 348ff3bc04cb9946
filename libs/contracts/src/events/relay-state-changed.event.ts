import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { relayStateSchema } from '../domain.js';

/** One destination's relay changed state (connecting, live, reconnecting after a failure, stopped). */
export const RelayStateChanged = defineEvent(
  'relay.state-changed.v1',
  z.object({
    broadcastId: z.uuid(),
    destinationId: z.uuid(),
    state: relayStateSchema,
    reconnects: z.number().int().nonnegative(),
    reason: z.string().optional(),
  }),
);
