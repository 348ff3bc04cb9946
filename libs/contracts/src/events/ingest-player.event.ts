import { z } from 'zod';
import { defineEvent } from '../envelope.js';
import { environmentSchema } from '../domain.js';

const playerSchema = z.object({ app: environmentSchema, streamName: z.string().min(1) });

/**
 * An internal player (the transcoder) started or stopped playing a DJ's stream name in nginx-rtmp
 * (on_play / on_play_done). The gateway holds a DJ's publish until the transcoder listens, so that
 * the program starts with the DJ's very first frame.
 */
export const IngestPlayerAttached = defineEvent('ingest.player-attached.v1', playerSchema);
export const IngestPlayerDetached = defineEvent('ingest.player-detached.v1', playerSchema);
