import { z } from 'zod';
import { defineCommand } from '../envelope.js';

/**
 * Track text as it comes from DJ software or a source's metadata: control characters (a line break,
 * an escape sequence) become spaces, runs of spaces one, ends trimmed. What is still too long after
 * that is refused with its length, not cut, so that the sender learns it.
 */
export function cleanTrackText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

const trackText = (name: string, max: number) =>
  z
    .string({ error: `${name} must be a string` })
    .transform(cleanTrackText)
    .pipe(z.string().max(max, `${name} is longer than ${max} characters`));

/** `POST /api/broadcasts/:id/now-playing`: what the DJ plays now. */
export const nowPlayingSchema = z.strictObject({
  artist: trackText('artist', 200).optional(),
  title: trackText('title', 300).pipe(z.string().min(1, 'title must not be empty')),
});
export type NowPlaying = z.output<typeof nowPlayingSchema>;

/** Where a track title came from: the API (DJ software on RTMP), or the source's own metadata. */
export const trackSourceSchema = z.enum(['api', 'stream-metadata']);

export const trackViewSchema = z.object({
  broadcastId: z.uuid(),
  artist: z.string().nullable(),
  title: z.string(),
  source: trackSourceSchema,
  /** When it started to play (when StreamCaster heard of it). */
  startedAt: z.iso.datetime(),
});
export type TrackView = z.infer<typeof trackViewSchema>;

/** "Artist – Title", or the title alone: how a track is written on the picture and the slate. */
export function trackLine(track: { artist: string | null; title: string }): string {
  return track.artist ? `${track.artist} – ${track.title}` : track.title;
}

/** A new track of a running broadcast (the same as the current one changes nothing). */
export const SetNowPlaying = defineCommand(
  'publisher',
  'broadcasts.now-playing.v1',
  z.object({ broadcastId: z.uuid(), artist: z.string().nullable(), title: z.string().min(1), source: trackSourceSchema }),
  trackViewSchema,
);

/** The broadcast's tracklist, oldest first. */
export const ListTracks = defineCommand('publisher', 'broadcasts.tracks.v1', z.object({ broadcastId: z.uuid() }), z.array(trackViewSchema));
