import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { environmentSchema } from '../domain.js';

/** The DJ's publisher went away (on_publish_done): a broadcast may end after its grace period. */
export const IngestStopped = defineEvent(
  'ingest.stopped.v1',
  z.object({
    ingestId: z.uuid(),
    environment: environmentSchema,
    djId: z.uuid(),
    stoppedAt: z.iso.datetime(),
  }),
);
