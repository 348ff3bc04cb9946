import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { environmentSchema } from '../domain.js';

/**
 * A broadcast's title or description changed (`PATCH /api/broadcasts/:id`). Core NATS, a hint only:
 * whoever shows the broadcast asks the publisher for its current state; a lost one is corrected by the
 * next look.
 */
export const BroadcastUpdated = defineEvent('broadcast.updated.v1', z.object({ broadcastId: z.uuid(), environment: environmentSchema }));
