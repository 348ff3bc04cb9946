import { textRefusal } from '@streamcaster/contracts';
import type { PlatformBroadcaster, PlatformCallContext, PlatformObservation, PlatformRefs, PreparedIngest, SaveRefs } from '../platform-adapter.js';
import { PlatformError } from '../platform-error.js';
import type { FacebookGraph } from './facebook-graph.js';

/** `LiveVideo.status` as Graph reads it (`BroadcastStatus`); `LIVE_NOW` is written, `LIVE` read. */
type BroadcastStatus = 'UNPUBLISHED' | 'LIVE' | 'LIVE_STOPPED' | 'PROCESSING' | 'VOD' | string;

interface LiveVideoNode {
  id?: string;
  title?: string;
  description?: string;
  status?: BroadcastStatus;
  creation_time?: string;
  secure_stream_url?: string;
  stream_url?: string;
  permalink_url?: string;
  live_views?: number;
  ingest_streams?: IngestStream[] | { data?: IngestStream[] };
}

interface IngestStream {
  stream_health?: unknown;
}

const ENDED: ReadonlySet<string> = new Set(['LIVE_STOPPED', 'PROCESSING', 'VOD']);
/** How far Facebook's clock may be from ours when a live video created before a crash is looked for. */
const CLOCK_SLACK_MS = 5 * 60_000;

/**
 * A page's live video: created with `LIVE_NOW` (Live: it goes on the page as soon as data arrives)
 * or `UNPUBLISHED` (Test: a preview nobody else sees), pushed to over RTMPS, confirmed through its
 * ingest streams' health, and ended with `end_live_video`. The context's token is the page's.
 *
 * Refs: `createRequestedAt` is saved before the creation call and `liveVideoId` right after it, so
 * that a crash or a lost answer in between finds the video created then instead of making another.
 */
export class FacebookBroadcaster implements PlatformBroadcaster {
  constructor(private readonly graph: FacebookGraph) {}

  async prepare(context: PlatformCallContext, refs: PlatformRefs, saveRefs: SaveRefs): Promise<PreparedIngest> {
    const refusal = textRefusal('facebook', { title: context.title, description: context.description });
    if (refusal) throw new PlatformError('facebook', 'refused', refusal);
    let current = { ...refs };
    let id: string | undefined = current['liveVideoId'];
    if (!id && current['createRequestedAt']) {
      id = await this.findCreated(context, current['createRequestedAt']);
      if (id) {
        current = { ...current, liveVideoId: id };
        await saveRefs(current);
      }
    }
    if (!id) {
      current = { ...current, createRequestedAt: new Date().toISOString() };
      await saveRefs(current);
      const created = await this.graph.call<LiveVideoNode>('creating the live video', {
        method: 'POST',
        path: `${context.externalId}/live_videos`,
        token: context.accessToken,
        form: { title: context.title, description: context.description, status: context.environment === 'test' ? 'UNPUBLISHED' : 'LIVE_NOW' },
        signal: context.signal,
      });
      if (!created?.id) throw new PlatformError('facebook', 'transient', 'Facebook (creating the live video): the answer has no id');
      id = created.id;
      current = { ...current, liveVideoId: id };
      await saveRefs(current);
    }
    const video = await this.read(context, id, 'status,secure_stream_url,permalink_url');
    if (video.status && ENDED.has(video.status)) {
      throw new PlatformError('facebook', 'refused', `live video ${id} has already ended on Facebook (${video.status}); it cannot take a stream again`);
    }
    const pushUrl = video.secure_stream_url ?? (video.stream_url?.startsWith('rtmps://') ? video.stream_url : undefined);
    if (!pushUrl) throw new PlatformError('facebook', 'refused', `live video ${id} has no RTMPS ingest address, and Facebook takes RTMPS only`);
    return { pushUrl, secret: pushUrl.slice(pushUrl.lastIndexOf('/') + 1), watchUrl: watchUrlOf(video.permalink_url) };
  }

  async observe(context: PlatformCallContext, refs: PlatformRefs): Promise<PlatformObservation> {
    const video = await this.read(context, this.idOf(refs), 'status,live_views,ingest_streams');
    const streams = Array.isArray(video.ingest_streams) ? video.ingest_streams : (video.ingest_streams?.data ?? []);
    const receiving = streams.some((stream) => stream.stream_health !== undefined && stream.stream_health !== null);
    const status = video.status ?? '';
    let onAir: PlatformObservation['onAir'] = null;
    if (ENDED.has(status)) onAir = 'complete';
    // A live video that Facebook calls LIVE is public, whatever StreamCaster asked for: say so.
    else if (status === 'LIVE') onAir = 'live';
    else if (context.environment === 'test' && status === 'UNPUBLISHED' && receiving) onAir = 'testing';
    return { receiving, onAir, viewers: status === 'LIVE' ? (video.live_views ?? 0) : null };
  }

  /** `LIVE_NOW` goes live by itself once data arrives; an `UNPUBLISHED` preview stays one. */
  async goOnAir(): Promise<void> {}

  async updateText(context: PlatformCallContext, refs: PlatformRefs, text: { title?: string; description?: string }): Promise<void> {
    const refusal = textRefusal('facebook', text);
    if (refusal) throw new PlatformError('facebook', 'refused', refusal);
    if (text.title === undefined && text.description === undefined) return;
    await this.graph.call('changing the title', {
      method: 'POST',
      path: this.idOf(refs),
      token: context.accessToken,
      form: { title: text.title, description: text.description },
      signal: context.signal,
    });
  }

  async end(context: PlatformCallContext, refs: PlatformRefs): Promise<void> {
    const id = refs['liveVideoId'] ?? (refs['createRequestedAt'] ? await this.findCreated(context, refs['createRequestedAt']) : undefined);
    if (!id) return;
    if (await this.ended(context, id)) return;
    try {
      await this.graph.call('ending the live video', { method: 'POST', path: id, token: context.accessToken, form: { end_live_video: 'true' }, signal: context.signal });
    } catch (error) {
      // Ended in the meantime (by the page, or by an earlier call whose answer was lost): done.
      if (error instanceof PlatformError && error.kind === 'refused' && (await this.ended(context, id))) return;
      throw error;
    }
  }

  private idOf(refs: PlatformRefs): string {
    const id = refs['liveVideoId'];
    if (!id) throw new PlatformError('facebook', 'refused', 'no Facebook live video was created for this broadcast');
    return id;
  }

  private async read(context: PlatformCallContext, id: string, fields: string): Promise<LiveVideoNode> {
    const video = await this.graph.call<LiveVideoNode>('reading the live video', { path: id, token: context.accessToken, query: { fields }, signal: context.signal });
    return video ?? {};
  }

  private async ended(context: PlatformCallContext, id: string): Promise<boolean> {
    return ENDED.has((await this.read(context, id, 'status')).status ?? '');
  }

  /**
   * The live video a creation call made before its answer was lost (a crash, a timeout, a 500 after
   * the work): the page's newest one that has not ended, with this title and description, created
   * since the call was made.
   */
  private async findCreated(context: PlatformCallContext, requestedAt: string): Promise<string | undefined> {
    const since = Date.parse(requestedAt) - CLOCK_SLACK_MS;
    const answer = await this.graph.call<{ data?: LiveVideoNode[] }>('looking for the live video created before', {
      path: `${context.externalId}/live_videos`,
      token: context.accessToken,
      query: { fields: 'id,title,description,status,creation_time', limit: 25 },
      signal: context.signal,
    });
    const found = (answer?.data ?? []).find(
      (video) =>
        video.id !== undefined &&
        video.title === context.title &&
        (video.description ?? '') === context.description &&
        !ENDED.has(video.status ?? '') &&
        graphTime(video.creation_time) >= since,
    );
    return found?.id;
  }
}

/** Facebook's permalinks are relative (`/{page}/videos/{id}/`). */
function watchUrlOf(permalink: string | undefined): string | null {
  if (!permalink) return null;
  return permalink.startsWith('/') ? `https://www.facebook.com${permalink}` : permalink;
}

/** Graph's `2025-06-01T20:00:00+0000` (no colon in the offset) as epoch ms; NaN when absent. */
function graphTime(value: string | undefined): number {
  if (!value) return Number.NaN;
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}
