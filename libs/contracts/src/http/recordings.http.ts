import { z } from 'zod';

/**
 * `POST /api/recordings/:id/file-url`: a short-lived URL of one recording's MP4 that carries its own
 * proof (`?token=`), for a `<video src>` or a download link, which cannot send the Bearer header.
 * The token is signed by the gateway, names that one recording and expires after `expiresAt`
 * (10 minutes); the file route accepts it instead of the header, with range requests as before.
 */
export const recordingFileUrlSchema = z.object({
  url: z.string().startsWith('/api/recordings/'),
  expiresAt: z.iso.datetime(),
});
export type RecordingFileUrl = z.output<typeof recordingFileUrlSchema>;
