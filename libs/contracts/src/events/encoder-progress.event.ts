import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { encoderKindSchema } from '../domain.js';
import { ffmpegProgressSchema } from './ffmpeg-progress.js';

export const EncoderProgress = defineEvent(
  'encoder.progress.v1',
  z.object({ broadcastId: z.uuid(), encoder: encoderKindSchema, progress: ffmpegProgressSchema }),
);
