import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { ffmpegProgressSchema } from './ffmpeg-progress.js';

export const RelayProgress = defineEvent(
  'relay.progress.v1',
  z.object({ broadcastId: z.uuid(), destinationId: z.uuid(), progress: ffmpegProgressSchema }),
);
