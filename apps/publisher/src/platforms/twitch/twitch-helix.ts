import type { ApiClient, ApiConfig } from '@twurple/api';
import type { PublisherConfig } from '../../config/publisher.config.js';
import { PlatformError } from '../platform-error.js';
import { noAnswerError, rateLimitedError, twitchError, type TwitchStep } from './twitch-errors.js';

/** One call's credentials: a token valid now, and the caller's signal to give up. */
export interface TwitchCall {
  accessToken: string;
  signal?: AbortSignal;
}

export interface TwitchAccount {
  id: string;
  login: string;
}

/**
 * The Helix calls StreamCaster makes. Each throws a `PlatformError` in words; none keeps state
 * between calls (the token may change from one to the next).
 */
export interface TwitchHelix {
  /** `GET /users` with the token: who it belongs to. */
  authenticatedUser(call: TwitchCall): Promise<TwitchAccount>;
  /** `PATCH /channels?broadcaster_id=`: the title, and the category when one is given. */
  updateChannel(call: TwitchCall, broadcasterId: string, update: { title: string; gameId?: string }): Promise<void>;
  /** `GET /streams/key?broadcaster_id=`. */
  streamKey(call: TwitchCall, broadcasterId: string): Promise<string>;
  /** `GET /streams?user_id=`: the stream when Twitch lists the channel as live, null otherwise. */
  liveStream(call: TwitchCall, userId: string): Promise<{ viewers: number } | null>;
}

/** twurple's rate limiter announces how long it holds a request back (from `Ratelimit-Reset`). */
const RATE_LIMIT_WAIT = /Waiting for (-?\d+) ms because the rate limit was (exceeded|reached)/;

/**
 * The Helix calls through twurple's ApiClient, with a `StaticAuthProvider` for the one token of
 * each call (it validates the token at `/oauth2/validate` and checks the scopes before calling).
 * twurple's mock mode (`TWURPLE_MOCK_API_PORT`) redirects every one of them to a fake.
 *
 * twurple answers a 429 by holding the request until `Ratelimit-Reset` and sending it again. A
 * wait that fits in the call's time budget is left to it; a longer one ends the call at once as
 * `rate-limited` with that wait, and the held request is aborted so that it never reaches Twitch
 * late (a stale title would overwrite a newer one).
 */
export class TwurpleHelix implements TwitchHelix {
  constructor(private readonly config: PublisherConfig) {}

  authenticatedUser(call: TwitchCall): Promise<TwitchAccount> {
    return this.run('identify', call, async (api) => {
      const token = await api.getTokenInfo();
      if (!token.userId) throw new PlatformError('twitch', 'refused', 'Twitch (reading the account): the token is an application token, not a user\'s');
      const user = await api.users.getAuthenticatedUser(token.userId);
      return { id: user.id, login: user.name };
    });
  }

  updateChannel(call: TwitchCall, broadcasterId: string, update: { title: string; gameId?: string }): Promise<void> {
    return this.run('channel', call, (api) => api.channels.updateChannelInfo(broadcasterId, { title: update.title, ...(update.gameId ? { gameId: update.gameId } : {}) }));
  }

  streamKey(call: TwitchCall, broadcasterId: string): Promise<string> {
    return this.run('stream-key', call, (api) => api.streams.getStreamKey(broadcasterId));
  }

  liveStream(call: TwitchCall, userId: string): Promise<{ viewers: number } | null> {
    return this.run('stream', call, async (api) => {
      const stream = await api.streams.getStreamByUserId(userId);
      return stream === null ? null : { viewers: stream.viewers };
    });
  }

  private async run<T>(step: TwitchStep, call: TwitchCall, work: (api: ApiClient) => Promise<T>): Promise<T> {
    const clientId = this.config.twitchClientId;
    if (!clientId) throw new PlatformError('twitch', 'refused', 'Twitch is not configured: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET');
    const budgetMs = this.config.platformRequestTimeoutMs;
    const deadline = Date.now() + budgetMs;
    const stop = new AbortController();
    let rateLimitWaitMs: number | undefined;

    // Loaded at the first Twitch call: an idle publisher does not carry twurple (about 12 MB).
    const [{ ApiClient: TwurpleApiClient }, { StaticAuthProvider }] = await Promise.all([import('@twurple/api'), import('@twurple/auth')]);
    const api = new TwurpleApiClient({
      authProvider: new StaticAuthProvider(clientId, call.accessToken),
      fetchOptions: { signal: stop.signal } as ApiConfig['fetchOptions'],
      logger: {
        minLevel: 'warning',
        // twurple's own messages stay out of the logs; only the rate limiter's wait is of use.
        custom: (_level: number, message: string) => {
          const wait = RATE_LIMIT_WAIT.exec(message);
          if (wait === null) return;
          rateLimitWaitMs = Number(wait[1]);
          // After a 429 the refused request is held in twurple's queue: end now if it would outwait the budget.
          if (wait[2] === 'exceeded' && Date.now() + rateLimitWaitMs > deadline) stop.abort(rateLimitedError(step, rateLimitWaitMs));
        },
      },
    });
    const timer = setTimeout(() => {
      stop.abort(rateLimitWaitMs !== undefined && rateLimitWaitMs > 0 ? rateLimitedError(step, rateLimitWaitMs) : noAnswerError(step, budgetMs));
    }, budgetMs);
    const abandon = (): void => stop.abort(call.signal?.reason);
    call.signal?.addEventListener('abort', abandon, { once: true });
    try {
      return await Promise.race([work(api), rejectOnAbort(stop.signal)]);
    } catch (error) {
      // The caller gave up: its reason, not a platform failure.
      if (call.signal?.aborted) throw call.signal.reason;
      if (stop.signal.aborted && stop.signal.reason instanceof PlatformError) throw stop.signal.reason;
      throw twitchError(step, error, { timeoutMs: budgetMs, retryAfterMs: rateLimitWaitMs });
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', abandon);
      // Whatever twurple still holds (a retry after a 429) must not go out once the call is over.
      stop.abort();
    }
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
