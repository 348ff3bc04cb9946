import { randomBytes, randomInt } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { RtmpSink } from '../rtmp-sink.js';
import { CallCounter, LoopbackPlatformFake, type PublishingStreams } from './fake-server.js';
import { OAuthAuthority, readBody, type OAuthClientRegistration, type OAuthErrorCode } from './oauth-authority.js';
import { PlatformFaults, type PlatformFault } from './platform-faults.js';

export type { PlatformFault } from './platform-faults.js';

export const FACEBOOK_GRAPH_VERSION = 'v23.0';

/** What a page's live videos need: "requires both pages_read_engagement and pages_manage_posts" (Live Video API, streaming guide). */
export const FACEBOOK_LIVE_SCOPES = ['pages_manage_posts', 'pages_read_engagement'] as const;
/** Listing the pages a person manages (`/me/accounts`). */
export const FACEBOOK_PAGES_SCOPE = 'pages_show_list';

/** A long-lived user token lives about 60 days (`expires_in` 5183944 in "Get long-lived tokens"). */
const LONG_LIVED_SECONDS = 5_183_944;

/** The Graph calls the fake answers, by the names its counters and faults use. */
export type FacebookCall =
  | 'oauth/access_token'
  | 'me'
  | 'me/accounts'
  | 'permissions.read'
  | 'permissions.delete'
  | 'debug_token'
  | 'live_videos.create'
  | 'live_videos.list'
  | 'live_video.read'
  | 'live_video.update';

/** `LiveVideo.status` as read (`BroadcastStatus`); you write `LIVE_NOW`, you read `LIVE`. */
export type FacebookLiveStatus = 'UNPUBLISHED' | 'LIVE' | 'LIVE_STOPPED' | 'VOD';

export interface FacebookUser {
  id: string;
  name: string;
}

export interface FacebookPage {
  id: string;
  name: string;
  /** The users who manage it (and see it in `/me/accounts`). */
  managers: string[];
  /** False for a page that Meta does not let go live (under 60 days old or 100 followers). */
  canGoLive?: boolean;
}

export interface FacebookFakeOptions {
  /** Where the fake keeps its ingest's nginx configuration and recordings. */
  directory: string;
  /** The Facebook app: `clientId` is the app id, `clientSecret` the app secret. */
  client: OAuthClientRegistration;
  /** Lifetime of the short-lived user token of the code exchange, in seconds (3600). */
  shortLivedTokenSeconds?: number;
  /** How often the ingest's /stat is read (250 ms). */
  ingestPollMs?: number;
  /** How long an ended live video stays `LIVE_STOPPED` before it is a `VOD` (1000 ms). */
  processingMs?: number;
}

/** What a live video looks like to the tests. */
export interface FacebookLiveVideoView {
  id: string;
  pageId: string;
  title: string;
  description: string;
  status: FacebookLiveStatus;
  /** Created or updated with `LIVE_NOW`: it goes live as soon as data arrives. */
  published: boolean;
  receiving: boolean;
  liveViews: number;
}

interface LiveVideo extends FacebookLiveVideoView {
  streamName: string;
  /** The stream name with Facebook's query parameters: the last path segment of the ingest URL. */
  streamKey: string;
  createdAt: Date;
  startedAt?: Date;
  endedAt?: Date;
  lastBytesIn: number;
  bitsPerSecond: number;
}

type Principal =
  | { kind: 'user'; user: FacebookUser; token: string; scopes: string[] }
  | { kind: 'page'; page: FacebookPage; userId: string; token: string; scopes: string[] }
  | { kind: 'app' };

/** A Graph API error: `{ error: { message, type, code, error_subcode?, error_user_title?, error_user_msg?, fbtrace_id } }`. */
class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly extra: { subcode?: number; type?: string; userTitle?: string; userMsg?: string; transient?: boolean } = {},
  ) {
    super(message);
  }

  body(): unknown {
    return {
      error: {
        message: this.message,
        type: this.extra.type ?? 'OAuthException',
        code: this.code,
        ...(this.extra.subcode !== undefined ? { error_subcode: this.extra.subcode } : {}),
        ...(this.extra.transient !== undefined ? { is_transient: this.extra.transient } : {}),
        ...(this.extra.userTitle !== undefined ? { error_user_title: this.extra.userTitle, error_user_msg: this.extra.userMsg } : {}),
        fbtrace_id: randomBytes(8).toString('base64url'),
      },
    };
  }
}

const WRITABLE_STATUSES = ['UNPUBLISHED', 'LIVE_NOW', 'SCHEDULED_UNPUBLISHED', 'SCHEDULED_LIVE', 'SCHEDULED_CANCELED'];
const LIVE_VIDEO_FIELDS = [
  'id', 'title', 'description', 'status', 'stream_url', 'secure_stream_url', 'permalink_url',
  'live_views', 'ingest_streams', 'creation_time', 'broadcast_start_time', 'embed_html',
];
const PAGE_FIELDS = ['id', 'name', 'access_token', 'link', 'category', 'tasks'];
const TITLE_MAX = 255;
const DESCRIPTION_MAX = 5000;

/**
 * A fake of Facebook's Graph API (v23.0) for Pages' live videos, with its login dialog and token
 * endpoint (`OAuthAuthority`: short-lived user token for the code, long-lived one through
 * `fb_exchange_token`, no refresh tokens), page tokens from `/me/accounts`, the live video state
 * machine, Graph's error JSON, and a real nginx-rtmp ingest behind stunnel (Facebook takes RTMPS
 * only) whose bytes decide `stream_health` and when a `LIVE_NOW` video goes `LIVE`.
 */
export class FacebookFake extends LoopbackPlatformFake {
  private readonly appId: string;
  private readonly appSecret: string;
  private readonly users = new Map<string, FacebookUser>();
  private readonly pages = new Map<string, FacebookPage>();
  /** Page tokens handed out by `/me/accounts`, with the user whose grant they belong to. */
  private readonly pageTokens = new Map<string, { pageId: string; userId: string }>();
  private readonly videos = new Map<string, LiveVideo>();
  private readonly callCounts = new CallCounter<FacebookCall>();
  private readonly faults = new PlatformFaults<PlatformFault>();
  private readonly processingMs: number;
  private lastPoll = Date.now();

  private constructor(options: FacebookFakeOptions) {
    const oauth = new OAuthAuthority({
      authorizePath: `/${FACEBOOK_GRAPH_VERSION}/dialog/oauth`,
      tokenPath: `/${FACEBOOK_GRAPH_VERSION}/oauth/access_token`,
      revokePath: null,
      accessTokenLifetimeSeconds: options.shortLivedTokenSeconds ?? 3600,
      scopeSeparator: ',',
      tokenMethods: ['GET', 'POST'],
      defaultGrantType: 'authorization_code',
      issueRefreshTokens: false,
      answerScope: false,
      longLivedExchange: { grantType: 'fb_exchange_token', tokenParameter: 'fb_exchange_token', lifetimeSeconds: LONG_LIVED_SECONDS },
      errorStatus: () => 400,
      errorBody: graphOAuthError,
      tokenPrefix: 'EAAfake',
    });
    super(oauth, new RtmpSink('facebook', options.directory, true));
    this.appId = options.client.clientId;
    this.appSecret = options.client.clientSecret;
    this.oauth.registerClient(options.client);
    this.processingMs = options.processingMs ?? 1000;
  }

  static async start(options: FacebookFakeOptions): Promise<FacebookFake> {
    return new FacebookFake(options).serve(options.ingestPollMs);
  }

  /** The codes, tokens (page tokens too) and stream keys it handed out: none may ever appear in StreamCaster's logs. */
  issuedSecrets(): string[] {
    return [...this.oauth.issuedSecrets(), ...this.pageTokens.keys(), ...[...this.videos.values()].map((video) => video.streamKey)];
  }

  /** The Graph API base, version included (FACEBOOK_GRAPH_URL). */
  get graphUrl(): string {
    return `${this.baseUrl}/${FACEBOOK_GRAPH_VERSION}`;
  }

  /** Adds a person and logs them in at the dialog. */
  addUser(user: FacebookUser): void {
    this.users.set(user.id, user);
    this.oauth.consentAs(user.id);
  }

  addPage(page: FacebookPage): void {
    this.pages.set(page.id, { canGoLive: true, ...page });
  }

  /** Meta's live eligibility (60 days, 100 followers): a page that may not go live is refused at creation. */
  setPageCanGoLive(pageId: string, canGoLive: boolean): void {
    const page = this.pages.get(pageId);
    if (page !== undefined) page.canGoLive = canGoLive;
  }

  /** The concurrent viewers `live_views` reports while the video is `LIVE`. */
  setLiveViews(videoId: string, viewers: number): void {
    const video = this.videos.get(videoId);
    if (video !== undefined) video.liveViews = viewers;
  }

  /** The next call (or the next `call`) answers with a fault instead of, or after, doing its work. */
  failNext(fault: PlatformFault, options: { call?: FacebookCall; afterDoing?: boolean } = {}): void {
    this.faults.plan(fault, options);
  }

  /** Calls answered so far, of one kind or all. */
  calls(call?: FacebookCall): number {
    return this.callCounts.of(call);
  }

  liveVideo(id: string): FacebookLiveVideoView | undefined {
    const video = this.videos.get(id);
    return video === undefined ? undefined : viewOf(video);
  }

  liveVideos(pageId?: string): FacebookLiveVideoView[] {
    return [...this.videos.values()].filter((video) => pageId === undefined || video.pageId === pageId).map(viewOf);
  }

  protected override async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    let call: FacebookCall | undefined;
    try {
      if (url.pathname === this.oauth.authorizePath) {
        await this.oauth.handle(request, response, url);
        return;
      }
      if (url.pathname === this.oauth.tokenPath) {
        call = 'oauth/access_token';
        this.callCounts.count(call);
        if (this.meetFault(call, response, false)) return;
        await this.oauth.handle(request, response, url);
        return;
      }
      const params = await readParams(request, url);
      const route = this.routeOf(request.method ?? 'GET', url.pathname);
      call = route.call;
      this.callCounts.count(call);
      if (this.meetFault(call, response, false)) return;
      const result = route.run(params, request);
      if (this.meetFault(call, response, true)) return;
      sendJson(response, 200, result);
    } catch (error) {
      const graphError = error instanceof GraphError ? error : new GraphError(500, 1, `An unknown error occurred (${String(error)})`, { transient: true });
      sendJson(response, graphError.status, graphError.body());
    }
  }

  /** Answers with the fault planned for this call at this moment (before or after its work); true when it did. */
  private meetFault(call: FacebookCall, response: ServerResponse, afterDoing: boolean): boolean {
    const planned = this.faults.take(call, afterDoing);
    if (planned === undefined) return false;
    if (planned.fault === 'hang') return true;
    if (planned.fault === 'html') {
      response.writeHead(502, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><head><title>Facebook | Error</title></head><body>Sorry, something went wrong.</body></html>');
      return true;
    }
    const error = new GraphError(500, 2, 'An unexpected error has occurred. Please retry your request later.', { transient: true });
    sendJson(response, 500, error.body());
    return true;
  }

  private routeOf(method: string, pathname: string): { call: FacebookCall; run: (params: URLSearchParams, request: IncomingMessage) => unknown } {
    const match = /^\/v\d+\.\d+\/(.*?)\/?$/.exec(pathname);
    if (match === null) throw new GraphError(400, 100, `Unknown path components: ${pathname}`);
    const segments = (match[1] ?? '').split('/').filter(Boolean);
    const [node = '', edge, ...rest] = segments;
    if (rest.length > 0) throw new GraphError(400, 100, `Unknown path components: /${rest.join('/')}`);
    if (node === 'debug_token' && edge === undefined && method === 'GET') return { call: 'debug_token', run: (params, request) => this.debugToken(params, request) };
    if (edge === 'accounts' && method === 'GET') return { call: 'me/accounts', run: (params, request) => this.accounts(node, params, request) };
    if (edge === 'permissions' && method === 'GET') return { call: 'permissions.read', run: (params, request) => this.permissions(node, params, request) };
    if (edge === 'permissions' && method === 'DELETE') return { call: 'permissions.delete', run: (params, request) => this.deletePermissions(node, params, request) };
    if (edge === 'live_videos' && method === 'POST') return { call: 'live_videos.create', run: (params, request) => this.createLiveVideo(node, params, request) };
    if (edge === 'live_videos' && method === 'GET') return { call: 'live_videos.list', run: (params, request) => this.listLiveVideos(node, params, request) };
    if (edge === undefined && node === 'me' && method === 'GET') return { call: 'me', run: (params, request) => this.me(params, request) };
    if (edge === undefined && this.videos.has(node)) {
      if (method === 'GET') return { call: 'live_video.read', run: (params, request) => this.readLiveVideo(node, params, request) };
      if (method === 'POST') return { call: 'live_video.update', run: (params, request) => this.updateLiveVideo(node, params, request) };
    }
    if (edge !== undefined && !['accounts', 'permissions', 'live_videos'].includes(edge)) {
      throw new GraphError(400, 100, `(#100) Tried accessing nonexisting field (${edge})`);
    }
    throw new GraphError(400, 100, `Unsupported ${method.toLowerCase()} request. Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`, {
      type: 'GraphMethodException',
      subcode: 33,
    });
  }

  /** Who the request's token speaks for: `access_token` in the query or body, or the Authorization header. */
  private principal(params: URLSearchParams, request: IncomingMessage, node: string): Principal {
    const header = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const token = params.get('access_token') ?? header;
    if (token === undefined || token === '') {
      if (node === 'me') throw new GraphError(400, 2500, 'An active access token must be used to query information about the current user.');
      throw new GraphError(400, 104, 'An access token is required to request this resource.');
    }
    if (token === `${this.appId}|${this.appSecret}`) return { kind: 'app' };
    const check = this.oauth.verifyToken(token, []);
    if (!check.ok) {
      if (check.status === 401 && check.reason === 'expired') {
        const now = new Date().toUTCString();
        throw new GraphError(400, 190, `Error validating access token: Session has expired on ${now}. The current time is ${now}.`, { subcode: 463 });
      }
      if (check.status === 401 && check.reason === 'revoked') {
        throw new GraphError(400, 190, `Error validating access token: The user has not authorized application ${this.appId}.`, { subcode: 458 });
      }
      throw new GraphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    }
    const pageToken = this.pageTokens.get(token);
    const page = pageToken === undefined ? undefined : this.pages.get(pageToken.pageId);
    if (pageToken !== undefined && page !== undefined) return { kind: 'page', page, userId: pageToken.userId, token, scopes: check.grant.scopes };
    const user = this.users.get(check.grant.subject);
    if (user === undefined) throw new GraphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    return { kind: 'user', user, token, scopes: check.grant.scopes };
  }

  /** The node `me` or an id stands for, as seen by the principal. */
  private userNode(node: string, principal: Principal): FacebookUser {
    if (principal.kind === 'user' && (node === 'me' || node === principal.user.id)) return principal.user;
    if (principal.kind === 'app' && this.users.has(node)) return this.users.get(node) as FacebookUser;
    if (principal.kind === 'page' && (node === 'me' || node === principal.page.id)) {
      throw new GraphError(400, 100, '(#100) Tried accessing nonexisting field on node type (Page)');
    }
    throw unsupported(node);
  }

  private me(params: URLSearchParams, request: IncomingMessage): unknown {
    const principal = this.principal(params, request, 'me');
    if (principal.kind === 'app') throw new GraphError(400, 2500, 'An active access token must be used to query information about the current user.');
    const node = principal.kind === 'user' ? principal.user : principal.page;
    return { id: node.id, name: node.name };
  }

  private accounts(node: string, params: URLSearchParams, request: IncomingMessage): unknown {
    const principal = this.principal(params, request, node);
    const user = this.userNode(node, principal);
    if (principal.kind !== 'user') throw new GraphError(400, 190, 'A user access token is required to request this resource.');
    requireScopes(principal.scopes, [FACEBOOK_PAGES_SCOPE], '(#200) Requires pages_show_list permission to manage the object');
    const fields = requestedFields(params, PAGE_FIELDS, ['access_token', 'category', 'name', 'id', 'tasks'], 'Page');
    const managed = [...this.pages.values()].filter((page) => page.managers.includes(user.id));
    const limit = Number(params.get('limit') ?? 25);
    const data = managed.slice(0, Number.isFinite(limit) && limit > 0 ? limit : 25).map((page) => {
      const view: Record<string, unknown> = {};
      for (const field of fields) {
        if (field === 'id') view['id'] = page.id;
        if (field === 'name') view['name'] = page.name;
        if (field === 'link') view['link'] = `https://www.facebook.com/${page.id}`;
        if (field === 'category') view['category'] = 'Musician/band';
        if (field === 'tasks') view['tasks'] = ['ANALYZE', 'ADVERTISE', 'MODERATE', 'CREATE_CONTENT', 'MANAGE'];
        if (field === 'access_token') {
          const token = this.oauth.issueDerivedToken(principal.token, page.id);
          if (token !== undefined) {
            this.pageTokens.set(token, { pageId: page.id, userId: user.id });
            view['access_token'] = token;
          }
        }
      }
      return view;
    });
    const cursor = Buffer.from(managed[0]?.id ?? '').toString('base64url');
    return { data, paging: { cursors: { before: cursor, after: cursor } } };
  }

  private permissions(node: string, params: URLSearchParams, request: IncomingMessage): unknown {
    const principal = this.principal(params, request, node);
    this.userNode(node, principal);
    const scopes = principal.kind === 'app' ? [] : principal.scopes;
    return { data: scopes.map((permission) => ({ permission, status: 'granted' })) };
  }

  /** The app's whole grant of this user is revoked: every user and page token of it stops working. */
  private deletePermissions(node: string, params: URLSearchParams, request: IncomingMessage): unknown {
    const principal = this.principal(params, request, node);
    const user = this.userNode(node, principal);
    this.oauth.revokeRefreshTokens({ subject: user.id });
    return { success: true };
  }

  private debugToken(params: URLSearchParams, request: IncomingMessage): unknown {
    this.principal(params, request, 'debug_token');
    const input = params.get('input_token');
    if (input === null || input === '') throw new GraphError(400, 100, '(#100) The parameter input_token is required');
    const check = this.oauth.verifyToken(input, []);
    if (!check.ok) {
      return { data: { is_valid: false, scopes: [], error: { code: 190, message: check.status === 401 && check.reason === 'expired' ? 'Session has expired' : 'Invalid OAuth access token.' } } };
    }
    const pageToken = this.pageTokens.get(input);
    return {
      data: {
        app_id: this.appId,
        type: pageToken === undefined ? 'USER' : 'PAGE',
        application: 'StreamCaster',
        expires_at: Number.isFinite(check.expiresAt) ? Math.floor(check.expiresAt / 1000) : 0,
        is_valid: true,
        scopes: check.grant.scopes,
        user_id: pageToken?.userId ?? check.grant.subject,
        ...(pageToken !== undefined ? { profile_id: pageToken.pageId } : {}),
      },
    };
  }

  /** The page of `node` with a page token of that very page and both live scopes. */
  private pageFor(node: string, params: URLSearchParams, request: IncomingMessage, scopes: readonly string[]): FacebookPage {
    const principal = this.principal(params, request, node);
    const page = this.pages.get(node === 'me' && principal.kind === 'page' ? principal.page.id : node);
    if (page === undefined) throw unsupported(node);
    if (principal.kind !== 'page') throw new GraphError(403, 210, '(#210) A page access token is required to request this resource.');
    if (principal.page.id !== page.id) throw new GraphError(403, 200, '(#200) Permissions error');
    requireScopes(principal.scopes, scopes, '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission');
    return page;
  }

  private createLiveVideo(node: string, params: URLSearchParams, request: IncomingMessage): unknown {
    const page = this.pageFor(node, params, request, FACEBOOK_LIVE_SCOPES);
    const status = params.get('status') ?? 'UNPUBLISHED';
    if (!WRITABLE_STATUSES.includes(status)) throw new GraphError(400, 100, `(#100) Param status must be one of {${WRITABLE_STATUSES.join(', ')}}`);
    if (status.startsWith('SCHEDULED')) throw new GraphError(400, 100, '(#100) This fake keeps only UNPUBLISHED and LIVE_NOW live videos');
    const { title, description } = validText(params);
    if (page.canGoLive === false) {
      throw new GraphError(400, 200, '(#200) This page is not eligible to go live', {
        subcode: 1363120,
        userTitle: "Can't go live",
        userMsg: 'This Page is not eligible to go live yet: a Page needs to be at least 60 days old and have at least 100 followers to go live.',
      });
    }
    const id = graphId();
    const streamName = `FB-${id}-0-Ab${randomBytes(24).toString('base64url')}`;
    const video: LiveVideo = {
      id,
      pageId: page.id,
      title: title ?? '',
      description: description ?? '',
      status: 'UNPUBLISHED',
      published: status === 'LIVE_NOW',
      receiving: false,
      liveViews: 0,
      streamName,
      streamKey: `${streamName}?s_bl=1&s_psm=1&s_sc=${id}&s_sw=0&s_vt=api-s&a=Ab${randomBytes(12).toString('base64url')}`,
      createdAt: new Date(),
      lastBytesIn: 0,
      bitsPerSecond: 0,
    };
    this.videos.set(id, video);
    return { id, stream_url: this.streamUrl(video), secure_stream_url: this.secureStreamUrl(video), stream_secondary_urls: [], secure_stream_secondary_urls: [] };
  }

  private listLiveVideos(node: string, params: URLSearchParams, request: IncomingMessage): unknown {
    const page = this.pageFor(node, params, request, ['pages_read_engagement']);
    const fields = requestedFields(params, LIVE_VIDEO_FIELDS, ['id', 'title', 'description', 'status'], 'LiveVideo');
    const filter = listParameter(params.get('broadcast_status'));
    const data = [...this.videos.values()]
      .filter((video) => video.pageId === page.id && (filter.length === 0 || filter.includes(video.status)))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((video) => this.liveVideoNode(video, fields));
    return { data, paging: { cursors: { before: 'QVFIUmJ', after: 'QVFIUmJ' } } };
  }

  private videoFor(id: string, params: URLSearchParams, request: IncomingMessage, scopes: readonly string[]): LiveVideo {
    const video = this.videos.get(id);
    if (video === undefined) throw unsupported(id);
    this.pageFor(video.pageId, params, request, scopes);
    return video;
  }

  private readLiveVideo(id: string, params: URLSearchParams, request: IncomingMessage): unknown {
    const video = this.videoFor(id, params, request, ['pages_read_engagement']);
    return this.liveVideoNode(video, requestedFields(params, LIVE_VIDEO_FIELDS, ['id', 'title', 'description', 'status'], 'LiveVideo'));
  }

  private updateLiveVideo(id: string, params: URLSearchParams, request: IncomingMessage): unknown {
    const video = this.videoFor(id, params, request, FACEBOOK_LIVE_SCOPES);
    const ended = video.status === 'LIVE_STOPPED' || video.status === 'VOD';
    if (params.get('end_live_video') === 'true') {
      if (ended) throw new GraphError(400, 100, '(#100) This live video has already ended');
      video.status = 'LIVE_STOPPED';
      video.endedAt = new Date();
      video.receiving = false;
      return { id: video.id };
    }
    const status = params.get('status');
    const { title, description } = validText(params);
    if (status === null && title === undefined && description === undefined) throw new GraphError(400, 100, '(#100) No parameters to update were given');
    if (status !== null) {
      if (status !== 'LIVE_NOW' && status !== 'UNPUBLISHED') throw new GraphError(400, 100, `(#100) Param status must be one of {UNPUBLISHED, LIVE_NOW}`);
      if (ended || (status === 'UNPUBLISHED' && video.status === 'LIVE')) throw new GraphError(400, 100, `(#100) A live video that is ${video.status} cannot become ${status}`);
      video.published = status === 'LIVE_NOW';
      this.goLiveIfReady(video);
    }
    if (title !== undefined) video.title = title;
    if (description !== undefined) video.description = description;
    return { id: video.id };
  }

  private liveVideoNode(video: LiveVideo, fields: string[]): Record<string, unknown> {
    const node: Record<string, unknown> = {};
    const live = video.status === 'LIVE';
    for (const field of fields) {
      switch (field) {
        case 'id': node['id'] = video.id; break;
        case 'title': node['title'] = video.title; break;
        case 'description': node['description'] = video.description; break;
        case 'status': node['status'] = video.status; break;
        case 'stream_url': node['stream_url'] = this.streamUrl(video); break;
        case 'secure_stream_url': node['secure_stream_url'] = this.secureStreamUrl(video); break;
        case 'permalink_url': node['permalink_url'] = `/${video.pageId}/videos/${video.id}/`; break;
        case 'live_views': node['live_views'] = live ? video.liveViews : 0; break;
        case 'creation_time': node['creation_time'] = graphTime(video.createdAt); break;
        case 'broadcast_start_time': if (video.startedAt) node['broadcast_start_time'] = graphTime(video.startedAt); break;
        case 'embed_html': node['embed_html'] = `<iframe src="https://www.facebook.com/plugins/video.php?href=%2F${video.pageId}%2Fvideos%2F${video.id}%2F" width="1280" height="720"></iframe>`; break;
        case 'ingest_streams':
          node['ingest_streams'] = [
            {
              id: `${video.id}0`,
              stream_id: '0',
              stream_url: this.streamUrl(video),
              secure_stream_url: this.secureStreamUrl(video),
              is_master: true,
              ...(video.receiving ? { stream_health: { video_bitrate: video.bitsPerSecond } } : {}),
            },
          ];
          break;
      }
    }
    return node;
  }

  private streamUrl(video: LiveVideo): string {
    return `${this.sink.rtmpUrl}/${video.streamKey}`;
  }

  private secureStreamUrl(video: LiveVideo): string {
    return `${this.sink.url}/${video.streamKey}`;
  }

  /** A published (`LIVE_NOW`) video goes `LIVE` once data arrives; an unpublished one stays a preview. */
  private goLiveIfReady(video: LiveVideo): void {
    if (video.status === 'UNPUBLISHED' && video.published && video.receiving) {
      video.status = 'LIVE';
      video.startedAt = new Date();
    }
  }

  /** A video receives while its stream name publishes at the ingest with its bytes growing. */
  protected override followIngest(publishing: PublishingStreams): void {
    const now = Date.now();
    const seconds = Math.max((now - this.lastPoll) / 1000, 0.001);
    this.lastPoll = now;
    for (const video of this.videos.values()) {
      if (video.status === 'LIVE_STOPPED' && video.endedAt !== undefined && now - video.endedAt.getTime() >= this.processingMs) video.status = 'VOD';
      if (video.status === 'LIVE_STOPPED' || video.status === 'VOD') continue;
      const bytesIn = publishing.get(video.streamName);
      if (bytesIn !== undefined && bytesIn > video.lastBytesIn) {
        video.receiving = true;
        video.bitsPerSecond = Math.round(((bytesIn - video.lastBytesIn) * 8) / seconds);
      } else if (bytesIn === undefined) {
        video.receiving = false;
        video.bitsPerSecond = 0;
      }
      video.lastBytesIn = bytesIn ?? 0;
      this.goLiveIfReady(video);
    }
  }
}

function viewOf(video: LiveVideo): FacebookLiveVideoView {
  const { id, pageId, title, description, status, published, receiving, liveViews } = video;
  return { id, pageId, title, description, status, published, receiving, liveViews };
}

/** The token endpoint's errors in Graph's shape (Facebook answers them with HTTP 400). */
function graphOAuthError(error: OAuthErrorCode, description: string): unknown {
  const words: Record<OAuthErrorCode, [number, string]> = {
    invalid_client: [1, 'Error validating client secret.'],
    invalid_grant: [100, `Error validating verification code: ${description}`],
    invalid_request: [100, description],
    unsupported_grant_type: [100, description],
    invalid_scope: [100, description],
  };
  const [code, message] = words[error];
  return new GraphError(400, code, message).body();
}

function unsupported(node: string): GraphError {
  return new GraphError(400, 100, `Unsupported request. Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, {
    type: 'GraphMethodException',
    subcode: 33,
  });
}

function requireScopes(granted: readonly string[], needed: readonly string[], message: string): void {
  if (needed.some((scope) => !granted.includes(scope))) throw new GraphError(403, 200, message);
}

function validText(params: URLSearchParams): { title?: string; description?: string } {
  const title = params.get('title') ?? undefined;
  const description = params.get('description') ?? undefined;
  if (title !== undefined && [...title].length > TITLE_MAX) throw new GraphError(400, 100, `(#100) The title must be at most ${TITLE_MAX} characters long`);
  if (description !== undefined && [...description].length > DESCRIPTION_MAX) throw new GraphError(400, 100, `(#100) The description must be at most ${DESCRIPTION_MAX} characters long`);
  return { title, description };
}

/** `fields=a,b,c` (a nested selection `a{b}` counts as `a`); an unknown field is Graph's error #100. */
function requestedFields(params: URLSearchParams, known: readonly string[], defaults: string[], nodeType: string): string[] {
  const fields = listParameter(params.get('fields')).map((field) => field.replace(/\{.*$/, ''));
  for (const field of fields) {
    if (!known.includes(field)) throw new GraphError(400, 100, `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`);
  }
  return fields.length > 0 ? ['id', ...fields.filter((field) => field !== 'id')] : defaults;
}

/** A Graph list parameter: a JSON array (`["A","B"]`) or a comma-separated list. */
function listParameter(value: string | null): string[] {
  if (value === null || value.trim() === '') return [];
  if (value.trim().startsWith('[')) {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      throw new GraphError(400, 100, `(#100) Invalid parameter: ${value}`);
    }
  }
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

/** Graph takes parameters in the query and in a form or JSON body alike. */
async function readParams(request: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.searchParams);
  const body = await readBody(request);
  if (body === '') return params;
  if (/json/i.test(request.headers['content-type'] ?? '')) {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    for (const [name, value] of Object.entries(parsed)) params.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  } else {
    for (const [name, value] of new URLSearchParams(body)) params.set(name, value);
  }
  return params;
}

/** Graph's ISO time: `2025-06-01T20:00:00+0000`. */
function graphTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

function graphId(): string {
  return `${randomInt(100_000, 999_999)}${randomInt(100_000_000, 999_999_999)}`;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
}
