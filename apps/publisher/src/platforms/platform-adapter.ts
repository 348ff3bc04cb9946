import type { ApiPlatform, Environment, PlatformPrivacy } from '@streamcaster/contracts';

/**
 * The seam between the publisher and one platform's API. One adapter per platform
 * (`platforms/<platform>/<platform>.adapter.ts`), registered in `PlatformAdapters`. Adapters are
 * stateless: every call receives what it needs (a fresh access token among it) and throws a
 * `PlatformError` whose kind says what to do next. They never log tokens or stream keys.
 */
export interface PlatformAdapter {
  readonly platform: ApiPlatform;
  readonly oauth: PlatformOAuth;
  readonly broadcaster: PlatformBroadcaster;
}

/** The OAuth tokens of an account, as a platform handed them out. */
export interface TokenSet {
  accessToken: string;
  /** Null when the platform gives none (Facebook: long-lived tokens instead). */
  refreshToken: string | null;
  /** Null when the platform did not say. */
  expiresAt: Date | null;
  scopes: string[];
}

/** Who an account is on the platform. */
export interface AccountIdentity {
  externalId: string;
  displayName: string;
  channelUrl: string | null;
}

/**
 * Facebook logs in a person who manages pages; StreamCaster streams as one page, with the page's own
 * token. With several pages, one is chosen afterwards (`choose-page`).
 */
export interface PageChoice {
  pages: Array<{ id: string; name: string; channelUrl: string | null; accessToken: string }>;
}

export interface PlatformOAuth {
  /** Whether the authorize request carries a PKCE challenge (S256). */
  readonly usesPkce: boolean;
  /** What StreamCaster asks for (and needs): checked against what the platform granted. */
  readonly scopes: readonly string[];
  /** Null when the platform's client credentials are configured; otherwise the variables to set. */
  missingConfiguration(): string[];
  authorizeUrl(request: { state: string; redirectUri: string; codeChallenge: string | null }): string;
  exchangeCode(request: { code: string; redirectUri: string; codeVerifier: string | null }): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  /** Revokes the grant at the platform (refresh token where there is one). */
  revoke(tokens: { accessToken: string; refreshToken: string | null }): Promise<void>;
  /** Who the token belongs to; Facebook answers with the pages to stream as. */
  identify(accessToken: string): Promise<AccountIdentity | PageChoice>;
}

/** Everything a broadcast step needs to know, with a token that is valid now. */
export interface PlatformCallContext {
  accountId: string;
  /** The platform id of the channel/user/page (`AccountIdentity.externalId`). */
  externalId: string;
  accessToken: string;
  environment: Environment;
  /** Live only; Test is always private wherever the platform has a private mode. */
  privacy: PlatformPrivacy | null;
  title: string;
  description: string;
  startedAt: Date;
  signal: AbortSignal;
}

/**
 * Saves the platform's ids right after the step that created them, before anything else happens, so
 * that a crash resumes from them instead of creating a second broadcast.
 */
export type SaveRefs = (refs: PlatformRefs) => Promise<void>;
export type PlatformRefs = Record<string, string>;

export interface PreparedIngest {
  /** The whole URL the relay pushes to (server and key; Twitch's bandwidth test query included). */
  pushUrl: string;
  /** The part of pushUrl to hide in every message (the stream key). */
  secret: string;
  /** Where the fans watch it. */
  watchUrl: string | null;
}

/** What the platform sees right now. */
export interface PlatformObservation {
  /** The platform receives the stream (YouTube stream `active`, Facebook ingest healthy, Twitch/Kick live). */
  receiving: boolean;
  /** On air as the platform reports it: `live`, `testing` (Test, private), `complete` (ended there), or not yet. */
  onAir: 'live' | 'testing' | 'complete' | null;
  viewers: number | null;
  /** A note for the dashboard while not confirmed ("Twitch does not report bandwidth tests"). */
  note?: string;
}

export interface PlatformBroadcaster {
  /**
   * Creates the broadcast at the platform (or resumes from `refs`), sets its title and description
   * and returns the ingest to push to. Every id created is passed to `saveRefs` at once.
   */
  prepare(context: PlatformCallContext, refs: PlatformRefs, saveRefs: SaveRefs): Promise<PreparedIngest>;
  /** Asks the platform what it sees (state and viewers). `relayLive`: our bytes are leaving. */
  observe(context: PlatformCallContext, refs: PlatformRefs, relayLive: boolean): Promise<PlatformObservation>;
  /**
   * The platform receives: put it on air (YouTube `transition` to `live`, or `testing` in Test). A
   * no-op where receiving is being on air. Idempotent: a repeated call is not an error.
   */
  goOnAir(context: PlatformCallContext, refs: PlatformRefs, saveRefs: SaveRefs): Promise<void>;
  /** A new title and/or description on the running broadcast; throws `refused` with the reason. */
  updateText(context: PlatformCallContext, refs: PlatformRefs, text: { title?: string; description?: string }): Promise<void>;
  /** Ends it at the platform (YouTube `complete`, Facebook `end_live_video`). Idempotent. */
  end(context: PlatformCallContext, refs: PlatformRefs): Promise<void>;
}
