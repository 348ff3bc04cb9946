import type { youtube_v3 } from '@googleapis/youtube';
import type { PublisherConfig } from '../../config/publisher.config.js';
import { missingCredentials, requireCredentials } from '../client-credentials.js';
import type { AccountIdentity, PlatformOAuth, TokenSet } from '../platform-adapter.js';
import { PlatformError } from '../platform-error.js';
import { googleOAuthClient, type GoogleOAuthClient, type YouTubeClientFactory } from './youtube-client.js';
import { googleTokenError, readGoogleFailure, YOUTUBE_SCOPE, youtubeApiError } from './youtube-errors.js';

type Credentials = GoogleOAuthClient['credentials'];

/**
 * Google's OAuth for a YouTube channel: the authorization-code flow with PKCE (S256), offline
 * access so that a refresh token comes back, and `prompt=consent` so that it comes back on a
 * reconnect too (Google sends it only when the user consents).
 */
export class YouTubeOAuth implements PlatformOAuth {
  readonly usesPkce = true;
  readonly scopes = [YOUTUBE_SCOPE] as const;

  constructor(
    private readonly config: PublisherConfig,
    private readonly clientFor: YouTubeClientFactory,
  ) {}

  missingConfiguration(): string[] {
    return missingCredentials('youtube', this.config.youtubeClientId, this.config.youtubeClientSecret);
  }

  authorizeUrl(request: { state: string; redirectUri: string; codeChallenge: string | null }): string {
    this.requireConfiguration();
    // Built here rather than by google-auth-library, which is only loaded once a token is needed.
    const url = new URL(this.config.googleAuthUrl);
    const parameters = {
      access_type: 'offline',
      prompt: 'consent',
      scope: this.scopes.join(' '),
      state: request.state,
      redirect_uri: request.redirectUri,
      response_type: 'code',
      client_id: this.config.youtubeClientId ?? '',
      ...(request.codeChallenge ? { code_challenge: request.codeChallenge, code_challenge_method: 'S256' } : {}),
    };
    for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
    return url.toString();
  }

  async exchangeCode(request: { code: string; redirectUri: string; codeVerifier: string | null }): Promise<TokenSet> {
    this.requireConfiguration();
    try {
      const { tokens } = await (await googleOAuthClient(this.config)).getToken({
        code: request.code,
        redirect_uri: request.redirectUri,
        ...(request.codeVerifier ? { codeVerifier: request.codeVerifier } : {}),
      });
      return tokenSet(tokens, null, 'signing in');
    } catch (error) {
      throw error instanceof PlatformError ? error : googleTokenError('exchange', error, this.config.platformRequestTimeoutMs);
    }
  }

  /** Google keeps the refresh token on a refresh (it answers without one): the same one is returned. */
  async refresh(refreshToken: string): Promise<TokenSet> {
    this.requireConfiguration();
    const client = await googleOAuthClient(this.config);
    client.setCredentials({ refresh_token: refreshToken });
    try {
      await client.getAccessToken();
      return tokenSet(client.credentials, refreshToken, 'renewing the access token');
    } catch (error) {
      throw error instanceof PlatformError ? error : googleTokenError('refresh', error, this.config.platformRequestTimeoutMs);
    }
  }

  /**
   * Revoking the refresh token revokes the whole grant (its access tokens with it). Google's 400
   * means the token is already expired or revoked: the grant is gone either way.
   */
  async revoke(tokens: { accessToken: string; refreshToken: string | null }): Promise<void> {
    try {
      await (await googleOAuthClient(this.config)).revokeToken(tokens.refreshToken ?? tokens.accessToken);
    } catch (error) {
      if (readGoogleFailure(error).status === 400) return;
      throw googleTokenError('revoke', error, this.config.platformRequestTimeoutMs);
    }
  }

  /**
   * The channel the token manages. Not charged to the quota ledger: the account does not exist yet
   * when it is asked (1 unit per connection).
   */
  async identify(accessToken: string): Promise<AccountIdentity> {
    let answer: youtube_v3.Schema$ChannelListResponse | string;
    try {
      ({ data: answer } = await (await this.clientFor(accessToken)).channels.list({ part: ['snippet'], mine: true }, { retry: false, timeout: this.config.platformRequestTimeoutMs }));
    } catch (error) {
      throw youtubeApiError('channels.list', error, this.config.platformRequestTimeoutMs);
    }
    // googleapis hands a 200 that is not JSON (a proxy's page) over as a string.
    if (typeof answer !== 'object' || answer === null) throw new PlatformError('youtube', 'transient', "YouTube (reading the channel): the answer was not the API's JSON");
    const channel = answer.items?.[0];
    if (!channel?.id) throw new PlatformError('youtube', 'refused', 'YouTube (reading the channel): this Google account has no YouTube channel');
    return {
      externalId: channel.id,
      displayName: channel.snippet?.title || channel.id,
      channelUrl: `https://www.youtube.com/channel/${channel.id}`,
    };
  }

  private requireConfiguration(): void {
    requireCredentials('youtube', this.config.youtubeClientId, this.config.youtubeClientSecret);
  }
}

function tokenSet(credentials: Credentials, knownRefreshToken: string | null, action: string): TokenSet {
  // A 200 that is not the token JSON (a proxy's page) leaves no access token behind.
  if (typeof credentials !== 'object' || credentials === null || !credentials.access_token) {
    throw new PlatformError('youtube', 'transient', `Google (${action}): the answer carried no access token`);
  }
  return {
    accessToken: credentials.access_token,
    refreshToken: credentials.refresh_token ?? knownRefreshToken,
    expiresAt: credentials.expiry_date ? new Date(credentials.expiry_date) : null,
    scopes: (credentials.scope ?? '').split(' ').filter(Boolean),
  };
}
