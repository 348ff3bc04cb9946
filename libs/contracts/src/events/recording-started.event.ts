import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/** The recorder created the recording of a broadcast (its segments start with the program). */
export const RecordingStarted = defineEvent('recording.started.v1', z.object({ recordingId: z.uuid(), broadcastId: z.uuid() }));
