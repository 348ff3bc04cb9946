import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from '../../free-port.js';
import { RtmpSink } from '../rtmp-sink.js';
import { closeServer, pollIngest, type PublishingStreams } from './fake-server.js';
import { OAuthAuthority, readBody, type OAuthClientRegistration, type OAuthRefusal } from './oauth-authority.js';

/** The scopes of the Helix endpoints StreamCaster calls (`GET /users`, `GET /streams` and `GET /channels` need none). */
export const TWITCH_SCOPES = {
  manageBroadcast: 'channel:manage:broadcast',
  readStreamKey: 'channel:read:stream_key',
} as const;

/** Categories the fake knows (`game_id`); Twitch's ids. */
export const TWITCH_CATEGORIES = [
  { id: '26936', name: 'Music' },
  { id: '509658', name: 'Just Chatting' },
  { id: '509660', name: 'Art' },
] as const;

/** What GET /streams/key answers for a channel that may not stream yet (Twitch's words, from its reference). */
export const TWITCH_CANNOT_STREAM_MESSAGE = 'The user must complete additional steps in order to stream. Present the user with the returned error message.';

export interface TwitchUser {
  id: string;
  login: string;
  displayName?: string;
  broadcasterType?: '' | 'affiliate' | 'partner';
}

export interface TwitchFakeOptions {
  /** Where the fake keeps its ingest's nginx configuration and recordings. */
  directory: string;
  /** The application StreamCaster is configured with (TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET, its redirect URI). */
  client: OAuthClientRegistration;
  /**
   * The port of the API, auth and authorize page (TWURPLE_MOCK_API_PORT); a free one by default.
   * twurple reads the variable on every request, so a test sets it once the fake has started.
   */
  port?: number;
  /** Access token lifetime in seconds (4 hours, as Twitch's user tokens typically live). */
  accessTokenLifetimeSeconds?: number;
  /** Points of a user's Helix bucket per minute (800, Twitch's default); each request costs one. */
  rateLimit?: number;
  /** How often the ingest's /stat is read to decide whether a channel is live (250 ms). */
  ingestPollMs?: number;
}

/** One publish that the ingest let in. */
export interface TwitchPublish {
  key: string;
  userId: string;
  /** The stream name carried `?bandwidthtest=true`: accepted, never put on air. */
  bandwidthTest: boolean;
}

export interface TwitchChannelInfo {
  title: string;
  gameId: string;
  gameName: string;
  language: string;
}

/** A request the fake answered (ingest notifications aside), for tests that check what was sent and when. */
export interface TwitchRequest {
  method: string;
  path: string;
  status: number;
  /** Epoch milliseconds at which it arrived. */
  at: number;
}

interface User {
  id: string;
  login: string;
  displayName: string;
  broadcasterType: string;
  createdAt: string;
  streamKey: string;
  channel: { title: string; gameId: string; language: string; delay: number; tags: string[] };
  /** Why GET /streams/key is refused (403), or null when the channel may stream. */
  cannotStream: string | null;
  viewerCount: number;
  /** The stream on air, or null when offline. */
  live: { id: string; startedAt: string } | null;
}

/** Who calls Helix: the token's user and the scopes the token carries. */
interface Caller {
  user: User;
  scopes: string[];
}

interface ActivePublish extends TwitchPublish {
  lastBytesIn: number;
}

interface Bucket {
  remaining: number;
  /** Epoch milliseconds at which the bucket is full again. */
  resetAt: number;
}

const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** A Helix error: `{ error: <reason phrase>, status, message }`. */
class HelixError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const RATE_LIMIT_WINDOW_MS = 60_000;
const TITLE_MAX_LENGTH = 140;
const CHANNEL_FIELDS = ['game_id', 'broadcaster_language', 'title', 'delay', 'tags', 'content_classification_labels', 'is_branded_content'];

/**
 * A fake of Twitch for twurple's mock mode (`TWURPLE_MOCK_API_PORT`): on one port, Helix under
 * `/mock/<path>`, the OAuth endpoints under `/auth/{token,validate,revoke}` (parameters in the query
 * string, as twurple sends them) and the authorize page at `/oauth2/authorize` (TWITCH_AUTH_URL, which
 * mock mode does not cover), listening on 127.0.0.1 and ::1 because twurple calls `localhost`. Its
 * ingest is a real nginx-rtmp behind stunnel (TWITCH_INGEST_URL): nginx's `on_publish` tells the fake
 * who publishes and whether the stream name carried `?bandwidthtest=true` (its /stat does not show
 * the query), and /stat tells it whether bytes arrive; a channel is live only while they do, and
 * never for a bandwidth test.
 */
export class TwitchFake {
  readonly oauth: OAuthAuthority;
  private readonly users = new Map<string, User>();
  private readonly active = new Map<string, ActivePublish>();
  private readonly publishLog: TwitchPublish[] = [];
  private readonly bytesByKey = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly requestLog: TwitchRequest[] = [];
  private readonly servers: Server[] = [];
  private readonly rateLimit: number;
  private sink: RtmpSink | undefined;
  private poller: NodeJS.Timeout | undefined;
  private listenPort = 0;

  private constructor(options: TwitchFakeOptions) {
    this.oauth = new OAuthAuthority({
      authorizePath: '/oauth2/authorize',
      tokenPath: '/auth/token',
      revokePath: '/auth/revoke',
      accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 4 * 3600,
      rotateRefreshTokens: true,
      tokenPrefix: 'twitchfake',
      refusal: twitchRefusal,
      parametersInQuery: true,
      pkce: false,
      scopeAsArray: true,
      tokenType: 'bearer',
      jsonContentType: 'application/json',
      revokeChecksClient: true,
      emptyRevokeAnswer: true,
      deniedDescription: 'The user denied you access',
    });
    this.oauth.registerClient(options.client);
    this.rateLimit = options.rateLimit ?? 800;
  }

  static async start(options: TwitchFakeOptions): Promise<TwitchFake> {
    const fake = new TwitchFake(options);
    await fake.listen(options.port);
    fake.sink = new RtmpSink('twitch', options.directory, true, {
      onPublish: `http://127.0.0.1:${fake.listenPort}/ingest/on_publish`,
      onPublishDone: `http://127.0.0.1:${fake.listenPort}/ingest/on_publish_done`,
    });
    try {
      await fake.sink.start();
    } catch (error) {
      await fake.stop();
      throw error;
    }
    fake.poller = pollIngest(fake.sink, options.ingestPollMs, (publishing) => fake.followIngest(publishing));
    return fake;
  }

  async stop(): Promise<void> {
    clearInterval(this.poller);
    for (const server of this.servers) await closeServer(server);
    await this.sink?.stop();
  }

  /** The codes, tokens and stream keys it handed out: none may ever appear in StreamCaster's logs. */
  issuedSecrets(): string[] {
    return [...this.oauth.issuedSecrets(), ...[...this.users.values()].map((user) => user.streamKey)];
  }

  /** TWURPLE_MOCK_API_PORT. */
  get port(): number {
    return this.listenPort;
  }

  /** The whole authorize page URL (TWITCH_AUTH_URL). */
  get authUrl(): string {
    return `http://localhost:${this.listenPort}${this.oauth.authorizePath}`;
  }

  /** The RTMPS ingest the key is appended to (TWITCH_INGEST_URL): `rtmps://127.0.0.1:<port>/app`. */
  get ingestUrl(): string {
    return this.ingest.url;
  }

  get ingest(): RtmpSink {
    if (this.sink === undefined) throw new Error('the Twitch fake is not started');
    return this.sink;
  }

  /** Adds a user with a channel and a stream key, and logs them in at the authorize page. */
  addUser(user: TwitchUser): void {
    this.users.set(user.id, {
      id: user.id,
      login: user.login,
      displayName: user.displayName ?? user.login,
      broadcasterType: user.broadcasterType ?? '',
      createdAt: '2019-11-18T00:47:34Z',
      streamKey: `live_${user.id}_${randomBytes(15).toString('hex')}`,
      channel: { title: '', gameId: '', language: 'en', delay: 0, tags: [] },
      cannotStream: null,
      viewerCount: 0,
      live: null,
    });
    this.oauth.consentAs(user.id);
  }

  channel(userId: string): TwitchChannelInfo {
    const { channel } = this.user(userId);
    return { title: channel.title, gameId: channel.gameId, gameName: categoryName(channel.gameId), language: channel.language };
  }

  streamKey(userId: string): string {
    return this.user(userId).streamKey;
  }

  /** GET /streams/key answers 403 with `message` (and the ingest refuses the key) until called with null. */
  setCannotStream(userId: string, message: string | null = TWITCH_CANNOT_STREAM_MESSAGE): void {
    this.user(userId).cannotStream = message;
  }

  /** The `viewer_count` GET /streams reports while the channel is live. */
  setViewerCount(userId: string, viewers: number): void {
    this.user(userId).viewerCount = viewers;
  }

  isLive(userId: string): boolean {
    return this.user(userId).live !== null;
  }

  /** Every publish the ingest let in, oldest first. */
  publishes(): TwitchPublish[] {
    return this.publishLog.map((publish) => ({ ...publish }));
  }

  /** Bytes the ingest's /stat last showed for a stream key (0 when it never published). */
  bytesReceived(key: string): number {
    return this.bytesByKey.get(key) ?? 0;
  }

  /** Empties a user's Helix bucket until `resetInMs` from now: their requests get 429 until then. */
  exhaustRateLimit(userId: string, resetInMs: number): void {
    this.buckets.set(userId, { remaining: 0, resetAt: wholeSecondAfter(resetInMs) });
  }

  /** The requests answered so far (Helix and auth), oldest first. */
  requests(): TwitchRequest[] {
    return this.requestLog.map((request) => ({ ...request }));
  }

  private user(userId: string): User {
    const user = this.users.get(userId);
    if (user === undefined) throw new Error(`the Twitch fake has no user ${userId}`);
    return user;
  }

  /** On the port given, or a free one; on 127.0.0.1 and on ::1 where the machine has IPv6. */
  private async listen(port: number | undefined): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const candidate = port ?? (await freePort());
      try {
        for (const host of ['127.0.0.1', '::1']) {
          const server = createServer((request, response) => void this.route(request, response));
          try {
            await new Promise<void>((resolve, reject) => {
              server.once('error', reject);
              server.listen(candidate, host, () => resolve());
            });
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (host === '::1' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
            throw error;
          }
          this.servers.push(server);
        }
        this.listenPort = candidate;
        return;
      } catch (error) {
        for (const server of this.servers.splice(0)) server.close();
        if (port !== undefined || attempt >= 5 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      }
    }
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const at = Date.now();
    response.once('finish', () => {
      if (!url.pathname.startsWith('/ingest/')) this.requestLog.push({ method: request.method ?? 'GET', path: url.pathname, status: response.statusCode, at });
    });
    try {
      if (await this.oauth.handle(request, response, url)) return;
      const body = await readBody(request);
      if (url.pathname === '/auth/validate' && request.method === 'GET') return this.validate(request, response);
      if (url.pathname === '/ingest/on_publish' && request.method === 'POST') return this.onPublish(new URLSearchParams(body), response);
      if (url.pathname === '/ingest/on_publish_done' && request.method === 'POST') return this.onPublishDone(new URLSearchParams(body), response);
      if (url.pathname.startsWith('/mock/')) return this.helix(request, url, body, response);
      sendHelixError(response, new HelixError(404, `${request.method} ${url.pathname} is not a Twitch endpoint`), {});
    } catch (error) {
      sendHelixError(response, new HelixError(500, String(error)), {});
    }
  }

  /** id.twitch.tv/oauth2/validate: `Authorization: OAuth <token>` (twurple) or `Bearer <token>`. */
  private validate(request: IncomingMessage, response: ServerResponse): void {
    const token = /^(?:OAuth|Bearer)\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) return sendJson(response, 401, { status: 401, message: 'missing authorization token' });
    const check = this.oauth.verifyToken(token, []);
    const user = check.ok ? this.users.get(check.grant.subject) : undefined;
    if (!check.ok || user === undefined) return sendJson(response, 401, { status: 401, message: 'invalid access token' });
    sendJson(response, 200, {
      client_id: check.grant.clientId,
      login: user.login,
      scopes: check.grant.scopes,
      user_id: user.id,
      expires_in: Math.max(0, Math.floor((check.expiresAt - Date.now()) / 1000)),
    });
  }

  /**
   * nginx-rtmp's on_publish: `name` is the stream key without its query; the query's parameters
   * (`bandwidthtest=true`) follow as fields of their own. An unknown key is refused, as Twitch's
   * ingest drops it.
   */
  private onPublish(form: URLSearchParams, response: ServerResponse): void {
    const key = form.get('name') ?? '';
    const user = [...this.users.values()].find((candidate) => candidate.streamKey === key);
    if (user === undefined || user.cannotStream !== null) {
      response.writeHead(403).end();
      return;
    }
    const publish: TwitchPublish = { key, userId: user.id, bandwidthTest: form.get('bandwidthtest') === 'true' };
    this.publishLog.push(publish);
    this.active.set(form.get('clientid') ?? key, { ...publish, lastBytesIn: 0 });
    response.writeHead(200).end();
  }

  private onPublishDone(form: URLSearchParams, response: ServerResponse): void {
    const publish = this.active.get(form.get('clientid') ?? '');
    if (publish !== undefined) {
      this.active.delete(form.get('clientid') ?? '');
      if (!publish.bandwidthTest) this.goOffline(publish.userId);
    }
    response.writeHead(200).end();
  }

  /** A channel is live while a publish without bandwidthtest sends bytes under its key. */
  private followIngest(publishing: PublishingStreams): void {
    for (const publish of this.active.values()) {
      const bytesIn = publishing.get(publish.key);
      if (bytesIn !== undefined) this.bytesByKey.set(publish.key, bytesIn);
      if (publish.bandwidthTest) continue;
      const user = this.user(publish.userId);
      if (bytesIn !== undefined && bytesIn > publish.lastBytesIn && user.live === null) {
        user.live = { id: String(randomInt(10_000_000, 99_999_999)) + String(randomInt(100, 999)), startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
      } else if (bytesIn === undefined) {
        this.goOffline(publish.userId);
      }
      publish.lastBytesIn = bytesIn ?? 0;
    }
  }

  private goOffline(userId: string): void {
    const user = this.users.get(userId);
    if (user !== undefined) user.live = null;
  }

  private helix(request: IncomingMessage, url: URL, body: string, response: ServerResponse): void {
    const route = `${request.method} ${url.pathname.slice('/mock'.length)}`;
    // Before the token is known, the answer's headers are those of the client's own bucket.
    let bucketKey = `client:${headerValue(request, 'client-id') ?? ''}`;
    const send = (status: number, answer?: unknown): void => {
      const headers = rateLimitHeaders(this.bucket(bucketKey), this.rateLimit);
      if (answer === undefined) response.writeHead(status, headers).end();
      else response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
    };
    try {
      const caller = this.authenticate(request);
      bucketKey = caller.user.id;
      this.spend(bucketKey);
      const query = url.searchParams;
      switch (route) {
        case 'GET /users':
          return send(200, { data: this.listUsers(caller.user, query).map(userView) });
        case 'GET /channels':
          return send(200, { data: this.listChannels(query).map(channelView) });
        case 'PATCH /channels':
          this.modifyChannel(caller, query, body);
          return send(204);
        case 'GET /streams/key':
          return send(200, { data: [{ stream_key: this.streamKeyFor(caller, query) }] });
        case 'GET /streams':
          return send(200, { data: this.listStreams(query).map(streamView), pagination: {} });
        default:
          throw new HelixError(404, `${route} is not an endpoint of this fake`);
      }
    } catch (error) {
      if (!(error instanceof HelixError)) throw error;
      sendHelixError(response, error, rateLimitHeaders(this.bucket(bucketKey), this.rateLimit));
    }
  }

  /** The user behind `Authorization: Bearer`, whose token was issued to the `Client-Id` sent with it. */
  private authenticate(request: IncomingMessage): Caller {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) throw new HelixError(401, 'OAuth token is missing');
    const check = this.oauth.verifyToken(token, []);
    const user = check.ok ? this.users.get(check.grant.subject) : undefined;
    if (!check.ok || user === undefined) throw new HelixError(401, 'Invalid OAuth token');
    const clientId = headerValue(request, 'client-id');
    if (clientId === undefined) throw new HelixError(401, 'Client ID is missing');
    if (clientId !== check.grant.clientId) throw new HelixError(401, 'Client ID and OAuth token do not match');
    return { user, scopes: check.grant.scopes };
  }

  private bucket(key: string): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined || bucket.resetAt <= Date.now()) {
      bucket = { remaining: this.rateLimit, resetAt: wholeSecondAfter(RATE_LIMIT_WINDOW_MS) };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Each request costs a point; an empty bucket answers 429 until it is full again. */
  private spend(key: string): void {
    const bucket = this.bucket(key);
    if (bucket.remaining <= 0) throw new HelixError(429, 'Too Many Requests');
    bucket.remaining -= 1;
  }

  private listUsers(self: User, query: URLSearchParams): User[] {
    const ids = query.getAll('id');
    const logins = query.getAll('login').map((login) => login.toLowerCase());
    if (ids.length + logins.length > 100) throw new HelixError(400, 'The combined number of id and login query parameters may not exceed 100');
    if (ids.length === 0 && logins.length === 0) return [self];
    return [...this.users.values()].filter((user) => ids.includes(user.id) || logins.includes(user.login));
  }

  private listChannels(query: URLSearchParams): User[] {
    const ids = query.getAll('broadcaster_id');
    if (ids.length === 0) throw new HelixError(400, 'Missing required parameter "broadcaster_id"');
    if (ids.length > 100) throw new HelixError(400, 'The number of broadcaster_id query parameters may not exceed 100');
    return ids.map((id) => this.users.get(id)).filter((user): user is User => user !== undefined);
  }

  /** A request on the token's own channel: the scope it needs, then broadcaster_id equal to the token's user. */
  private ownChannel(caller: Caller, scope: string, query: URLSearchParams): User {
    if (!caller.scopes.includes(scope)) throw new HelixError(401, `Missing scope: ${scope}`);
    const broadcasterId = query.get('broadcaster_id');
    if (broadcasterId === null || broadcasterId === '') throw new HelixError(400, 'Missing required parameter "broadcaster_id"');
    if (broadcasterId !== caller.user.id) throw new HelixError(401, "The ID in broadcaster_id must match the user ID found in the request's OAuth token.");
    return caller.user;
  }

  /** PATCH /channels: every field is checked before any is applied; 204 with no body. */
  private modifyChannel(caller: Caller, query: URLSearchParams, body: string): void {
    const user = this.ownChannel(caller, TWITCH_SCOPES.manageBroadcast, query);
    let fields: Record<string, unknown>;
    try {
      const parsed: unknown = body === '' ? {} : JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      fields = parsed as Record<string, unknown>;
    } catch {
      throw new HelixError(400, 'The request body is not valid JSON');
    }
    if (!CHANNEL_FIELDS.some((name) => fields[name] !== undefined)) throw new HelixError(400, 'The request must update at least one field');
    const next = { ...user.channel, tags: [...user.channel.tags] };
    const title = fields['title'];
    if (title !== undefined) {
      if (typeof title !== 'string') throw new HelixError(400, 'The title field must be a string');
      if (title.trim() === '') throw new HelixError(400, 'The title field may not be empty');
      if ([...title].length > TITLE_MAX_LENGTH) throw new HelixError(400, 'Title is too long.');
      next.title = title;
    }
    const gameId = fields['game_id'];
    if (gameId !== undefined) {
      if (typeof gameId !== 'string') throw new HelixError(400, 'The game_id field must be a string');
      if (gameId !== '' && gameId !== '0' && !TWITCH_CATEGORIES.some((category) => category.id === gameId)) throw new HelixError(400, 'The game_id is not valid');
      next.gameId = gameId === '0' ? '' : gameId;
    }
    const language = fields['broadcaster_language'];
    if (language !== undefined) {
      if (typeof language !== 'string' || !/^(?:[a-z]{2}|other)$/.test(language)) throw new HelixError(400, 'The broadcaster_language must be an ISO 639-1 code or "other"');
      next.language = language;
    }
    const delay = fields['delay'];
    if (delay !== undefined) {
      // twurple sends the delay as a string.
      const seconds = Number(delay);
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > 900) throw new HelixError(400, 'The delay must be between 0 and 900 seconds');
      if (user.broadcasterType !== 'partner' && seconds > 0) throw new HelixError(400, 'Only partners may set a stream delay');
      next.delay = seconds;
    }
    const tags = fields['tags'];
    if (tags !== undefined) {
      if (!Array.isArray(tags) || tags.length > 10) throw new HelixError(400, 'A channel may have at most 10 tags');
      for (const tag of tags) {
        // Twitch counts a tag's length in UTF-8 bytes.
        if (typeof tag !== 'string' || tag === '' || Buffer.byteLength(tag) > 25 || /[\s\p{P}\p{S}]/u.test(tag)) {
          throw new HelixError(400, 'Each tag may have at most 25 characters and no spaces or special characters');
        }
      }
      next.tags = tags as string[];
    }
    user.channel = next;
  }

  private streamKeyFor(caller: Caller, query: URLSearchParams): string {
    const user = this.ownChannel(caller, TWITCH_SCOPES.readStreamKey, query);
    if (user.cannotStream !== null) throw new HelixError(403, user.cannotStream);
    return user.streamKey;
  }

  private listStreams(query: URLSearchParams): User[] {
    const ids = query.getAll('user_id');
    const logins = query.getAll('user_login').map((login) => login.toLowerCase());
    const gameIds = query.getAll('game_id');
    if (ids.length > 100 || logins.length > 100 || gameIds.length > 100) throw new HelixError(400, 'At most 100 user_id, user_login and game_id values may be given');
    const first = query.get('first');
    if (first !== null && !(Number.isInteger(Number(first)) && Number(first) >= 1 && Number(first) <= 100)) {
      throw new HelixError(400, 'The parameter "first" was malformed: the value must be between 1 and 100');
    }
    const type = query.get('type') ?? 'all';
    if (type !== 'all' && type !== 'live') throw new HelixError(400, 'The parameter "type" must be all or live');
    return [...this.users.values()]
      .filter((user) => user.live !== null)
      .filter((user) => (ids.length === 0 && logins.length === 0) || ids.includes(user.id) || logins.includes(user.login))
      .filter((user) => gameIds.length === 0 || gameIds.includes(user.channel.gameId))
      .slice(0, first === null ? 20 : Number(first));
  }
}

/** Twitch's token and revoke refusals: `{ status, message }` (the revoke page and nicklaw5/helix fixtures). */
function twitchRefusal(refusal: OAuthRefusal): { status: number; body: unknown } {
  const answer = (status: number, message: string): { status: number; body: unknown } => ({ status, body: { status, message } });
  switch (refusal.problem) {
    case 'missing_parameter':
      return answer(400, refusal.parameter === 'token' ? 'missing oauth token' : `missing ${(refusal.parameter ?? 'parameter').replace(/_/g, ' ')}`);
    case 'unknown_client':
      return refusal.endpoint === 'revoke' ? answer(404, 'client does not exist') : answer(400, 'invalid client');
    case 'wrong_client_secret':
      return answer(403, 'invalid client secret');
    case 'invalid_code':
    case 'invalid_code_verifier':
      return answer(400, 'Invalid authorization code');
    case 'redirect_uri_mismatch':
      return answer(400, 'Parameter redirect_uri does not match registered URI');
    case 'invalid_refresh_token':
      return answer(400, 'Invalid refresh token');
    case 'unsupported_grant_type':
      return answer(400, 'Invalid grant type');
    case 'invalid_token':
      return answer(400, 'Invalid token');
  }
}

/** Ratelimit-Reset is in whole seconds: the bucket refills exactly when the header says. */
function wholeSecondAfter(ms: number): number {
  return Math.ceil((Date.now() + ms) / 1000) * 1000;
}

function categoryName(gameId: string): string {
  return TWITCH_CATEGORIES.find((category) => category.id === gameId)?.name ?? '';
}

function userView(user: User): Record<string, unknown> {
  return {
    id: user.id,
    login: user.login,
    display_name: user.displayName,
    type: '',
    broadcaster_type: user.broadcasterType,
    description: '',
    profile_image_url: `https://static-cdn.jtvnw.net/jtv_user_pictures/${user.login}-profile_image-300x300.png`,
    offline_image_url: '',
    view_count: 0,
    created_at: user.createdAt,
  };
}

function channelView(user: User): Record<string, unknown> {
  return {
    broadcaster_id: user.id,
    broadcaster_login: user.login,
    broadcaster_name: user.displayName,
    broadcaster_language: user.channel.language,
    game_id: user.channel.gameId,
    game_name: categoryName(user.channel.gameId),
    title: user.channel.title,
    delay: user.channel.delay,
    tags: user.channel.tags,
    content_classification_labels: [],
    is_branded_content: false,
  };
}

function streamView(user: User): Record<string, unknown> {
  return {
    id: user.live?.id ?? '',
    user_id: user.id,
    user_login: user.login,
    user_name: user.displayName,
    game_id: user.channel.gameId,
    game_name: categoryName(user.channel.gameId),
    type: 'live',
    title: user.channel.title,
    tags: user.channel.tags,
    viewer_count: user.viewerCount,
    started_at: user.live?.startedAt ?? '',
    language: user.channel.language,
    thumbnail_url: `https://static-cdn.jtvnw.net/previews-ttv/live_user_${user.login}-{width}x{height}.jpg`,
    tag_ids: [],
    is_mature: false,
  };
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Sent with every Helix answer: twurple's rate limiter reads all three and stalls without them. */
function rateLimitHeaders(bucket: Bucket, limit: number): Record<string, string> {
  return {
    'ratelimit-limit': String(limit),
    'ratelimit-remaining': String(bucket.remaining),
    'ratelimit-reset': String(bucket.resetAt / 1000),
  };
}

/** twurple reads an error's body as JSON only when Content-Type is exactly `application/json`. */
function sendHelixError(response: ServerResponse, error: HelixError, headers: Record<string, string>): void {
  response
    .writeHead(error.status, { ...headers, 'content-type': 'application/json' })
    .end(JSON.stringify({ error: REASON_PHRASES[error.status] ?? 'Error', status: error.status, message: error.message }));
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
