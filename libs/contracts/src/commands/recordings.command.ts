import { z } from 'zod';
import { defineCommand } from '../envelope.js';

export const recordingStateSchema = z.enum(['recording', 'finalizing', 'ready', 'failed']);

export const recordingViewSchema = z.object({
  id: z.uuid(),
  broadcastId: z.uuid(),
  state: recordingStateSchema,
  durationSeconds: z.number().nonnegative().nullable(),
  sizeBytes: z.number().int().nonnegative().nullable(),
  segments: z.number().int().nonnegative(),
  startedAt: z.iso.datetime(),
  finalizedAt: z.iso.datetime().nullable(),
  error: z.string().nullable(),
});
export type RecordingView = z.infer<typeof recordingViewSchema>;

export const ListRecordings = defineCommand(
  'recorder',
  'recordings.list.v1',
  z.object({
    broadcastId: z.uuid().optional(),
    /** Only the recordings of these broadcasts (a DJ's own); an empty list matches nothing. */
    broadcastIds: z.array(z.uuid()).max(500).optional(),
  }),
  z.array(recordingViewSchema),
);
export const GetRecording = defineCommand('recorder', 'recordings.get.v1', z.object({ id: z.uuid() }), recordingViewSchema);
/** Where the finished MP4 lies in the shared recordings volume; for the gateway to stream it. */
export const LocateRecordingFile = defineCommand(
  'recorder',
  'recordings.locate-file.v1',
  z.object({ id: z.uuid() }),
  z.object({ relativePath: z.string(), sizeBytes: z.number().int().nonnegative() }),
);
