import { z } from 'zod';
import { environmentSchema } from '../domain.js';

/**
 * The dashboard's live channel: one WebSocket at `/api/live` on the gateway. The client signs in with
 * its first message (browsers cannot set headers on a WebSocket, and a token in the URL would land in
 * access logs), then subscribes to topics; for each it gets the current state at once, then changes.
 *
 * Topics:
 * - `broadcasts:<environment>`: the running broadcasts of Live or Test (`BroadcastView[]`);
 * - `broadcast:<id>`: one broadcast (`BroadcastView`), its destinations' states among it;
 * - `stats:<id>`: one broadcast's stats (`BroadcastStats`), at most once a second;
 * - `host`: the machine (`HostStats`), at most once a second.
 */

export const LIVE_CHANNEL_PATH = '/api/live';

/** Close codes (4000–4999 are the application's own). */
export const LIVE_CLOSE = {
  /** No sign-in within the time allowed, a token that is invalid, or one that expired. */
  unauthorized: 4401,
  /** A topic the caller's role may not see (a dj user and another DJ's broadcast, say). */
  forbidden: 4403,
  /** A message that is not JSON or breaks this protocol. */
  badMessage: 4400,
  /** The client read too slowly and its send buffer filled: dropped so that the others are not slowed. */
  tooSlow: 4408,
  /** The gateway is shutting down; reconnect (to another replica). */
  goingAway: 1001,
  /** A frame larger than LIVE_MAX_CLIENT_MESSAGE_BYTES (the WebSocket standard's code). */
  tooLarge: 1009,
} as const;

/** Largest frame a client may send; subscriptions are short. */
export const LIVE_MAX_CLIENT_MESSAGE_BYTES = 4096;
/** The gateway pings every this often; a client that has not answered the previous ping is closed. */
export const LIVE_HEARTBEAT_MS = 15_000;
/** Time to send `auth` after connecting. */
export const LIVE_AUTH_TIMEOUT_MS = 5_000;

const uuid = z.uuid();

export type LiveTopic =
  | { kind: 'broadcasts'; environment: z.infer<typeof environmentSchema> }
  | { kind: 'broadcast'; broadcastId: string }
  | { kind: 'stats'; broadcastId: string }
  | { kind: 'host' };

/** `broadcasts:live` → `{ kind: 'broadcasts', environment: 'live' }`; null for anything else. */
export function parseLiveTopic(topic: string): LiveTopic | null {
  if (topic === 'host') return { kind: 'host' };
  const separator = topic.indexOf(':');
  if (separator < 0) return null;
  const kind = topic.slice(0, separator);
  const argument = topic.slice(separator + 1);
  if (kind === 'broadcasts') {
    const environment = environmentSchema.safeParse(argument);
    return environment.success ? { kind, environment: environment.data } : null;
  }
  if ((kind === 'broadcast' || kind === 'stats') && uuid.safeParse(argument).success) return { kind, broadcastId: argument.toLowerCase() };
  return null;
}

export function formatLiveTopic(topic: LiveTopic): string {
  switch (topic.kind) {
    case 'host':
      return 'host';
    case 'broadcasts':
      return `broadcasts:${topic.environment}`;
    default:
      return `${topic.kind}:${topic.broadcastId}`;
  }
}

export const liveTopicSchema = z
  .string()
  .max(100)
  .refine((topic) => parseLiveTopic(topic) !== null, { message: 'topic must be broadcasts:<live|test>, broadcast:<id>, stats:<id> or host' });

/** What a client sends. `auth` again, with a renewed token, before the old one expires. */
export const liveClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), token: z.string().min(1).max(2048) }),
  z.strictObject({ type: z.literal('subscribe'), topic: liveTopicSchema }),
  z.strictObject({ type: z.literal('unsubscribe'), topic: liveTopicSchema }),
]);
export type LiveClientMessage = z.output<typeof liveClientMessageSchema>;

/**
 * What the gateway sends. `data` carries a topic's whole current state (never a diff), so that a
 * client that missed one simply takes the next; `data` is the topic's type (see above) and is parsed
 * by the client with that type's schema.
 */
export const liveServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), user: z.object({ id: z.uuid(), role: z.string() }), expiresAt: z.iso.datetime() }),
  z.object({ type: z.literal('data'), topic: z.string(), at: z.iso.datetime(), data: z.unknown() }),
  /** A topic the caller may see but that does not exist (an unknown broadcast id). */
  z.object({ type: z.literal('error'), topic: z.string().optional(), message: z.string() }),
]);
export type LiveServerMessage = z.output<typeof liveServerMessageSchema>;
