import { z } from 'zod';

export const djCreateSchema = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(100, 'name is longer than 100 characters'),
});
export type DjCreate = z.input<typeof djCreateSchema>;

/** A DJ as the API shows it: never its stream key, which is stored hashed. */
export const djViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  keyRotatedAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  /** The name of the DJ's Icecast mounts, made from the name at creation and never changed. */
  slug: z.string(),
  /** The OBS server URLs (PUBLIC_RTMP_URL + /live, /test); the stream key goes in OBS's key field. */
  ingest: z.object({ live: z.string(), test: z.string() }),
  /**
   * Traktor's broadcasting settings (PUBLIC_ICECAST_URL): address, port, a mount per environment,
   * the user Icecast sources log in as. The password is the stream key, as for OBS.
   */
  icecast: z.object({
    host: z.string(),
    port: z.number().int(),
    user: z.literal('source'),
    mounts: z.object({ live: z.string(), test: z.string() }),
  }),
});
export type DjView = z.output<typeof djViewSchema>;

/** Answered once, at creation: the only time the key is shown (rotate-key shows the next one). */
export const djWithKeySchema = djViewSchema.extend({ streamKey: z.string() });
export type DjWithKey = z.output<typeof djWithKeySchema>;
export const rotatedKeySchema = z.object({ streamKey: z.string() });
