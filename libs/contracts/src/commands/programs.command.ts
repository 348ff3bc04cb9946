import { z } from 'zod';
import { defineCommand } from '../envelope.js';

export const programViewSchema = z.object({
  broadcastId: z.uuid(),
  /** Still wanted: the broadcast runs as far as the transcoder knows. */
  wanted: z.boolean(),
  /** Whether a transcoder replica holds the program's lease right now. */
  running: z.boolean(),
});
export type ProgramView = z.infer<typeof programViewSchema>;

/** The programs the transcoder keeps (wanted ones, and those that ended in the last hour). */
export const ListPrograms = defineCommand('transcoder', 'programs.list.v1', z.object({}), z.array(programViewSchema));
