import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/** The transcoder began publishing `program/<broadcastId>` (nginx-rtmp on_publish of the program app). */
export const ProgramStarted = defineEvent('program.started.v1', z.object({ broadcastId: z.uuid() }));
