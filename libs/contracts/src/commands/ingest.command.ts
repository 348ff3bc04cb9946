import { z } from 'zod';
import { defineCommand } from '../envelope.js';
import { environmentSchema, ingestStreamSchema } from '../domain.js';

export const openIngestSessionSchema = z.object({
  ingestId: z.uuid(),
  djId: z.uuid(),
  djName: z.string().min(1),
  environment: environmentSchema,
  stream: ingestStreamSchema,
  startedAt: z.iso.datetime(),
});
export type OpenIngestSession = z.infer<typeof openIngestSessionSchema>;

/** The DJ connections the gateway holds open now (checked against nginx-rtmp by its own reconciler). */
export const ListOpenIngestSessions = defineCommand('gateway', 'ingest.sessions.list-open.v1', z.object({}), z.array(openIngestSessionSchema));
