import { z } from 'zod';

/**
 * The services of StreamCaster. Every command names the one that answers it (its owner), so that a
 * caller can say "the publisher service is not available" instead of repeating the bus's own text.
 */
export const serviceNameSchema = z.enum(['gateway', 'publisher', 'transcoder', 'recorder', 'stats']);
export type ServiceName = z.infer<typeof serviceNameSchema>;

/** Live and Test are separate all the way: ingest application, destinations, platform settings. */
export const environmentSchema = z.enum(['live', 'test']);
export type Environment = z.infer<typeof environmentSchema>;

/**
 * Broadcast lifecycle. `starting`: created, waiting for the program stream; `live`: program up;
 * `interrupted`: the DJ dropped and the grace period runs; `ending`: relays and encoder being stopped.
 */
export const broadcastStateSchema = z.enum(['starting', 'live', 'interrupted', 'ending', 'ended', 'failed']);
export type BroadcastState = z.infer<typeof broadcastStateSchema>;

/**
 * The one definition of "this broadcast still runs": it wants its program, relays and recording.
 * `ending` does not: everything is being wound down.
 */
export const RUNNING_BROADCAST_STATES: readonly BroadcastState[] = ['starting', 'live', 'interrupted'];
export function broadcastRuns(state: BroadcastState): boolean {
  return RUNNING_BROADCAST_STATES.includes(state);
}

/**
 * One relay per destination; `reconnecting` means the relay died and waits for its backoff; `failed`
 * means it cannot run at all (its stream key cannot be read) and says why in `lastError`.
 */
export const relayStateSchema = z.enum(['pending', 'connecting', 'live', 'reconnecting', 'stopped', 'failed']);
export type RelayState = z.infer<typeof relayStateSchema>;

/**
 * Where a destination sends the program. `rtmp`: any RTMP(S) URL and key typed by hand (Instagram,
 * TikTok, X, a club's own server). The others are driven through the platform's own API: StreamCaster
 * creates the broadcast there, gets the ingest from it and asks it whether it really receives.
 */
export const platformSchema = z.enum(['rtmp', 'youtube', 'twitch', 'facebook', 'kick']);
export type Platform = z.infer<typeof platformSchema>;

/** The platforms reached through their API, each with an account connected by OAuth. */
export const apiPlatformSchema = z.enum(['youtube', 'twitch', 'facebook', 'kick']);
export type ApiPlatform = z.infer<typeof apiPlatformSchema>;
export function isApiPlatform(platform: Platform): platform is ApiPlatform {
  return platform !== 'rtmp';
}

/**
 * What the platform itself says about a destination's broadcast (besides the relay's own state):
 * `creating` (API calls under way), `ready` (created, ingest known), `waiting-for-data` (the relay
 * may send, the platform does not see it yet), `live` (on air), `testing` (receiving, private, Test),
 * `complete` (ended there), `error` (the platform refused; the reason says why).
 */
export const platformStateSchema = z.enum(['creating', 'ready', 'waiting-for-data', 'live', 'testing', 'complete', 'error']);
export type PlatformState = z.infer<typeof platformStateSchema>;

/** Who may watch a platform broadcast of the Live environment (Test is always private). */
export const platformPrivacySchema = z.enum(['public', 'unlisted', 'private']);
export type PlatformPrivacy = z.infer<typeof platformPrivacySchema>;

export const logoPositionSchema = z.enum(['top-left', 'top-right', 'bottom-left', 'bottom-right']);
export type LogoPosition = z.infer<typeof logoPositionSchema>;

export const encoderKindSchema = z.enum(['nvenc', 'vaapi', 'qsv', 'libx264']);
export type EncoderKind = z.infer<typeof encoderKindSchema>;

/** How a DJ sends: RTMP to nginx-rtmp (OBS, picture and sound), or Icecast (Traktor, sound only). */
export const ingestProtocolSchema = z.enum(['rtmp', 'icecast']);
export type IngestProtocol = z.infer<typeof ingestProtocolSchema>;

/** The one Icecast listener the gateway's hook lets in: the transcoder, reading a Traktor DJ's sound. */
export const ICECAST_READER_USER = 'streamcaster';

/**
 * Where a DJ's stream can be read from inside. RTMP: `<app>/<streamName>` in nginx-rtmp, the name being
 * the DJ's id (on_publish renamed it away from the secret key). Icecast: the mount `/<app>/<streamName>`,
 * the name being the DJ's slug (the mount Traktor was given), read with StreamCaster's reader credentials.
 */
export const ingestStreamSchema = z.object({
  app: environmentSchema,
  streamName: z.string().min(1),
  /** Absent means RTMP (and events and jobs written before Icecast existed have none). */
  protocol: ingestProtocolSchema.optional(),
});
export type IngestStream = z.infer<typeof ingestStreamSchema>;

/** Errors that cross the bus: the gateway maps `code` to an HTTP status, `message` goes to the user. */
export const busErrorCodeSchema = z.enum(['invalid', 'not_found', 'conflict', 'unavailable']);
export type BusErrorCode = z.infer<typeof busErrorCodeSchema>;
export const busErrorSchema = z.object({ code: busErrorCodeSchema, message: z.string() });
export type BusError = z.infer<typeof busErrorSchema>;
