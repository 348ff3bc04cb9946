import { z } from 'zod';

export const RECORDING_QUEUE = 'recording';

export const finalizeRecordingJobSchema = z.object({ recordingId: z.uuid() });
export type FinalizeRecordingJob = z.infer<typeof finalizeRecordingJobSchema>;

export interface RecordingJobs {
  finalize: FinalizeRecordingJob;
}
