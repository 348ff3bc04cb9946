import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/** What a broadcast's program shows: the DJ's picture, or the slate while the DJ is away. */
export const programSourceSchema = z.enum(['dj', 'slate']);
export type ProgramSourceName = z.infer<typeof programSourceSchema>;

/**
 * The program switched between the DJ and the slate (the transcoder's program switcher): the DJ's
 * input dropped or stalled, their encoder crashed, or their picture is back. The broadcast is
 * `interrupted` while the slate is on, `live` again when the DJ is.
 */
export const ProgramSourceChanged = defineEvent(
  'program.source-changed.v1',
  z.object({
    broadcastId: z.uuid(),
    source: programSourceSchema,
    reason: z.string().max(500),
    /** When the switch went on air (the transcoder's clock). */
    at: z.iso.datetime(),
  }),
);
