import { LIVE_CLOSE, type BroadcastView, type LiveTopic, type Role } from '@streamcaster/contracts';

/** Who is on the other end of a live socket, as the database said at its last `auth`. */
export interface LiveUser {
  id: string;
  role: Role;
  /** Set exactly for role dj. */
  djId: string | null;
}

export type TopicAccess =
  | { kind: 'allowed' }
  /** The role may not see it: the socket is closed with `code`. */
  | { kind: 'forbidden'; code: typeof LIVE_CLOSE.forbidden; reason: string }
  /** A broadcast that does not exist: an `error` message, the socket stays open. */
  | { kind: 'unknown'; message: string };

/** Finds a broadcast by id (null when there is none), for the topics that name one. */
export type BroadcastLookup = (broadcastId: string) => Promise<BroadcastView | null>;

const forbidden = (reason: string): TopicAccess => ({ kind: 'forbidden', code: LIVE_CLOSE.forbidden, reason });

/**
 * The REST API's rules on the live channel: every role sees the running broadcasts of an environment
 * (a dj user only its DJ's, see `scopeTopicData`); one broadcast and its stats only if the caller may
 * see that broadcast; the host only admins and operators. Unlike REST (which answers a dj user 404 for
 * another DJ's broadcast), the channel closes with 4403, so that a client bug shows at once.
 */
export async function authorizeTopic(user: LiveUser, topic: LiveTopic, findBroadcast: BroadcastLookup): Promise<TopicAccess> {
  switch (topic.kind) {
    case 'broadcasts':
      return { kind: 'allowed' };
    case 'host':
      return user.role === 'dj' ? forbidden('role dj may not see the host') : { kind: 'allowed' };
    case 'broadcast':
    case 'stats': {
      const broadcast = await findBroadcast(topic.broadcastId);
      if (!broadcast) return { kind: 'unknown', message: `no broadcast with id ${topic.broadcastId}` };
      if (user.role === 'dj' && broadcast.djId !== user.djId) return forbidden('this broadcast belongs to another DJ');
      return { kind: 'allowed' };
    }
  }
}

/** What of a topic's state a user gets: a dj user's list of broadcasts holds only its DJ's. */
export function scopeTopicData(user: LiveUser, topic: LiveTopic, data: unknown): unknown {
  if (topic.kind !== 'broadcasts' || user.role !== 'dj') return data;
  return (data as BroadcastView[]).filter((broadcast) => broadcast.djId === user.djId);
}
