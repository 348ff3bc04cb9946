import type { PublisherConfig } from '../../config/publisher.config.js';
import { missingCredentials, requireCredentials, type ClientCredentials } from '../client-credentials.js';
import type { AccountIdentity, PlatformOAuth, TokenSet } from '../platform-adapter.js';
import { PlatformError, isPlatformError } from '../platform-error.js';
import type { KickAnswer, KickApi } from './kick-api.js';
import { describeKickCodeError, describeKickRefreshError } from './kick-errors.js';

/** Who the user is, their channel, setting its title and category, and its stream URL and key (KickDevDocs `scopes.md`). */
export const KICK_SCOPES = ['user:read', 'channel:read', 'channel:write', 'streamkey:read'] as const;

type KickConfig = Pick<PublisherConfig, 'kickClientId' | 'kickClientSecret' | 'kickAuthUrl' | 'kickTokenUrl'>;

interface TokenAnswer {
  access_token?: string;
  token_type?: string;
  refresh_token?: string;
  expires_in?: number;
  /** Space-separated. */
  scope?: string;
}

/**
 * Kick's OAuth 2.1 (id.kick.com): PKCE with S256 is required, the token endpoint takes forms, and
 * every refresh hands out a new refresh token that replaces the old one (which then stops working).
 */
export class KickOAuth implements PlatformOAuth {
  readonly usesPkce = true;
  readonly scopes = KICK_SCOPES;

  constructor(
    private readonly config: KickConfig,
    private readonly api: KickApi,
  ) {}

  missingConfiguration(): string[] {
    return missingCredentials('kick', this.config.kickClientId, this.config.kickClientSecret);
  }

  authorizeUrl(request: { state: string; redirectUri: string; codeChallenge: string | null }): string {
    if (!request.codeChallenge) throw new PlatformError('kick', 'refused', 'Kick requires a PKCE challenge (S256) with every sign-in');
    const url = new URL(this.config.kickAuthUrl);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.credentials().clientId,
      redirect_uri: request.redirectUri,
      scope: KICK_SCOPES.join(' '),
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      state: request.state,
    }).toString();
    return url.toString();
  }

  async exchangeCode(request: { code: string; redirectUri: string; codeVerifier: string | null }): Promise<TokenSet> {
    if (!request.codeVerifier) throw new PlatformError('kick', 'refused', 'Kick requires the PKCE verifier of the sign-in');
    const { clientId, clientSecret } = this.credentials();
    const answer = await this.api.call<TokenAnswer>(
      'exchanging the sign-in code',
      {
        method: 'POST',
        path: this.config.kickTokenUrl,
        form: { grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, redirect_uri: request.redirectUri, code_verifier: request.codeVerifier, code: request.code },
      },
      describeKickCodeError,
    );
    return tokenSetOf(answer);
  }

  /** The answer's refresh token replaces the old one, which Kick no longer takes: it must be stored. */
  async refresh(refreshToken: string): Promise<TokenSet> {
    const { clientId, clientSecret } = this.credentials();
    const answer = await this.api.call<TokenAnswer>(
      'renewing the sign-in',
      { method: 'POST', path: this.config.kickTokenUrl, form: { grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken } },
      describeKickRefreshError,
    );
    return tokenSetOf(answer);
  }

  /**
   * `POST /oauth/revoke?token=&token_hint_type=` for each token. Kick answers "Invalid request" for a
   * token it no longer takes, which leaves nothing to revoke.
   */
  async revoke(tokens: { accessToken: string; refreshToken: string | null }): Promise<void> {
    const revokeUrl = this.config.kickTokenUrl.replace(/\/token$/, '/revoke');
    const revokeOne = async (token: string, hint: 'access_token' | 'refresh_token'): Promise<void> => {
      try {
        await this.api.call('revoking the sign-in', { method: 'POST', path: revokeUrl, query: { token, token_hint_type: hint }, form: {} });
      } catch (error) {
        if (isPlatformError(error) && error.kind === 'refused' && error.details.status === 400) return;
        throw error;
      }
    };
    await revokeOne(tokens.accessToken, 'access_token');
    if (tokens.refreshToken) await revokeOne(tokens.refreshToken, 'refresh_token');
  }

  /** The user (`/users`: id and name) and the channel's slug (`/channels`: the slug is not in `/users`). */
  async identify(accessToken: string): Promise<AccountIdentity> {
    const users = await this.api.call<KickAnswer<Array<{ user_id?: number; name?: string }>>>('reading who the account is', { path: 'users', token: accessToken });
    const user = users?.data?.[0];
    if (user?.user_id === undefined) throw new PlatformError('kick', 'refused', 'Kick (reading who the account is): the answer names no user');
    const channels = await this.api.call<KickAnswer<Array<{ slug?: string }>>>('reading the channel', { path: 'channels', token: accessToken });
    const slug = channels?.data?.[0]?.slug;
    return { externalId: String(user.user_id), displayName: slug ?? user.name ?? String(user.user_id), channelUrl: slug ? `https://kick.com/${slug}` : null };
  }

  private credentials(): ClientCredentials {
    return requireCredentials('kick', this.config.kickClientId, this.config.kickClientSecret);
  }
}

function tokenSetOf(answer: TokenAnswer | undefined): TokenSet {
  if (!answer?.access_token) throw new PlatformError('kick', 'transient', 'Kick answered the token request without a token');
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? null,
    expiresAt: typeof answer.expires_in === 'number' ? new Date(Date.now() + answer.expires_in * 1000) : null,
    scopes: (answer.scope ?? '').split(' ').filter(Boolean),
  };
}
