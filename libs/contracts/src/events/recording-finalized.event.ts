import { z } from 'zod';
import { defineEvent } from '../envelope.js';

export const RecordingFinalized = defineEvent(
  'recording.finalized.v1',
  z.object({
    recordingId: z.uuid(),
    broadcastId: z.uuid(),
    durationSeconds: z.number().nonnegative(),
    sizeBytes: z.number().int().nonnegative(),
  }),
);
