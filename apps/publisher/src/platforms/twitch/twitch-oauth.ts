import type { AccessToken } from '@twurple/auth';
import type { PublisherConfig } from '../../config/publisher.config.js';
import { missingCredentials, requireCredentials, type ClientCredentials } from '../client-credentials.js';
import type { AccountIdentity, PlatformOAuth, TokenSet } from '../platform-adapter.js';
import { PlatformError } from '../platform-error.js';
import { noAnswerError, readTwitchFailure, TWITCH_OAUTH_SCOPES, twitchError, type TwitchStep } from './twitch-errors.js';
import type { TwitchHelix } from './twitch-helix.js';

/** id.twitch.tv's token calls, as twurple makes them (parameters in the query string; mock mode honoured). */
export interface TwitchTokenEndpoint {
  exchangeCode(clientId: string, clientSecret: string, code: string, redirectUri: string): Promise<AccessToken>;
  refreshUserToken(clientId: string, clientSecret: string, refreshToken: string): Promise<AccessToken>;
  revokeToken(clientId: string, accessToken: string): Promise<void>;
}

/** twurple's token calls, loaded at the first one: an idle publisher does not carry twurple. */
const twurpleAuth = () => import('@twurple/auth');
export const twurpleTokenEndpoint: TwitchTokenEndpoint = {
  exchangeCode: async (...args) => (await twurpleAuth()).exchangeCode(...args),
  refreshUserToken: async (...args) => (await twurpleAuth()).refreshUserToken(...args),
  revokeToken: async (...args) => (await twurpleAuth()).revokeToken(...args),
};

/**
 * Twitch's OAuth for a channel: the authorization-code flow of a confidential client (Twitch has
 * no PKCE), `force_verify` so that a reconnect shows the consent again (and can pick another
 * account), the tokens from id.twitch.tv through twurple.
 */
export class TwitchOAuth implements PlatformOAuth {
  readonly usesPkce = false;
  readonly scopes = TWITCH_OAUTH_SCOPES;

  constructor(
    private readonly config: PublisherConfig,
    private readonly helix: TwitchHelix,
    private readonly tokens: TwitchTokenEndpoint = twurpleTokenEndpoint,
  ) {}

  missingConfiguration(): string[] {
    return missingCredentials('twitch', this.config.twitchClientId, this.config.twitchClientSecret);
  }

  authorizeUrl(request: { state: string; redirectUri: string; codeChallenge: string | null }): string {
    const { clientId } = this.credentials();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: request.redirectUri,
      scope: this.scopes.join(' '),
      state: request.state,
      force_verify: 'true',
    });
    // Twitch's own examples separate the scopes with %20; URLSearchParams writes a space as '+'.
    return `${this.config.twitchAuthUrl}?${query.toString().replace(/\+/g, '%20')}`;
  }

  async exchangeCode(request: { code: string; redirectUri: string; codeVerifier: string | null }): Promise<TokenSet> {
    const { clientId, clientSecret } = this.credentials();
    const token = await this.tokenCall('exchange', () => this.tokens.exchangeCode(clientId, clientSecret, request.code, request.redirectUri));
    return tokenSet(token, null);
  }

  /** Twitch may hand out a new refresh token; the old one is kept when it does not. */
  async refresh(refreshToken: string): Promise<TokenSet> {
    const { clientId, clientSecret } = this.credentials();
    const token = await this.tokenCall('refresh', () => this.tokens.refreshUserToken(clientId, clientSecret, refreshToken));
    return tokenSet(token, refreshToken);
  }

  /**
   * Twitch revokes access tokens, and with one the whole grant. A stored access token may have
   * expired (Twitch then answers 400 "Invalid token" and the grant would live on): it is renewed
   * with the refresh token and the new one revoked. A refresh token Twitch no longer takes means
   * the grant is already gone.
   */
  async revoke(tokens: { accessToken: string; refreshToken: string | null }): Promise<void> {
    const { clientId } = this.credentials();
    try {
      await this.bounded('revoke', () => this.tokens.revokeToken(clientId, tokens.accessToken));
      return;
    } catch (error) {
      const failure = readTwitchFailure(error);
      if (failure.status !== 400 || failure.message !== 'Invalid token') throw twitchError('revoke', error, { timeoutMs: this.config.platformRequestTimeoutMs });
      if (tokens.refreshToken === null) return;
    }
    let current: TokenSet;
    try {
      current = await this.refresh(tokens.refreshToken);
    } catch (error) {
      if (error instanceof PlatformError && error.kind === 'revoked') return;
      throw error;
    }
    await this.tokenCall('revoke', () => this.tokens.revokeToken(clientId, current.accessToken));
  }

  async identify(accessToken: string): Promise<AccountIdentity> {
    const user = await this.helix.authenticatedUser({ accessToken });
    return { externalId: user.id, displayName: user.login, channelUrl: `https://www.twitch.tv/${user.login}` };
  }

  private credentials(): ClientCredentials {
    return requireCredentials('twitch', this.config.twitchClientId, this.config.twitchClientSecret);
  }

  /** A token call whose errors only ever leave as a `PlatformError` (see `bounded`). */
  private async tokenCall<T>(step: TwitchStep, call: () => Promise<T>): Promise<T> {
    try {
      return await this.bounded(step, call);
    } catch (error) {
      throw twitchError(step, error, { timeoutMs: this.config.platformRequestTimeoutMs });
    }
  }

  /**
   * twurple's token calls take no signal: the wait is bounded here (the request itself is left to
   * finish or fail on its own). Their errors carry the URL, client secret and tokens in it: callers
   * word them with `twitchError`, from the status and Twitch's message only.
   */
  private async bounded<T>(step: TwitchStep, call: () => Promise<T>): Promise<T> {
    const timeoutMs = this.config.platformRequestTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(noAnswerError(step, timeoutMs)), timeoutMs);
    });
    try {
      return await Promise.race([call(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function tokenSet(token: AccessToken, knownRefreshToken: string | null): TokenSet {
  if (typeof token !== 'object' || token === null || typeof token.accessToken !== 'string' || token.accessToken === '') {
    throw new PlatformError('twitch', 'transient', 'Twitch: the token answer carried no access token');
  }
  return {
    accessToken: token.accessToken,
    refreshToken: token.refreshToken ?? knownRefreshToken,
    expiresAt: token.expiresIn === null ? null : new Date(token.obtainmentTimestamp + token.expiresIn * 1000),
    scopes: Array.isArray(token.scope) ? [...token.scope] : [],
  };
}
