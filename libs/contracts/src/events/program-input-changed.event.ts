import { z } from 'zod';
import { ingestStreamSchema } from '../domain.js';
import { defineEvent } from '../envelope.js';

/**
 * The DJ came back to an interrupted broadcast through another input (OBS over RTMP before, Traktor
 * over Icecast now, or the other way round): the program reads the new one from now on. The
 * transcoder keeps it with the program (a replica that takes it over reads the new input too), and
 * the replica running the program restarts its encoder on it at once.
 */
export const ProgramInputChanged = defineEvent(
  'program.input-changed.v1',
  z.object({
    broadcastId: z.uuid(),
    input: ingestStreamSchema,
  }),
);
