import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { RtmpSink } from '../rtmp-sink.js';
import { CallCounter, LoopbackPlatformFake, type PublishingStreams } from './fake-server.js';
import { OAuthAuthority, readBody, type OAuthClientRegistration } from './oauth-authority.js';
import { PlatformFaults, type PlatformFault } from './platform-faults.js';

/** What StreamCaster asks Kick for (KickDevDocs `scopes/scopes.md`). */
export const KICK_SCOPES = ['user:read', 'channel:read', 'channel:write', 'streamkey:read'] as const;

/** Kick's own troubles on top of the common ones: its Cloudflare edge's block page, and a 429. */
export type KickFault = PlatformFault | 'blocked' | 'rate-limited';

/** The public API calls the fake answers, by the names its counters and faults use. */
export type KickCall = 'users' | 'channels.read' | 'channels.update' | 'livestreams' | 'oauth/token';

export interface KickUser {
  userId: number;
  name: string;
  /** The channel's slug: `https://kick.com/<slug>`. */
  slug: string;
  email?: string;
}

export interface KickCategory {
  id: number;
  name: string;
}

export interface KickFakeOptions {
  /** Where the fake keeps its ingest's nginx configuration and recordings. */
  directory: string;
  client: OAuthClientRegistration;
  /** Access token lifetime in seconds (7200; Kick does not document it). */
  accessTokenLifetimeSeconds?: number;
  /** How often the ingest's /stat is read (250 ms). */
  ingestPollMs?: number;
}

/** A channel as the tests see it. */
export interface KickChannelView {
  userId: number;
  slug: string;
  streamTitle: string;
  categoryId: number | null;
  isLive: boolean;
  viewerCount: number;
}

interface Channel extends KickChannelView {
  user: KickUser;
  streamKey: string;
  channelId: number;
  startedAt?: Date;
  lastBytesIn: number;
}

/** Who calls: the token's channel and what the token may do. */
interface Caller {
  channel: Channel;
  scopes: string[];
}

/** A Kick API error: `{ "data": <detail>, "message": "<status text>" }`. */
class KickApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly data: unknown = {},
  ) {
    super(message);
  }
}

const DEFAULT_CATEGORIES: KickCategory[] = [
  { id: 15, name: 'Just Chatting' },
  { id: 22, name: 'Music' },
];
/** PLATFORM_RULES's limit (one client truncates titles to 100 characters; Kick does not document it). */
const TITLE_MAX = 100;

/**
 * A fake of Kick's public API (`/public/v1`) and its OAuth 2.1 server (`/oauth/*`, PKCE S256
 * required, rotating refresh tokens, `{"error":"Invalid request"}`), with a real nginx-rtmp ingest
 * behind stunnel: a channel is live (`stream.is_live`, listed in `/livestreams`) only while bytes
 * arrive under its stream key. Kick has no test mode: whatever reaches it is public.
 */
export class KickFake extends LoopbackPlatformFake {
  private readonly channels = new Map<number, Channel>();
  private readonly categories = new Map<number, KickCategory>(DEFAULT_CATEGORIES.map((category) => [category.id, category]));
  private readonly callCounts = new CallCounter<KickCall>();
  private readonly faults = new PlatformFaults<KickFault>();

  private constructor(options: KickFakeOptions) {
    const oauth = new OAuthAuthority({
      authorizePath: '/oauth/authorize',
      tokenPath: '/oauth/token',
      revokePath: '/oauth/revoke',
      accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 7200,
      rotateRefreshTokens: true,
      requirePkce: true,
      errorStatus: () => 400,
      errorBody: () => ({ error: 'Invalid request' }),
      tokenPrefix: 'kickfake',
    });
    super(oauth, new RtmpSink('kick', options.directory, true));
    this.oauth.registerClient(options.client);
  }

  static async start(options: KickFakeOptions): Promise<KickFake> {
    return new KickFake(options).serve(options.ingestPollMs);
  }

  /** The codes, tokens and stream keys it handed out: none may ever appear in StreamCaster's logs. */
  issuedSecrets(): string[] {
    return [...this.oauth.issuedSecrets(), ...[...this.channels.values()].map((channel) => channel.streamKey)];
  }

  /** KICK_API_URL. */
  get apiUrl(): string {
    return `${this.baseUrl}/public/v1`;
  }

  get revokeUrl(): string {
    return `${this.baseUrl}${this.oauth.revokePath}`;
  }

  /** Adds a user with their channel and logs them in at the authorize page. */
  addUser(user: KickUser): void {
    this.channels.set(user.userId, {
      user,
      userId: user.userId,
      slug: user.slug,
      channelId: user.userId + 1_000_000,
      streamTitle: '',
      categoryId: null,
      isLive: false,
      viewerCount: 0,
      streamKey: `sk_us-west-2_${randomBytes(12).toString('base64url')}`,
      lastBytesIn: 0,
    });
    this.oauth.consentAs(String(user.userId));
  }

  addCategory(category: KickCategory): void {
    this.categories.set(category.id, category);
  }

  setViewerCount(userId: number, viewers: number): void {
    const channel = this.channels.get(userId);
    if (channel !== undefined) channel.viewerCount = viewers;
  }

  channel(userId: number): KickChannelView | undefined {
    const channel = this.channels.get(userId);
    if (channel === undefined) return undefined;
    const { slug, streamTitle, categoryId, isLive, viewerCount } = channel;
    return { userId, slug, streamTitle, categoryId, isLive, viewerCount };
  }

  failNext(fault: KickFault, options: { call?: KickCall; afterDoing?: boolean } = {}): void {
    this.faults.plan(fault, options);
  }

  calls(call?: KickCall): number {
    return this.callCounts.of(call);
  }

  protected override async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    try {
      if (url.pathname === this.oauth.tokenPath) {
        this.callCounts.count('oauth/token');
        if (this.meetFault('oauth/token', response, false)) return;
      }
      if (await this.oauth.handle(request, response, url)) return;
      const body = await readBody(request);
      const route = this.routeOf(request.method ?? 'GET', url.pathname);
      this.callCounts.count(route.call);
      if (this.meetFault(route.call, response, false)) return;
      const caller = this.authenticate(request, route.scopes);
      const result = route.run(caller, url.searchParams, body);
      if (this.meetFault(route.call, response, true)) return;
      if (result === undefined) response.writeHead(204).end();
      else sendJson(response, 200, { data: result, message: 'OK' });
    } catch (error) {
      const apiError = error instanceof KickApiError ? error : new KickApiError(500, 'Internal Server Error', String(error));
      sendJson(response, apiError.status, { data: apiError.data, message: apiError.message });
    }
  }

  private meetFault(call: KickCall, response: ServerResponse, afterDoing: boolean): boolean {
    const planned = this.faults.take(call, afterDoing);
    if (planned === undefined) return false;
    switch (planned.fault) {
      case 'hang':
        return true;
      case 'html':
        response.writeHead(502, { 'content-type': 'text/html; charset=UTF-8' }).end('<!DOCTYPE html><html><head><title>api.kick.com | 502: Bad gateway</title></head><body>Cloudflare</body></html>');
        return true;
      case 'blocked':
        sendJson(response, 403, { error: 'Request blocked by security policy.', reference: randomBytes(8).toString('hex') });
        return true;
      case 'rate-limited':
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' }).end(JSON.stringify({ data: {}, message: 'Too Many Requests' }));
        return true;
      case 'server-error':
        sendJson(response, 500, { data: {}, message: 'Internal Server Error' });
        return true;
    }
  }

  private routeOf(method: string, pathname: string): { call: KickCall; scopes: readonly string[]; run: (caller: Caller, query: URLSearchParams, body: string) => unknown } {
    const route = `${method} ${pathname.replace(/\/+$/, '')}`;
    switch (route) {
      case 'GET /public/v1/users':
        return { call: 'users', scopes: ['user:read'], run: (caller, query) => this.users(caller, query) };
      case 'GET /public/v1/channels':
        return { call: 'channels.read', scopes: ['channel:read'], run: (caller, query) => this.readChannels(caller, query) };
      case 'PATCH /public/v1/channels':
        return { call: 'channels.update', scopes: ['channel:write'], run: (caller, _query, body) => this.updateChannel(caller, body) };
      case 'GET /public/v1/livestreams':
        return { call: 'livestreams', scopes: [], run: (_caller, query) => this.livestreams(query) };
      default:
        throw new KickApiError(404, 'Not Found');
    }
  }

  /** The token's user and channel; a missing scope is a 403. */
  private authenticate(request: IncomingMessage, scopes: readonly string[]): Caller {
    const check = this.oauth.verifyBearer(request, []);
    if (!check.ok) throw new KickApiError(401, 'Unauthorized');
    const channel = this.channels.get(Number(check.grant.subject));
    if (channel === undefined) throw new KickApiError(401, 'Unauthorized');
    const missing = scopes.filter((scope) => !check.grant.scopes.includes(scope));
    if (missing.length > 0) throw new KickApiError(403, 'Forbidden', `missing scope: ${missing.join(' ')}`);
    return { channel, scopes: check.grant.scopes };
  }

  private users({ channel }: Caller, query: URLSearchParams): unknown {
    const ids = query.getAll('id').map(Number);
    const users = ids.length === 0 ? [channel] : ids.map((id) => this.channels.get(id)).filter((found): found is Channel => found !== undefined);
    return users.map(({ user }) => ({
      user_id: user.userId,
      name: user.name,
      ...(user.userId === channel.userId ? { email: user.email ?? `${user.slug}@example.invalid` } : {}),
      profile_picture: `https://files.kick.com/images/user/${user.userId}/profile_image/fullsize.webp`,
    }));
  }

  /** The token's own channel, or the ones asked for; the stream key only to the owner with `streamkey:read`. */
  private readChannels({ channel, scopes }: Caller, query: URLSearchParams): unknown {
    const ids = query.getAll('broadcaster_user_id').map(Number);
    const slugs = query.getAll('slug');
    const wanted =
      ids.length === 0 && slugs.length === 0
        ? [channel]
        : [...this.channels.values()].filter((candidate) => ids.includes(candidate.userId) || slugs.includes(candidate.slug));
    return wanted.map((found) => {
      const owner = found.userId === channel.userId && scopes.includes('streamkey:read');
      const category = found.categoryId === null ? null : this.categories.get(found.categoryId);
      return {
        broadcaster_user_id: found.userId,
        slug: found.slug,
        stream_title: found.streamTitle,
        channel_description: '',
        banner_picture: '',
        category: category ? { id: category.id, name: category.name, thumbnail: `https://files.kick.com/images/subcategories/${category.id}/banner.webp` } : { id: 0, name: '', thumbnail: '' },
        stream: {
          url: owner ? `${this.sink.url}/` : '',
          key: owner ? found.streamKey : '',
          is_live: found.isLive,
          is_mature: false,
          language: 'en',
          start_time: found.startedAt?.toISOString() ?? '0001-01-01T00:00:00Z',
          viewer_count: found.isLive ? found.viewerCount : 0,
          custom_tags: [],
        },
        active_subscribers_count: 0,
        canceled_subscribers_count: 0,
      };
    });
  }

  private updateChannel({ channel }: Caller, body: string): undefined {
    let parsed: unknown;
    try {
      parsed = body === '' ? {} : JSON.parse(body);
    } catch {
      throw new KickApiError(400, 'Bad request', 'invalid JSON body');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new KickApiError(400, 'Bad request', 'the body must be a JSON object');
    const fields = parsed as Record<string, unknown>;
    const title = fields['stream_title'];
    const categoryId = fields['category_id'];
    if (title === undefined && categoryId === undefined && fields['custom_tags'] === undefined) {
      throw new KickApiError(400, 'Bad request', 'at least one of stream_title, category_id or custom_tags is required');
    }
    if (title !== undefined && (typeof title !== 'string' || title.trim() === '')) throw new KickApiError(400, 'Bad request', 'stream_title must be a non-empty string');
    if (typeof title === 'string' && [...title].length > TITLE_MAX) throw new KickApiError(400, 'Bad request', `stream_title must be at most ${TITLE_MAX} characters`);
    if (categoryId !== undefined) {
      if (typeof categoryId !== 'number' || !Number.isInteger(categoryId) || categoryId <= 0) throw new KickApiError(400, 'Bad request', 'category_id must be a positive integer');
      if (!this.categories.has(categoryId)) throw new KickApiError(404, 'Not Found', 'category not found');
      channel.categoryId = categoryId;
    }
    if (typeof title === 'string') channel.streamTitle = title;
    return undefined;
  }

  /** The live channels, filtered by `broadcaster_user_id` (repeatable); a channel that is not live is absent. */
  private livestreams(query: URLSearchParams): unknown {
    const ids = [...query.getAll('broadcaster_user_id'), ...query.getAll('broadcaster_user_id[]')].map(Number);
    return [...this.channels.values()]
      .filter((channel) => channel.isLive && (ids.length === 0 || ids.includes(channel.userId)))
      .map((channel) => {
        const category = channel.categoryId === null ? undefined : this.categories.get(channel.categoryId);
        return {
          broadcaster_user_id: channel.userId,
          channel_id: channel.channelId,
          slug: channel.slug,
          stream_title: channel.streamTitle,
          category: category ? { id: category.id, name: category.name, thumbnail: '' } : { id: 0, name: '', thumbnail: '' },
          language: 'en',
          has_mature_content: false,
          viewer_count: channel.viewerCount,
          started_at: channel.startedAt?.toISOString(),
          thumbnail: `https://images.kick.com/video_thumbnails/${channel.slug}/480.webp`,
          profile_picture: `https://files.kick.com/images/user/${channel.userId}/profile_image/fullsize.webp`,
        };
      });
  }

  /** A channel is live while its stream key publishes at the ingest with its bytes growing. */
  protected override followIngest(publishing: PublishingStreams): void {
    for (const channel of this.channels.values()) {
      const bytesIn = publishing.get(channel.streamKey);
      if (bytesIn !== undefined && bytesIn > channel.lastBytesIn && !channel.isLive) {
        channel.isLive = true;
        channel.startedAt = new Date();
      } else if (bytesIn === undefined && channel.isLive) {
        channel.isLive = false;
        channel.startedAt = undefined;
      }
      channel.lastBytesIn = bytesIn ?? 0;
    }
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
