import type { youtube_v3 } from '@googleapis/youtube';
import type { PlatformCallContext, PlatformObservation } from '../platform-adapter.js';
import { PlatformError } from '../platform-error.js';

/**
 * The request bodies the YouTube adapter sends and the readings of YouTube's answers, kept apart
 * from the calls so that each is checked on its own.
 */

export const BROADCAST_PARTS = ['snippet', 'status', 'contentDetails'];
export const STREAM_PARTS = ['snippet', 'cdn'];

/**
 * The planned start, to the whole second: YouTube keeps `scheduledStartTime` to the second, so a
 * broadcast created with it is recognised by it after a crash.
 */
export function plannedStartAt(now: Date): string {
  return new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString();
}

/**
 * A new broadcast: StreamCaster starts and stops it itself (no auto start/stop). Test is always
 * private with the monitor stream on, since YouTube allows `testing` only with it; Live has it off,
 * so that the broadcast may go from `ready` straight to `live`.
 */
export function broadcastResource(
  context: Pick<PlatformCallContext, 'environment' | 'privacy' | 'title' | 'description'>,
  plannedStart: string,
): youtube_v3.Schema$LiveBroadcast {
  const test = context.environment === 'test';
  return {
    snippet: { title: context.title, description: context.description, scheduledStartTime: plannedStart },
    status: { privacyStatus: test ? 'private' : (context.privacy ?? 'public'), selfDeclaredMadeForKids: false },
    contentDetails: {
      enableAutoStart: false,
      enableAutoStop: false,
      monitorStream: { enableMonitorStream: test, broadcastStreamDelayMs: 0 },
    },
  };
}

/** The stream's title names its broadcast, so that a stream created just before a crash is found again. */
/**
 * The one ingest StreamCaster keeps on each channel and binds every broadcast to (YouTube streams are
 * reusable): found again by this title, so a channel gets one `liveStreams.insert` ever, not one per set.
 */
export const REUSABLE_STREAM_TITLE = 'StreamCaster ingest';

export function streamResource(): youtube_v3.Schema$LiveStream {
  return {
    snippet: { title: REUSABLE_STREAM_TITLE, description: 'The ingest StreamCaster binds its broadcasts to' },
    cdn: { ingestionType: 'rtmp', resolution: 'variable', frameRate: 'variable' },
  };
}

/**
 * `liveBroadcasts.update` overwrites every mutable property of the parts it names: the whole
 * snippet goes back, the current values where the edit leaves them.
 */
export function snippetUpdate(
  broadcastId: string,
  current: youtube_v3.Schema$LiveBroadcastSnippet,
  text: { title?: string; description?: string },
): youtube_v3.Schema$LiveBroadcast {
  return {
    id: broadcastId,
    snippet: {
      title: text.title ?? current.title,
      description: text.description ?? current.description ?? '',
      scheduledStartTime: current.scheduledStartTime,
      ...(current.scheduledEndTime ? { scheduledEndTime: current.scheduledEndTime } : {}),
    },
  };
}

/** The broadcast this adapter created for that title and planned start, not started yet. */
export function isPlannedBroadcast(broadcast: youtube_v3.Schema$LiveBroadcast, title: string, plannedStart: string): boolean {
  const start = broadcast.snippet?.scheduledStartTime;
  return (
    broadcast.snippet?.title === title &&
    typeof start === 'string' &&
    Date.parse(start) === Date.parse(plannedStart) &&
    ['created', 'ready'].includes(broadcast.status?.lifeCycleStatus ?? '')
  );
}

/** Where the relay pushes: the RTMPS ingestion address (RTMP where YouTube gives none) and the stream name. */
export function pushTarget(stream: youtube_v3.Schema$LiveStream): { pushUrl: string; secret: string } | undefined {
  const info = stream.cdn?.ingestionInfo;
  const server = info?.rtmpsIngestionAddress || info?.ingestionAddress;
  const key = info?.streamName;
  if (!server || !key) return undefined;
  return { pushUrl: `${server.replace(/\/+$/, '')}/${key}`, secret: key };
}

export function watchUrl(broadcastId: string): string {
  return `https://www.youtube.com/watch?v=${broadcastId}`;
}

/**
 * What a `lifeCycleStatus` means for the publisher. The states YouTube ends a broadcast in by
 * itself are refusals with the reason, so that the destination shows why it stopped.
 */
export function onAirOf(lifeCycleStatus: string | null | undefined): PlatformObservation['onAir'] {
  switch (lifeCycleStatus) {
    case 'live':
      return 'live';
    case 'testing':
      return 'testing';
    case 'complete':
    case 'completeStarting':
      return 'complete';
    case 'revoked':
      return gone('YouTube took the broadcast down (revoked; see YouTube Studio for why)', lifeCycleStatus);
    case 'abandoned':
      return gone('YouTube abandoned the broadcast (it was not started in time)', lifeCycleStatus);
    case 'reclaimed':
      return gone('YouTube reclaimed the broadcast; it can no longer be used', lifeCycleStatus);
    default:
      // created, ready, testStarting, liveStarting: not on air yet.
      return null;
  }
}

function gone(words: string, lifeCycleStatus: string): never {
  throw new PlatformError('youtube', 'refused', `YouTube (reading the broadcast): ${words}`, { code: lifeCycleStatus });
}

/**
 * `concurrentViewers` is a string, present while live "if the broadcast has current viewers and the
 * owner has not hidden the count": absent while live is read as nobody watching.
 */
export function viewersOf(details: youtube_v3.Schema$VideoLiveStreamingDetails | undefined): number {
  const viewers = Number(details?.concurrentViewers ?? 0);
  return Number.isFinite(viewers) && viewers >= 0 ? viewers : 0;
}
