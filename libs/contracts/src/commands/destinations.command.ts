import { z } from 'zod';
import { defineCommand } from '../envelope.js';
import { environmentSchema, platformSchema } from '../domain.js';

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
  url: z.string(),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type DestinationView = z.infer<typeof destinationViewSchema>;

export const destinationCreateSchema = z.object({
  environment: environmentSchema,
  platform: platformSchema,
  name: z.string().trim().min(1, 'name must not be empty').max(100, 'name is longer than 100 characters'),
  url: destinationUrlSchema,
  streamKey: streamKeySchema,
  enabled: z.boolean().default(true),
});

export const destinationPatchSchema = destinationCreateSchema
  .omit({ environment: true, platform: true, enabled: true })
  .partial()
  .extend({ enabled: z.boolean().optional() });

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
