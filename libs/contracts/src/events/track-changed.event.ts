import { z } from 'zod';
import { defineEvent } from '../envelope.js';

/**
 * A broadcast plays a new track (publisher, durable, through its outbox): the transcoder draws it on
 * the picture and on the slate, the dashboard shows it.
 */
export const TrackChanged = defineEvent(
  'broadcast.track-changed.v1',
  z.object({ broadcastId: z.uuid(), artist: z.string().nullable(), title: z.string(), startedAt: z.iso.datetime() }),
);
