import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/**
 * Once a second from the recorder while it writes a recording (core NATS: a lost one is replaced by
 * the next). `sizeBytes` is what the recording's segments take on disk so far, every writer's
 * together; `durationSeconds` is how much program this writer has copied since it took the recording.
 */
export const RecordingProgress = defineEvent(
  'recording.progress.v1',
  z.object({
    recordingId: z.uuid(),
    broadcastId: z.uuid(),
    sizeBytes: z.number().int().nonnegative(),
    durationSeconds: z.number().nonnegative(),
  }),
);
