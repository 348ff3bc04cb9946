import { z } from 'zod';

/** What ffmpeg's `-progress` output says about one running process, once a second. */
export const ffmpegProgressSchema = z.object({
  frame: z.number().int().nonnegative(),
  fps: z.number().nonnegative(),
  bitrateKbps: z.number().nonnegative(),
  totalSizeBytes: z.number().int().nonnegative(),
  outTimeSeconds: z.number().nonnegative(),
  droppedFrames: z.number().int().nonnegative(),
  duplicatedFrames: z.number().int().nonnegative(),
  speed: z.number().nonnegative(),
});
export type FfmpegProgress = z.infer<typeof ffmpegProgressSchema>;
