import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/** The program publisher of a broadcast disconnected (on_publish_done of the program app). */
export const ProgramStopped = defineEvent('program.stopped.v1', z.object({ broadcastId: z.uuid() }));
