import type { Session } from '@streamcaster/contracts';

/** Renew this long before the access token expires (JWT_TTL is 15 min), so no request meets an expired one. */
export const REFRESH_AHEAD_MS = 60_000;
/** After a refresh that failed for a passing reason (gateway restarting, network), try again this soon. */
export const REFRESH_RETRY_MS = 10_000;

/**
 * When to renew a token that expires at `expiresAt`: a minute ahead, or halfway through a lifetime
 * shorter than two minutes; at once when it is already due.
 */
export function refreshDelayMs(expiresAt: string, now: number): number {
  const remaining = Date.parse(expiresAt) - now;
  if (!Number.isFinite(remaining) || remaining <= 0) return 0;
  return remaining > 2 * REFRESH_AHEAD_MS ? remaining - REFRESH_AHEAD_MS : Math.floor(remaining / 2);
}

/** The refresh call: a session, null when the server has none for us (401/403), or a throw for a passing failure. */
export type RefreshSession = () => Promise<Session | null>;

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

type Listener = (session: Session | null) => void;

/**
 * The signed-in session, in memory only (the refresh token stays in its httpOnly cookie): renews the
 * access token before it expires, and on demand after a 401. One refresh at a time: the server
 * treats a refresh token presented twice as stolen and ends the whole session, so two overlapping
 * refreshes (React's double effects in development, a 401 racing the timer) would sign us out.
 */
export class SessionManager {
  private session: Session | null = null;
  private inFlight: Promise<Session | null> | null = null;
  private timer: unknown = null;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly refreshSession: RefreshSession,
    private readonly clock: Clock = realClock,
  ) {}

  get current(): Session | null {
    return this.session;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After a login (or a refresh): keep it and plan its renewal. */
  set(session: Session): void {
    this.session = session;
    this.schedule(refreshDelayMs(session.expiresAt, this.clock.now()));
    this.emit();
  }

  clear(): void {
    this.cancelTimer();
    if (this.session === null) return;
    this.session = null;
    this.emit();
  }

  /** Renews now (joins a renewal already under way). Null: signed out. */
  refresh(): Promise<Session | null> {
    this.inFlight ??= this.runRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** A token good for a request now: the current one, or a renewed one when it has expired. */
  async token(): Promise<string | null> {
    if (this.inFlight) return (await this.inFlight)?.accessToken ?? null;
    if (this.session && Date.parse(this.session.expiresAt) > this.clock.now()) return this.session.accessToken;
    if (!this.session) return null;
    return (await this.refresh())?.accessToken ?? null;
  }

  private async runRefresh(): Promise<Session | null> {
    let renewed: Session | null;
    try {
      renewed = await this.refreshSession();
    } catch (error) {
      // Not a refusal: keep the session as long as its token lasts and try again soon.
      if (this.session && Date.parse(this.session.expiresAt) > this.clock.now()) {
        this.schedule(REFRESH_RETRY_MS);
        return this.session;
      }
      throw error;
    }
    if (renewed) this.set(renewed);
    else this.clear();
    return renewed;
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.refresh().catch(() => undefined);
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.session);
  }
}
