import { z } from 'zod';
import { defineCommand } from '../envelope.js';
import { apiPlatformSchema, environmentSchema, platformPrivacySchema, platformSchema } from '../domain.js';
import { PLATFORM_RULES } from '../platforms/platform-rules.js';

/** RTMP(S) ingest URL of a platform; the stream key is appended as the last path segment. */
export const destinationUrlSchema = z
  .string()
  .trim()
  .refine((value) => /^rtmps?:\/\/[^/\s]+(\/\S*)?$/i.test(value), {
    message: 'url must be an rtmp:// or rtmps:// URL with a host, e.g. rtmps://live.example.com:443/app',
  });

export const streamKeySchema = z
  .string()
  .trim()
  .min(1, 'streamKey must not be empty')
  .max(512, 'streamKey is longer than 512 characters')
  .refine((value) => !/[\s/?#]/.test(value), { message: 'streamKey must not contain spaces, "/", "?" or "#"' });

/** A destination as the API shows it: the stream key never leaves the publisher. */
export const destinationViewSchema = z.object({
  id: z.uuid(),
  environment: environmentSchema,
  platform: platformSchema,
  name: z.string(),
  /** The RTMP(S) server of an `rtmp` destination; null for API platforms (they hand out their ingest). */
  url: z.string().nullable(),
  /** The connected account an API-platform destination streams as; null for `rtmp`. */
  accountId: z.uuid().nullable(),
  /** Who may watch it in Live (YouTube); null where the platform has no such setting. */
  privacy: platformPrivacySchema.nullable(),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type DestinationView = z.infer<typeof destinationViewSchema>;

const destinationNameSchema = z.string().trim().min(1, 'name must not be empty').max(100, 'name is longer than 100 characters');

/** Any RTMP(S) server with a key typed by hand (Instagram, TikTok, X, a club's own server). */
export const rtmpDestinationCreateSchema = z.object({
  environment: environmentSchema,
  platform: z.literal('rtmp'),
  name: destinationNameSchema,
  url: destinationUrlSchema,
  streamKey: streamKeySchema,
  enabled: z.boolean().default(true),
});

/** A platform driven through its API: no URL or key, the platform hands them out at every broadcast. */
export const apiDestinationCreateSchema = z.object({
  environment: environmentSchema,
  platform: apiPlatformSchema,
  name: destinationNameSchema,
  accountId: z.uuid({ message: 'accountId must be the id of a connected platform account' }),
  privacy: platformPrivacySchema.optional(),
  enabled: z.boolean().default(true),
});

export const destinationCreateSchema = z
  .discriminatedUnion('platform', [rtmpDestinationCreateSchema, apiDestinationCreateSchema], {
    error: () => 'platform must be one of rtmp, youtube, twitch, facebook, kick',
  })
  .superRefine((destination, context) => {
    const refusal = destination.environment === 'test' ? PLATFORM_RULES[destination.platform].noTestReason : null;
    if (refusal) context.addIssue({ code: 'custom', path: ['platform'], message: refusal });
  });
export type DestinationCreate = z.output<typeof destinationCreateSchema>;

/** Every field optional; `url` and `streamKey` only for `rtmp`, `privacy` only for API platforms. */
export const destinationPatchSchema = z.object({
  name: destinationNameSchema.optional(),
  url: destinationUrlSchema.optional(),
  streamKey: streamKeySchema.optional(),
  privacy: platformPrivacySchema.optional(),
  enabled: z.boolean().optional(),
});

export const CreateDestination = defineCommand('publisher', 'destinations.create.v1', destinationCreateSchema, destinationViewSchema);
export const ListDestinations = defineCommand(
  'publisher',
  'destinations.list.v1',
  z.object({ environment: environmentSchema.optional() }),
  z.array(destinationViewSchema),
);
export const UpdateDestination = defineCommand(
  'publisher',
  'destinations.update.v1',
  z.object({ id: z.uuid(), patch: destinationPatchSchema }),
  destinationViewSchema,
);
export const DeleteDestination = defineCommand('publisher', 'destinations.delete.v1', z.object({ id: z.uuid() }), z.object({ id: z.uuid() }));
