import { z } from 'zod';
import { DEFAULT_VJ_SETTINGS, vjSettingsSchema } from '../branding/vj-settings.js';
import { environmentSchema, ingestStreamSchema, logoPositionSchema } from '../domain.js';

/** Queue names are never changed: jobs already waiting in Redis would be orphaned. */
export const TRANSCODE_QUEUE = 'transcode';

export const transcodeJobSchema = z.object({
  broadcastId: z.uuid(),
  environment: environmentSchema,
  input: ingestStreamSchema,
  djName: z.string(),
  /** The logo's size is known from its upload, so the worker need not probe the file. */
  logo: z
    .object({ assetName: z.string(), position: logoPositionSchema, width: z.number().int().positive(), height: z.number().int().positive() })
    .nullable(),
  /** What the slate says while the DJ is away (programs requested before the slate existed have none). */
  slate: z.object({ organizationName: z.string(), message: z.string() }).default({ organizationName: '', message: '' }),
  /** The automated VJ's settings from the branding (programs requested before they existed have the defaults). */
  vj: vjSettingsSchema.default(DEFAULT_VJ_SETTINGS),
});
export type TranscodeJob = z.infer<typeof transcodeJobSchema>;

/** Job name ↔ payload, paired at compile time. */
export interface TranscodeJobs {
  'run-broadcast': TranscodeJob;
}
