import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { environmentSchema, ingestStreamSchema } from '../domain.js';

/** A DJ's stream key was accepted by on_publish: the DJ is publishing now. */
export const IngestStarted = defineEvent(
  'ingest.started.v1',
  z.object({
    ingestId: z.uuid(),
    environment: environmentSchema,
    djId: z.uuid(),
    djName: z.string().min(1),
    stream: ingestStreamSchema,
    startedAt: z.iso.datetime(),
  }),
);
