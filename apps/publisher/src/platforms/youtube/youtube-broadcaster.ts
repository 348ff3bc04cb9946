import type { MethodOptions, youtube_v3 } from '@googleapis/youtube';
import type { PublisherConfig } from '../../config/publisher.config.js';
import type { PlatformBroadcaster, PlatformCallContext, PlatformObservation, PlatformRefs, PreparedIngest, SaveRefs } from '../platform-adapter.js';
import { isPlatformError, PlatformError } from '../platform-error.js';
import type { YouTubeClientFactory } from './youtube-client.js';
import { youtubeApiError } from './youtube-errors.js';
import { YOUTUBE_UNIT_COSTS, type QuotaLedger, type YouTubeMethod } from './youtube-quota.js';
import {
  BROADCAST_PARTS,
  broadcastResource,
  isPlannedBroadcast,
  onAirOf,
  plannedStartAt,
  pushTarget,
  snippetUpdate,
  STREAM_PARTS,
  REUSABLE_STREAM_TITLE,
  streamResource,
  viewersOf,
  watchUrl,
} from './youtube-requests.js';

/**
 * The refs a YouTube destination keeps, each saved as soon as it is true: `plannedStart` (before the
 * insert, to find the broadcast again if the insert's answer is lost), `broadcastId`, `streamId`,
 * `bound` ('true' once the stream is bound to the broadcast).
 */
type RefName = 'plannedStart' | 'broadcastId' | 'streamId' | 'bound';

/** lifeCycleStatus values from which a transition to `target` is under way or done. */
const REACHED: Record<'live' | 'testing', string[]> = {
  live: ['liveStarting', 'live'],
  testing: ['testStarting', 'testing'],
};

/**
 * A YouTube broadcast per destination: `liveBroadcasts.insert`, the channel's reusable stream (found
 * by its title, inserted once per channel) and `bind`; then `transition` to `live` (or `testing` in Test) once YouTube
 * receives, and to `complete` at the end. Every call is charged to the account's quota ledger
 * first. Units per broadcast hour, with the publisher's polling (every second until confirmed,
 * then every 30 s): 101 to prepare (151 the first time on a channel), 51 to go on air, 51 to end, 2 a poll while live (stream status
 * and `videos.list`, which says both that it is live and how many watch): about 500 in all.
 */
export class YouTubeBroadcaster implements PlatformBroadcaster {
  constructor(
    private readonly config: PublisherConfig,
    private readonly quota: QuotaLedger,
    private readonly clientFor: YouTubeClientFactory,
  ) {}

  async prepare(context: PlatformCallContext, given: PlatformRefs, saveRefs: SaveRefs): Promise<PreparedIngest> {
    let refs: PlatformRefs = { ...given };
    const ref = (name: RefName): string | undefined => refs[name] || undefined;
    const save = async (changes: Partial<Record<RefName, string>>, forget: RefName[] = []): Promise<void> => {
      const kept = Object.fromEntries(Object.entries(refs).filter(([name]) => !forget.includes(name as RefName)));
      refs = { ...kept, ...changes };
      await saveRefs(refs);
    };

    if (!ref('broadcastId')) {
      const plannedStart = ref('plannedStart');
      const adopted = plannedStart ? await this.findPlannedBroadcast(context, plannedStart) : undefined;
      if (adopted !== undefined) {
        await save({ broadcastId: adopted });
      } else {
        const start = plannedStart ?? plannedStartAt(new Date());
        if (!plannedStart) await save({ plannedStart: start });
        const broadcast = await this.call(context, 'liveBroadcasts.insert', (api, options) =>
          api.liveBroadcasts.insert({ part: BROADCAST_PARTS, requestBody: broadcastResource(context, start) }, options),
        );
        await save({ broadcastId: required(broadcast.id, 'the new broadcast has no id') });
      }
    }
    const broadcastId = required(ref('broadcastId'), 'no broadcast id');

    const keptStreamId = ref('streamId');
    let stream = keptStreamId ? await this.findStream(context, keptStreamId) : undefined;
    // The channel's reusable ingest (1 unit to find, where inserting costs 50); also the one an
    // interrupted attempt created before its id was saved.
    stream ??= await this.findReusableStream(context);
    stream ??= await this.call(context, 'liveStreams.insert', (api, options) => api.liveStreams.insert({ part: STREAM_PARTS, requestBody: streamResource() }, options));
    const streamId = required(stream.id, 'the stream has no id');
    // A new stream (the kept one was deleted on YouTube, say) has to be bound anew.
    if (streamId !== keptStreamId) await save({ streamId }, ['bound']);

    if (ref('bound') !== 'true') {
      await this.call(context, 'liveBroadcasts.bind', (api, options) => api.liveBroadcasts.bind({ id: broadcastId, streamId, part: ['id', 'contentDetails'] }, options));
      await save({ bound: 'true' });
    }

    const target = pushTarget(stream);
    if (target === undefined) throw new PlatformError('youtube', 'transient', 'YouTube (reading the stream): the stream has no ingestion address yet');
    return { ...target, watchUrl: watchUrl(broadcastId) };
  }

  /**
   * Two units a poll where it can: the stream's status, then (Live, receiving) `videos.list`, whose
   * start and end times say whether it is live and which carries the viewers. Otherwise the
   * broadcast's lifeCycleStatus says where it stands (and `videos.list` follows if it is live).
   */
  async observe(context: PlatformCallContext, refs: PlatformRefs, relayLive: boolean): Promise<PlatformObservation> {
    const { broadcastId, streamId } = this.created(refs);
    const streams = await this.call(context, 'liveStreams.list', (api, options) => api.liveStreams.list({ part: ['status'], id: [streamId] }, options));
    const stream = streams.items?.[0];
    if (stream === undefined) throw notFound('reading the stream', 'the stream no longer exists on YouTube (it was deleted, in YouTube Studio perhaps)');
    const receiving = stream.status?.streamStatus === 'active';
    const note = relayLive && !receiving ? 'sending; YouTube does not see the stream yet' : undefined;

    if (context.environment === 'live' && receiving) {
      const details = await this.liveDetails(context, broadcastId);
      if (details?.actualEndTime) return { receiving, onAir: 'complete', viewers: null };
      if (details?.actualStartTime) return { receiving, onAir: 'live', viewers: viewersOf(details) };
    }
    const onAir = onAirOf((await this.broadcast(context, broadcastId, 'status')).status?.lifeCycleStatus);
    const viewers = onAir === 'live' ? viewersOf(await this.liveDetails(context, broadcastId)) : null;
    return { receiving, onAir, viewers, ...(note ? { note } : {}) };
  }

  /**
   * Looks first (1 unit), so that a poll during `liveStarting` does not pay for a transition that is
   * already under way; a repeated transition YouTube calls redundant is success all the same.
   */
  async goOnAir(context: PlatformCallContext, refs: PlatformRefs): Promise<void> {
    const { broadcastId } = this.created(refs);
    const target = context.environment === 'test' ? 'testing' : 'live';
    const status = (await this.broadcast(context, broadcastId, 'status')).status?.lifeCycleStatus ?? '';
    if (REACHED[target].includes(status)) return;
    if (onAirOf(status) === 'complete') throw new PlatformError('youtube', 'refused', 'YouTube (changing the broadcast\'s status): the broadcast has already ended', { code: status });
    try {
      await this.call(context, 'liveBroadcasts.transition', (api, options) => api.liveBroadcasts.transition({ id: broadcastId, broadcastStatus: target, part: ['status'] }, options));
    } catch (error) {
      if (isPlatformError(error) && error.details.code === 'redundantTransition') return;
      throw error;
    }
  }

  async updateText(context: PlatformCallContext, refs: PlatformRefs, text: { title?: string; description?: string }): Promise<void> {
    if (text.title === undefined && text.description === undefined) return;
    const { broadcastId } = this.created(refs);
    const current = (await this.broadcast(context, broadcastId, 'snippet')).snippet ?? {};
    await this.call(context, 'liveBroadcasts.update', (api, options) =>
      api.liveBroadcasts.update({ part: ['snippet'], requestBody: snippetUpdate(broadcastId, current, text) }, options),
    );
  }

  /**
   * A broadcast that went on air is completed; one that never started is deleted, so that no empty
   * upcoming broadcast stays on the channel. Already ended or gone: nothing to do.
   */
  async end(context: PlatformCallContext, refs: PlatformRefs): Promise<void> {
    const broadcastId = refs['broadcastId'];
    if (!broadcastId) return;
    const found = await this.call(context, 'liveBroadcasts.list', (api, options) => api.liveBroadcasts.list({ part: ['status'], id: [broadcastId] }, options));
    const status = found.items?.[0]?.status?.lifeCycleStatus;
    if (status === undefined || status === null) return;
    if (['complete', 'completeStarting', 'revoked', 'abandoned', 'reclaimed'].includes(status)) return;
    try {
      if (status === 'created' || status === 'ready') {
        await this.call(context, 'liveBroadcasts.delete', (api, options) => api.liveBroadcasts.delete({ id: broadcastId }, options));
      } else {
        await this.call(context, 'liveBroadcasts.transition', (api, options) =>
          api.liveBroadcasts.transition({ id: broadcastId, broadcastStatus: 'complete', part: ['status'] }, options),
        );
      }
    } catch (error) {
      if (isPlatformError(error) && (error.details.code === 'redundantTransition' || error.details.code === 'liveBroadcastNotFound')) return;
      throw error;
    }
  }

  /** One Data API call: charged first (YouTube charges failed calls too), never retried here. */
  private async call<T>(
    context: PlatformCallContext,
    method: YouTubeMethod,
    run: (api: youtube_v3.Youtube, options: MethodOptions) => Promise<{ data: T }>,
  ): Promise<T> {
    await this.quota.spend(context.accountId, method, YOUTUBE_UNIT_COSTS[method]);
    let data: T;
    try {
      ({ data } = await run(await this.clientFor(context.accessToken), { retry: false, timeout: this.config.platformRequestTimeoutMs, signal: context.signal }));
    } catch (error) {
      if (context.signal.aborted) throw error;
      throw youtubeApiError(method, error, this.config.platformRequestTimeoutMs);
    }
    // A delete answers 204 with no body; anything else must be the API's JSON (googleapis hands a
    // 200 page from a proxy over as a string).
    if (!method.endsWith('.delete') && (typeof data !== 'object' || data === null)) {
      throw new PlatformError('youtube', 'transient', `YouTube (${method}): the answer was not the API's JSON`);
    }
    return data;
  }

  private async broadcast(context: PlatformCallContext, broadcastId: string, part: 'status' | 'snippet'): Promise<youtube_v3.Schema$LiveBroadcast> {
    const found = await this.call(context, 'liveBroadcasts.list', (api, options) => api.liveBroadcasts.list({ part: [part], id: [broadcastId] }, options));
    const broadcast = found.items?.[0];
    if (broadcast === undefined) throw notFound('reading the broadcast', 'the broadcast no longer exists on YouTube (it was deleted, in YouTube Studio perhaps)');
    return broadcast;
  }

  private async liveDetails(context: PlatformCallContext, broadcastId: string): Promise<youtube_v3.Schema$VideoLiveStreamingDetails | undefined> {
    const videos = await this.call(context, 'videos.list', (api, options) => api.videos.list({ part: ['liveStreamingDetails'], id: [broadcastId] }, options));
    return videos.items?.[0]?.liveStreamingDetails ?? undefined;
  }

  /**
   * The broadcast an earlier attempt inserted before its id could be saved: not started, with this
   * title and planned start. `broadcastStatus` is one of the list's exclusive filters, and "upcoming"
   * keeps the answer short.
   */
  private async findPlannedBroadcast(context: PlatformCallContext, plannedStart: string): Promise<string | undefined> {
    const found = await this.call(context, 'liveBroadcasts.list', (api, options) =>
      api.liveBroadcasts.list({ part: ['snippet', 'status'], broadcastStatus: 'upcoming', maxResults: 50 }, options),
    );
    return found.items?.find((broadcast) => isPlannedBroadcast(broadcast, context.title, plannedStart))?.id ?? undefined;
  }

  private async findStream(context: PlatformCallContext, streamId: string): Promise<youtube_v3.Schema$LiveStream | undefined> {
    const found = await this.call(context, 'liveStreams.list', (api, options) => api.liveStreams.list({ part: STREAM_PARTS, id: [streamId] }, options));
    return found.items?.[0];
  }

  /**
   * The channel's reusable StreamCaster ingest that nothing sends to now. One that is `active` is in
   * use (the same channel in another destination, or a set still ending): another is made instead.
   */
  private async findReusableStream(context: PlatformCallContext): Promise<youtube_v3.Schema$LiveStream | undefined> {
    const found = await this.call(context, 'liveStreams.list', (api, options) =>
      api.liveStreams.list({ part: [...STREAM_PARTS, 'status'], mine: true, maxResults: 50 }, options),
    );
    return found.items?.find((stream) => stream.snippet?.title === REUSABLE_STREAM_TITLE && stream.status?.streamStatus !== 'active');
  }

  private created(refs: PlatformRefs): { broadcastId: string; streamId: string } {
    const broadcastId = refs['broadcastId'];
    const streamId = refs['streamId'];
    if (!broadcastId || !streamId) throw new PlatformError('youtube', 'refused', 'YouTube: the broadcast was not prepared (no broadcast or stream id)');
    return { broadcastId, streamId };
  }
}

function required(value: string | null | undefined, what: string): string {
  if (!value) throw new PlatformError('youtube', 'transient', `YouTube: ${what}`);
  return value;
}

function notFound(action: string, words: string): PlatformError {
  return new PlatformError('youtube', 'refused', `YouTube (${action}): ${words}`, { status: 404 });
}
