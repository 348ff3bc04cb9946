import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { RtmpSink } from '../rtmp-sink.js';
import { CallCounter, LoopbackPlatformFake, type PublishingStreams } from './fake-server.js';
import { OAuthAuthority, readBody, type OAuthClientRegistration } from './oauth-authority.js';

/** Scopes any one of which YouTube's live methods accept (each method's reference lists both). */
export const YOUTUBE_SCOPES = ['https://www.googleapis.com/auth/youtube', 'https://www.googleapis.com/auth/youtube.force-ssl'] as const;
const READ_SCOPES = [...YOUTUBE_SCOPES, 'https://www.googleapis.com/auth/youtube.readonly'];

/**
 * Quota units per call, from "Quota costs" (developers.google.com/youtube/v3/determine_quota_cost):
 * every list 1, every write 50.
 */
// Kept apart from the publisher's YOUTUBE_UNIT_COSTS on purpose: the fake must not share the product's belief about YouTube.
export const YOUTUBE_QUOTA_COSTS = {
  'channels.list': 1,
  'videos.list': 1,
  'liveBroadcasts.list': 1,
  'liveBroadcasts.insert': 50,
  'liveBroadcasts.update': 50,
  'liveBroadcasts.bind': 50,
  'liveBroadcasts.transition': 50,
  'liveBroadcasts.delete': 50,
  'liveStreams.list': 1,
  'liveStreams.insert': 50,
  'liveStreams.delete': 50,
} as const;
export type YouTubeMethod = keyof typeof YOUTUBE_QUOTA_COSTS;

export type LifeCycleStatus = 'created' | 'ready' | 'testing' | 'live' | 'complete';
export type StreamStatus = 'ready' | 'active' | 'inactive';

export interface YouTubeChannel {
  id: string;
  title: string;
  /**
   * False for a channel that has not enabled live streaming (YouTube Studio, then a 24-hour wait):
   * every live method answers 403 `liveStreamingNotEnabled`. True when left out.
   */
  liveStreamingEnabled?: boolean;
}

/**
 * An answer that the next call of a method gets instead of its result: a Google JSON error
 * (`backendError` 503, `rateLimitExceeded` 429 with `retryAfterSeconds`, ...), or `'html'`, the
 * HTML page that a Google front end or a proxy answers with when the API behind it is down.
 */
export type YouTubeFailure = { code: number; reason: string; message: string; domain?: string; retryAfterSeconds?: number } | 'html';

export interface YouTubeFakeOptions {
  /** Where the fake keeps its ingest's nginx configuration and recordings. */
  directory: string;
  /** The OAuth client that StreamCaster is configured with. */
  client: OAuthClientRegistration;
  /** Daily quota units of the project (10,000, YouTube's default allocation). */
  dailyQuota?: number;
  /** Access token lifetime in seconds (3600). */
  accessTokenLifetimeSeconds?: number;
  /** How often the ingest's /stat is read to decide whether a stream is active (250 ms). */
  ingestPollMs?: number;
}

export type YouTubeBroadcastRecord = Broadcast;

interface Broadcast {
  id: string;
  channelId: string;
  snippet: { title: string; description: string; scheduledStartTime: string; publishedAt: string; actualStartTime?: string; actualEndTime?: string };
  status: { privacyStatus: string; lifeCycleStatus: LifeCycleStatus; selfDeclaredMadeForKids: boolean };
  contentDetails: { boundStreamId?: string; enableAutoStart: boolean; enableAutoStop: boolean; monitorStream: { enableMonitorStream: boolean; broadcastStreamDelayMs: number } };
  concurrentViewers: number;
}

interface LiveStream {
  id: string;
  channelId: string;
  snippet: { title: string; description: string; publishedAt: string };
  cdn: { ingestionType: string; resolution: string; frameRate: string; streamName: string };
  streamStatus: StreamStatus;
  lastBytesIn: number;
}

/** A Google API error: the HTTP status, the `errors[0]` reason and domain, and its message. */
class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly domain = 'youtube.liveBroadcast',
    readonly location?: { location: string; locationType: 'parameter' | 'header' },
  ) {
    super(message);
  }
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};
const PRIVACY = ['public', 'unlisted', 'private'];
const RESOLUTIONS = ['240p', '360p', '480p', '720p', '1080p', '1440p', '2160p', 'variable'];
const FRAME_RATES = ['30fps', '60fps', 'variable'];
const INGESTION_TYPES = ['rtmp', 'dash', 'webrtc', 'hls'];

/**
 * A fake of YouTube's Data API (the live streaming methods StreamCaster calls) with its own Google
 * OAuth endpoints and a real nginx-rtmp ingest (RTMP and, through stunnel, RTMPS). googleapis is
 * pointed at it with `rootUrl`, google-auth-library with its `endpoints`. A stream is `active` only
 * while the ingest's /stat shows bytes coming in under its stream name, so that a broadcast goes
 * `live` only when bytes really arrive.
 */
export class YouTubeFake extends LoopbackPlatformFake {
  private readonly channels = new Map<string, YouTubeChannel>();
  private readonly broadcasts = new Map<string, Broadcast>();
  private readonly streams = new Map<string, LiveStream>();
  private readonly callCounts = new CallCounter<YouTubeMethod>();
  private readonly failures = new Map<YouTubeMethod, YouTubeFailure[]>();
  private unitsUsed = 0;
  private dailyQuota: number;

  private constructor(options: YouTubeFakeOptions) {
    super(new OAuthAuthority({ accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds, tokenPrefix: 'ya29.fake' }), new RtmpSink('youtube', options.directory, true));
    this.oauth.registerClient(options.client);
    this.dailyQuota = options.dailyQuota ?? 10_000;
  }

  static async start(options: YouTubeFakeOptions): Promise<YouTubeFake> {
    return new YouTubeFake(options).serve(options.ingestPollMs);
  }

  /** The codes, tokens and stream names it handed out: none may ever appear in StreamCaster's logs. */
  issuedSecrets(): string[] {
    return [...this.oauth.issuedSecrets(), ...[...this.streams.values()].map((stream) => stream.cdn.streamName)];
  }

  /** googleapis's `rootUrl` (YOUTUBE_API_URL). */
  get apiUrl(): string {
    return `${this.baseUrl}/`;
  }

  get revokeUrl(): string {
    return `${this.baseUrl}${this.oauth.revokePath}`;
  }

  /** Adds a channel and logs its owner in at the authorize page. */
  addChannel(channel: YouTubeChannel): void {
    this.channels.set(channel.id, channel);
    this.oauth.consentAs(channel.id);
  }

  get quotaUsed(): number {
    return this.unitsUsed;
  }

  /** Midnight Pacific Time, or a new budget: the units used start again from 0. */
  resetQuota(dailyQuota = this.dailyQuota): void {
    this.dailyQuota = dailyQuota;
    this.unitsUsed = 0;
  }

  /**
   * The next call of `method` gets `failure` instead of its result (queued: call it twice for two
   * failures). It fails before the API runs, so it neither charges quota nor changes anything.
   */
  failNext(method: YouTubeMethod, failure: YouTubeFailure): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), failure]);
  }

  calls(method: YouTubeMethod): number {
    return this.callCounts.of(method);
  }

  broadcastStatus(id: string): LifeCycleStatus | undefined {
    return this.broadcasts.get(id)?.status.lifeCycleStatus;
  }

  /** A copy of a broadcast as the fake keeps it, for a test to look at without a (charged) call. */
  broadcast(id: string): YouTubeBroadcastRecord | undefined {
    const broadcast = this.broadcasts.get(id);
    return broadcast ? structuredClone(broadcast) : undefined;
  }

  /** Every broadcast of a channel, oldest first. */
  broadcastsOf(channelId: string): YouTubeBroadcastRecord[] {
    return [...this.broadcasts.values()].filter((broadcast) => broadcast.channelId === channelId).map((broadcast) => structuredClone(broadcast));
  }

  /** The viewers `videos.list?part=liveStreamingDetails` reports while the broadcast is live. */
  setConcurrentViewers(broadcastId: string, viewers: number): void {
    const broadcast = this.broadcasts.get(broadcastId);
    if (broadcast !== undefined) broadcast.concurrentViewers = viewers;
  }

  protected override async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    try {
      if (await this.oauth.handle(request, response, url)) return;
      const body = await readBody(request);
      if (this.injectFailure(request, url, response)) return;
      const result = this.api(request, url, body);
      if (result === undefined) response.writeHead(204).end();
      else sendJson(response, 200, result);
    } catch (error) {
      if (error instanceof GoogleApiError) {
        sendJson(response, error.code, {
          error: {
            code: error.code,
            message: error.message,
            errors: [{ message: error.message, domain: error.domain, reason: error.reason, ...(error.location ?? {}) }],
            status: GOOGLE_STATUS[error.code] ?? 'UNKNOWN',
          },
        });
        return;
      }
      sendJson(response, 500, { error: { code: 500, message: String(error), errors: [{ message: String(error), domain: 'global', reason: 'backendError' }], status: 'INTERNAL' } });
    }
  }

  /** Answers with the failure queued for this call's method, if any. */
  private injectFailure(request: IncomingMessage, url: URL, response: ServerResponse): boolean {
    const method = this.methodOf(request.method ?? 'GET', url.pathname);
    const failure = method === undefined ? undefined : this.failures.get(method)?.shift();
    if (failure === undefined) return false;
    if (failure === 'html') {
      response.writeHead(502, { 'content-type': 'text/html; charset=UTF-8' }).end('<!DOCTYPE html><html lang=en><title>Error 502 (Server Error)!!1</title><p><b>502.</b> <ins>That’s an error.</ins></html>');
      return true;
    }
    const errors = [{ message: failure.message, domain: failure.domain ?? 'global', reason: failure.reason }];
    if (failure.retryAfterSeconds !== undefined) response.setHeader('retry-after', String(failure.retryAfterSeconds));
    sendJson(response, failure.code, { error: { code: failure.code, message: failure.message, errors, status: GOOGLE_STATUS[failure.code] ?? 'UNKNOWN' } });
    return true;
  }

  private api(request: IncomingMessage, url: URL, body: string): unknown {
    const method = this.methodOf(request.method ?? 'GET', url.pathname);
    if (method === undefined) throw new GoogleApiError(404, 'notFound', `Not Found: ${request.method} ${url.pathname}`, 'global');
    const channel = this.authenticate(request, method.endsWith('.list') ? READ_SCOPES : YOUTUBE_SCOPES);
    this.charge(method);
    if (channel.liveStreamingEnabled === false && (method.startsWith('liveBroadcasts.') || method.startsWith('liveStreams.'))) {
      throw new GoogleApiError(
        403,
        'liveStreamingNotEnabled',
        'The user that authorized the request is not enabled to stream live video on YouTube. The user can find more information at https://www.youtube.com/features.',
        method.startsWith('liveStreams.') ? 'youtube.liveStream' : 'youtube.liveBroadcast',
      );
    }
    const query = url.searchParams;
    const parts = listParameter(query, 'part');
    if (method !== 'liveBroadcasts.delete' && method !== 'liveStreams.delete' && parts.length === 0) {
      throw new GoogleApiError(400, 'required', 'Required parameter: part', 'global', { location: 'part', locationType: 'parameter' });
    }
    const resource = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
    switch (method) {
      case 'channels.list':
        return this.listResponse('youtube#channelListResponse', query.get('mine') === 'true' ? [{ kind: 'youtube#channel', etag: etag(), id: channel.id, snippet: { title: channel.title, description: '', publishedAt: '2020-01-01T00:00:00Z' } }] : []);
      case 'videos.list':
        return this.listResponse('youtube#videoListResponse', this.byIds(query, this.broadcasts, channel).map((broadcast) => this.video(broadcast, parts)));
      case 'liveBroadcasts.list':
        return this.listResponse('youtube#liveBroadcastListResponse', this.listBroadcasts(query, channel).map((broadcast) => this.broadcastView(broadcast, parts)));
      case 'liveBroadcasts.insert':
        return this.broadcastView(this.insertBroadcast(channel, resource), parts);
      case 'liveBroadcasts.update':
        return this.broadcastView(this.updateBroadcast(channel, resource, parts), parts);
      case 'liveBroadcasts.bind':
        return this.broadcastView(this.bind(channel, query), parts);
      case 'liveBroadcasts.transition':
        return this.broadcastView(this.transition(channel, query), parts);
      case 'liveBroadcasts.delete':
        return this.deleteBroadcast(channel, query);
      case 'liveStreams.list':
        return this.listResponse('youtube#liveStreamListResponse', this.listStreams(query, channel).map((stream) => this.streamView(stream, parts)));
      case 'liveStreams.insert':
        return this.streamView(this.insertStream(channel, resource), parts);
      case 'liveStreams.delete':
        return this.deleteStream(channel, query);
    }
  }

  private methodOf(verb: string, path: string): YouTubeMethod | undefined {
    const routes: Record<string, YouTubeMethod> = {
      'GET /youtube/v3/channels': 'channels.list',
      'GET /youtube/v3/videos': 'videos.list',
      'GET /youtube/v3/liveBroadcasts': 'liveBroadcasts.list',
      'POST /youtube/v3/liveBroadcasts': 'liveBroadcasts.insert',
      'PUT /youtube/v3/liveBroadcasts': 'liveBroadcasts.update',
      'DELETE /youtube/v3/liveBroadcasts': 'liveBroadcasts.delete',
      'POST /youtube/v3/liveBroadcasts/bind': 'liveBroadcasts.bind',
      'POST /youtube/v3/liveBroadcasts/transition': 'liveBroadcasts.transition',
      'GET /youtube/v3/liveStreams': 'liveStreams.list',
      'POST /youtube/v3/liveStreams': 'liveStreams.insert',
      'DELETE /youtube/v3/liveStreams': 'liveStreams.delete',
    };
    return routes[`${verb} ${path}`];
  }

  private authenticate(request: IncomingMessage, scopes: readonly string[]): YouTubeChannel {
    const check = this.oauth.verifyBearer(request, scopes);
    if (!check.ok && check.status === 401) {
      throw new GoogleApiError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'global', { location: 'Authorization', locationType: 'header' });
    }
    if (!check.ok) throw new GoogleApiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', 'global');
    const channel = this.channels.get(check.grant.subject);
    if (channel === undefined) throw new GoogleApiError(404, 'channelNotFound', 'The channel specified cannot be found.', 'youtube.channel');
    return channel;
  }

  /** Quota is counted before the call runs: YouTube charges invalid requests too. */
  private charge(method: YouTubeMethod): void {
    this.callCounts.count(method);
    const cost = YOUTUBE_QUOTA_COSTS[method];
    if (this.unitsUsed + cost > this.dailyQuota) {
      throw new GoogleApiError(403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your quota.', 'youtube.quota');
    }
    this.unitsUsed += cost;
  }

  private listResponse(kind: string, items: unknown[]): unknown {
    return { kind, etag: etag(), pageInfo: { totalResults: items.length, resultsPerPage: Math.max(items.length, 5) }, items };
  }

  private byIds<T extends { channelId: string }>(query: URLSearchParams, store: Map<string, T>, channel: YouTubeChannel): T[] {
    return listParameter(query, 'id').map((id) => store.get(id)).filter((item): item is T => item !== undefined && item.channelId === channel.id);
  }

  private listBroadcasts(query: URLSearchParams, channel: YouTubeChannel): Broadcast[] {
    if (query.has('id')) return this.byIds(query, this.broadcasts, channel);
    const mine = [...this.broadcasts.values()].filter((broadcast) => broadcast.channelId === channel.id);
    const filter = query.get('broadcastStatus');
    if (filter === 'active') return mine.filter((broadcast) => ['live', 'testing'].includes(broadcast.status.lifeCycleStatus));
    if (filter === 'upcoming') return mine.filter((broadcast) => ['created', 'ready'].includes(broadcast.status.lifeCycleStatus));
    if (filter === 'completed') return mine.filter((broadcast) => broadcast.status.lifeCycleStatus === 'complete');
    return mine;
  }

  private listStreams(query: URLSearchParams, channel: YouTubeChannel): LiveStream[] {
    if (query.has('id')) return this.byIds(query, this.streams, channel);
    return [...this.streams.values()].filter((stream) => stream.channelId === channel.id);
  }

  private findBroadcast(channel: YouTubeChannel, id: string | null | undefined): Broadcast {
    if (id === null || id === undefined || id === '') throw new GoogleApiError(400, 'idRequired', 'The required id parameter must identify the broadcast.');
    const broadcast = this.broadcasts.get(id);
    if (broadcast === undefined || broadcast.channelId !== channel.id) throw new GoogleApiError(404, 'liveBroadcastNotFound', 'Broadcast not found');
    return broadcast;
  }

  private insertBroadcast(channel: YouTubeChannel, resource: Record<string, unknown>): Broadcast {
    const snippet = validateBroadcastSnippet(resource);
    const status = objectAt(resource, 'status');
    const privacyStatus = validatePrivacy(status);
    const details = objectAt(resource, 'contentDetails');
    const monitor = objectAt(details, 'monitorStream');
    const broadcast: Broadcast = {
      id: videoId(),
      channelId: channel.id,
      snippet: { ...snippet, publishedAt: new Date().toISOString() },
      status: { privacyStatus, lifeCycleStatus: 'created', selfDeclaredMadeForKids: status['selfDeclaredMadeForKids'] === true },
      contentDetails: {
        // YouTube's defaults when the request leaves them out.
        enableAutoStart: details['enableAutoStart'] !== false,
        enableAutoStop: details['enableAutoStop'] !== false,
        monitorStream: { enableMonitorStream: monitor['enableMonitorStream'] !== false, broadcastStreamDelayMs: numberOr(monitor['broadcastStreamDelayMs'], 0) },
      },
      concurrentViewers: 0,
    };
    this.broadcasts.set(broadcast.id, broadcast);
    return broadcast;
  }

  /** `update` replaces every mutable property of the parts it names (liveBroadcasts.update's reference). */
  private updateBroadcast(channel: YouTubeChannel, resource: Record<string, unknown>, parts: string[]): Broadcast {
    const broadcast = this.findBroadcast(channel, typeof resource['id'] === 'string' ? resource['id'] : undefined);
    if (parts.includes('snippet')) broadcast.snippet = { ...broadcast.snippet, ...validateBroadcastSnippet(resource) };
    if (parts.includes('status')) broadcast.status.privacyStatus = validatePrivacy(objectAt(resource, 'status'));
    if (parts.includes('contentDetails')) {
      const details = objectAt(resource, 'contentDetails');
      broadcast.contentDetails.enableAutoStart = details['enableAutoStart'] === true;
      broadcast.contentDetails.enableAutoStop = details['enableAutoStop'] === true;
      broadcast.contentDetails.monitorStream.enableMonitorStream = objectAt(details, 'monitorStream')['enableMonitorStream'] === true;
    }
    return broadcast;
  }

  private bind(channel: YouTubeChannel, query: URLSearchParams): Broadcast {
    const broadcast = this.findBroadcast(channel, query.get('id'));
    if (!['created', 'ready'].includes(broadcast.status.lifeCycleStatus)) {
      throw new GoogleApiError(403, 'liveBroadcastBindingNotAllowed', 'The current status of the live broadcast does not allow it to be bound to a stream.');
    }
    const streamId = query.get('streamId');
    if (streamId === null || streamId === '') {
      // Without streamId, bind removes the binding.
      broadcast.contentDetails.boundStreamId = undefined;
      broadcast.status.lifeCycleStatus = 'created';
      return broadcast;
    }
    const stream = this.streams.get(streamId);
    if (stream === undefined || stream.channelId !== channel.id) throw new GoogleApiError(404, 'liveStreamNotFound', 'Stream not found');
    broadcast.contentDetails.boundStreamId = stream.id;
    broadcast.status.lifeCycleStatus = 'ready';
    return broadcast;
  }

  private transition(channel: YouTubeChannel, query: URLSearchParams): Broadcast {
    const target = query.get('broadcastStatus');
    if (target === null) throw new GoogleApiError(400, 'required', 'Required parameter: broadcastStatus', 'global', { location: 'broadcastStatus', locationType: 'parameter' });
    if (!['testing', 'live', 'complete'].includes(target)) throw new GoogleApiError(400, 'invalidValue', `Invalid value for broadcastStatus: ${target}`, 'global', { location: 'broadcastStatus', locationType: 'parameter' });
    const broadcast = this.findBroadcast(channel, query.get('id'));
    const from = broadcast.status.lifeCycleStatus;
    if (from === target) throw new GoogleApiError(403, 'redundantTransition', 'Redundant transition');
    const allowed: Record<LifeCycleStatus, string[]> = { created: [], ready: ['testing', 'live'], testing: ['live', 'complete'], live: ['complete'], complete: [] };
    const monitorOff = target === 'testing' && !broadcast.contentDetails.monitorStream.enableMonitorStream;
    if (!allowed[from].includes(target) || monitorOff) throw new GoogleApiError(403, 'invalidTransition', 'Invalid transition');
    if (target !== 'complete') {
      const stream = this.streams.get(broadcast.contentDetails.boundStreamId ?? '');
      if (stream?.streamStatus !== 'active') throw new GoogleApiError(403, 'errorStreamInactive', 'Stream is inactive');
    }
    broadcast.status.lifeCycleStatus = target as LifeCycleStatus;
    if (target === 'live') broadcast.snippet.actualStartTime = new Date().toISOString();
    if (target === 'complete') broadcast.snippet.actualEndTime = new Date().toISOString();
    return broadcast;
  }

  private deleteBroadcast(channel: YouTubeChannel, query: URLSearchParams): undefined {
    const broadcast = this.findBroadcast(channel, query.get('id'));
    if (['testing', 'live'].includes(broadcast.status.lifeCycleStatus)) {
      throw new GoogleApiError(403, 'liveBroadcastDeletionNotAllowed', 'The current status of the live broadcast does not allow it to be deleted.');
    }
    this.broadcasts.delete(broadcast.id);
    return undefined;
  }

  private insertStream(channel: YouTubeChannel, resource: Record<string, unknown>): LiveStream {
    const snippet = objectAt(resource, 'snippet');
    const title = snippet['title'];
    if (typeof title !== 'string' || title === '') throw new GoogleApiError(400, 'titleRequired', 'The liveStream resource must specify the snippet.title property.', 'youtube.liveStream');
    if ([...title].length > 128) throw new GoogleApiError(400, 'invalidTitle', 'The snippet.title property must be between 1 and 128 characters long.', 'youtube.liveStream');
    if (typeof resource['cdn'] !== 'object' || resource['cdn'] === null) throw new GoogleApiError(400, 'cdnRequired', 'The liveStream resource must specify the cdn property.', 'youtube.liveStream');
    const cdn = objectAt(resource, 'cdn');
    const field = (name: string, values: string[], required: string, invalid: string): string => {
      const value = cdn[name];
      if (value === undefined || value === null || value === '') throw new GoogleApiError(400, required, `The liveStream resource must specify the cdn.${name} property.`, 'youtube.liveStream');
      if (typeof value !== 'string' || !values.includes(value)) throw new GoogleApiError(400, invalid, `Invalid value for cdn.${name}.`, 'youtube.liveStream');
      return value;
    };
    const stream: LiveStream = {
      id: `${channel.id.slice(2)}${randomBytes(8).toString('base64url')}`,
      channelId: channel.id,
      snippet: { title, description: typeof snippet['description'] === 'string' ? snippet['description'] : '', publishedAt: new Date().toISOString() },
      cdn: {
        ingestionType: field('ingestionType', INGESTION_TYPES, 'ingestionTypeRequired', 'invalidIngestionType'),
        resolution: field('resolution', RESOLUTIONS, 'resolutionRequired', 'invalidResolution'),
        frameRate: field('frameRate', FRAME_RATES, 'frameRateRequired', 'invalidFrameRate'),
        streamName: `${randomHex(4)}-${randomHex(4)}-${randomHex(4)}-${randomHex(4)}-${randomHex(4)}`,
      },
      streamStatus: 'ready',
      lastBytesIn: 0,
    };
    this.streams.set(stream.id, stream);
    return stream;
  }

  private deleteStream(channel: YouTubeChannel, query: URLSearchParams): undefined {
    const stream = this.byIds(query, this.streams, channel)[0];
    if (stream === undefined) throw new GoogleApiError(404, 'liveStreamNotFound', 'Stream not found', 'youtube.liveStream');
    const bound = [...this.broadcasts.values()].some((broadcast) => broadcast.contentDetails.boundStreamId === stream.id && ['testing', 'live'].includes(broadcast.status.lifeCycleStatus));
    if (bound) throw new GoogleApiError(403, 'liveStreamDeletionNotAllowed', 'The stream is bound to a broadcast that is on air.', 'youtube.liveStream');
    this.streams.delete(stream.id);
    return undefined;
  }

  private broadcastView(broadcast: Broadcast, parts: string[]): Record<string, unknown> {
    const view: Record<string, unknown> = { kind: 'youtube#liveBroadcast', etag: etag(), id: broadcast.id };
    if (parts.includes('snippet')) view['snippet'] = { ...broadcast.snippet, channelId: broadcast.channelId, isDefaultBroadcast: false, liveChatId: `chat-${broadcast.id}` };
    if (parts.includes('status')) view['status'] = { ...broadcast.status, recordingStatus: broadcast.status.lifeCycleStatus === 'live' ? 'recording' : 'notRecording', madeForKids: broadcast.status.selfDeclaredMadeForKids };
    if (parts.includes('contentDetails')) view['contentDetails'] = { ...broadcast.contentDetails, monitorStream: { ...broadcast.contentDetails.monitorStream } };
    return view;
  }

  private streamView(stream: LiveStream, parts: string[]): Record<string, unknown> {
    const view: Record<string, unknown> = { kind: 'youtube#liveStream', etag: etag(), id: stream.id };
    if (parts.includes('snippet')) view['snippet'] = { ...stream.snippet, channelId: stream.channelId, isDefaultStream: false };
    if (parts.includes('cdn')) {
      view['cdn'] = {
        ingestionType: stream.cdn.ingestionType,
        resolution: stream.cdn.resolution,
        frameRate: stream.cdn.frameRate,
        ingestionInfo: {
          streamName: stream.cdn.streamName,
          ingestionAddress: this.sink.rtmpUrl,
          backupIngestionAddress: this.sink.rtmpUrl,
          rtmpsIngestionAddress: this.sink.url,
          rtmpsBackupIngestionAddress: this.sink.url,
        },
      };
    }
    if (parts.includes('status')) {
      view['status'] = {
        streamStatus: stream.streamStatus,
        healthStatus: { status: stream.streamStatus === 'active' ? 'good' : 'noData', lastUpdateTimeSeconds: String(Math.floor(Date.now() / 1000)), configurationIssues: [] },
      };
    }
    if (parts.includes('contentDetails')) view['contentDetails'] = { isReusable: true, closedCaptionsIngestionUrl: `${this.baseUrl}/closedcaption?cid=${stream.cdn.streamName}` };
    return view;
  }

  private video(broadcast: Broadcast, parts: string[]): Record<string, unknown> {
    const view: Record<string, unknown> = { kind: 'youtube#video', etag: etag(), id: broadcast.id };
    if (parts.includes('snippet')) view['snippet'] = { title: broadcast.snippet.title, description: broadcast.snippet.description, channelId: broadcast.channelId, liveBroadcastContent: broadcast.status.lifeCycleStatus === 'live' ? 'live' : broadcast.status.lifeCycleStatus === 'complete' ? 'none' : 'upcoming' };
    if (parts.includes('liveStreamingDetails')) {
      const live = broadcast.status.lifeCycleStatus === 'live';
      view['liveStreamingDetails'] = {
        scheduledStartTime: broadcast.snippet.scheduledStartTime,
        ...(broadcast.snippet.actualStartTime ? { actualStartTime: broadcast.snippet.actualStartTime } : {}),
        ...(broadcast.snippet.actualEndTime ? { actualEndTime: broadcast.snippet.actualEndTime } : {}),
        // Only while live, and as a string (an unsigned long in the discovery document).
        ...(live ? { concurrentViewers: String(broadcast.concurrentViewers), activeLiveChatId: `chat-${broadcast.id}` } : {}),
      };
    }
    if (parts.includes('status')) view['status'] = { privacyStatus: broadcast.status.privacyStatus, uploadStatus: 'uploaded' };
    return view;
  }

  /** A stream is active while its name publishes at the ingest and the bytes in keep growing. */
  protected override followIngest(publishing: PublishingStreams): void {
    for (const stream of this.streams.values()) {
      const bytesIn = publishing.get(stream.cdn.streamName);
      if (bytesIn !== undefined && bytesIn > stream.lastBytesIn) stream.streamStatus = 'active';
      else if (bytesIn === undefined && stream.streamStatus === 'active') stream.streamStatus = 'inactive';
      stream.lastBytesIn = bytesIn ?? 0;
    }
  }
}

function validateBroadcastSnippet(resource: Record<string, unknown>): { title: string; description: string; scheduledStartTime: string } {
  const snippet = objectAt(resource, 'snippet');
  const title = snippet['title'];
  if (typeof title !== 'string' || title === '') throw new GoogleApiError(400, 'titleRequired', 'The liveBroadcast resource must specify the snippet.title property.');
  if ([...title].length > 100 || /[<>]/.test(title)) {
    throw new GoogleApiError(400, 'invalidTitle', "The liveBroadcast resource did not specify a valid value for the snippet.title property. The property's value must be between 1 and 100 characters long.");
  }
  const description = snippet['description'] ?? '';
  if (typeof description !== 'string' || [...description].length > 5000 || /[<>]/.test(description)) {
    throw new GoogleApiError(400, 'invalidDescription', "The liveBroadcast resource did not specify a valid value for the snippet.description property. The property's value can contain up to 5000 characters.");
  }
  const start = snippet['scheduledStartTime'];
  if (typeof start !== 'string' || start === '') throw new GoogleApiError(400, 'scheduledStartTimeRequired', 'The liveBroadcast resource must specify the snippet.scheduledStartTime property.');
  if (Number.isNaN(Date.parse(start)) || Date.parse(start) < Date.parse('2005-01-01')) {
    throw new GoogleApiError(400, 'invalidScheduledStartTime', 'The liveBroadcast resource contained an invalid value for the snippet.scheduledStartTime property.');
  }
  return { title, description, scheduledStartTime: new Date(start).toISOString() };
}

function validatePrivacy(status: Record<string, unknown>): string {
  const privacy = status['privacyStatus'];
  if (privacy === undefined || privacy === null || privacy === '') throw new GoogleApiError(400, 'privacyStatusRequired', 'The liveBroadcast resource must specify a privacy status.');
  if (typeof privacy !== 'string' || !PRIVACY.includes(privacy)) throw new GoogleApiError(400, 'invalidPrivacyStatus', 'The liveBroadcast resource contained an invalid value for the status.privacyStatus property.');
  return privacy;
}

/** A list parameter, comma-separated or repeated (googleapis repeats it: `part=a&part=b`); Google takes both. */
function listParameter(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
}

function objectAt(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = parent[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function randomHex(bytes: number): string {
  return randomBytes(bytes / 2).toString('hex');
}

/** An 11-character id, as YouTube's video ids are. */
function videoId(): string {
  return randomBytes(8).toString('base64url').slice(0, 11);
}

function etag(): string {
  return randomBytes(20).toString('base64url').slice(0, 27);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
}
