import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { environmentSchema, ingestStreamSchema } from '../domain.js';

/**
 * The DJ's source announced a new track in its own metadata (Traktor's Vorbis comments, an MP3
 * source's `/admin/metadata`), as Icecast reports it. The gateway only knows the DJ's connection: the
 * publisher finds the broadcast running on it and adds the track to its tracklist (then
 * `broadcast.track-changed`). The transcoder that reads this stream hears it as a hint and draws the
 * title straight away, a hop sooner than the tracklist's event.
 */
export const IngestTrackChanged = defineEvent(
  'ingest.track-changed.v1',
  z.object({
    ingestId: z.uuid(),
    environment: environmentSchema,
    djId: z.uuid(),
    /** Where the DJ is read from: a transcoder reading this stream draws the title at once (a hint). */
    stream: ingestStreamSchema,
    artist: z.string().nullable(),
    title: z.string().min(1),
    at: z.iso.datetime(),
  }),
);
