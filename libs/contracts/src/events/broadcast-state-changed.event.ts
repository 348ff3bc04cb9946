import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { broadcastStateSchema, environmentSchema } from '../domain.js';

/** Published by the publisher on every broadcast transition; `ended` tells encoder and recorder to finish. */
export const BroadcastStateChanged = defineEvent(
  'broadcast.state-changed.v1',
  z.object({
    broadcastId: z.uuid(),
    environment: environmentSchema,
    djName: z.string(),
    title: z.string(),
    state: broadcastStateSchema,
    previousState: broadcastStateSchema.nullable(),
  }),
);
