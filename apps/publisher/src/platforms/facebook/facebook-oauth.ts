import type { PublisherConfig } from '../../config/publisher.config.js';
import { missingCredentials, requireCredentials } from '../client-credentials.js';
import type { PageChoice, PlatformOAuth, TokenSet } from '../platform-adapter.js';
import { PlatformError } from '../platform-error.js';
import { describeTokenError } from './facebook-errors.js';
import type { FacebookGraph } from './facebook-graph.js';

/**
 * What streaming as a page needs: a page token of someone who manages the page with
 * `pages_read_engagement` and `pages_manage_posts` (Live Video API streaming guide), and
 * `pages_show_list` to list the pages (`/me/accounts`). `publish_video` is for a person's own
 * timeline, which StreamCaster does not stream to.
 */
export const FACEBOOK_SCOPES = ['pages_show_list', 'pages_manage_posts', 'pages_read_engagement'] as const;

type FacebookConfig = Pick<PublisherConfig, 'facebookAppId' | 'facebookAppSecret' | 'facebookAuthUrl'>;

interface TokenAnswer {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
}

/**
 * Facebook Login as a manually built flow: the dialog, the code exchanged for a short-lived user
 * token, that one for a long-lived one (about 60 days), and the pages it manages with their own
 * tokens. Facebook has no refresh tokens: when the long-lived token ends, the person reconnects.
 */
export class FacebookOAuth implements PlatformOAuth {
  readonly usesPkce = false;
  readonly scopes = FACEBOOK_SCOPES;

  constructor(
    private readonly config: FacebookConfig,
    private readonly graph: FacebookGraph,
  ) {}

  missingConfiguration(): string[] {
    return missingCredentials('facebook', this.config.facebookAppId, this.config.facebookAppSecret);
  }

  authorizeUrl(request: { state: string; redirectUri: string; codeChallenge: string | null }): string {
    const url = new URL(this.config.facebookAuthUrl);
    url.search = new URLSearchParams({
      client_id: this.credentials().appId,
      redirect_uri: request.redirectUri,
      state: request.state,
      response_type: 'code',
      scope: FACEBOOK_SCOPES.join(','),
    }).toString();
    return url.toString();
  }

  async exchangeCode(request: { code: string; redirectUri: string; codeVerifier: string | null }): Promise<TokenSet> {
    const { appId, appSecret } = this.credentials();
    const short = await this.graph.call<TokenAnswer>(
      'exchanging the sign-in code',
      { path: 'oauth/access_token', token: null, query: { client_id: appId, client_secret: appSecret, redirect_uri: request.redirectUri, code: request.code } },
      describeTokenError,
    );
    const long = await this.graph.call<TokenAnswer>(
      'getting a long-lived token',
      { path: 'oauth/access_token', token: null, query: { grant_type: 'fb_exchange_token', client_id: appId, client_secret: appSecret, fb_exchange_token: tokenOf(short) } },
      describeTokenError,
    );
    const accessToken = tokenOf(long);
    // The token answer carries no scope: the person may have declined some permissions in the dialog.
    const permissions = await this.graph.call<{ data?: Array<{ permission?: string; status?: string }> }>('reading the granted permissions', { path: 'me/permissions', token: accessToken });
    return {
      accessToken,
      refreshToken: null,
      expiresAt: typeof long.expires_in === 'number' ? new Date(Date.now() + long.expires_in * 1000) : null,
      scopes: (permissions?.data ?? []).filter((entry) => entry.status === 'granted' && entry.permission).map((entry) => entry.permission as string),
    };
  }

  refresh(): Promise<TokenSet> {
    return Promise.reject(new PlatformError('facebook', 'revoked', 'Facebook gives no refresh token; reconnect the Facebook account'));
  }

  /**
   * Removes the app's whole grant. The stored token is usually a page's, and a page has no
   * permissions edge: `debug_token` (with the app token) names the person it belongs to, whose
   * grant `DELETE /{user-id}/permissions` removes.
   */
  async revoke(tokens: { accessToken: string; refreshToken: string | null }): Promise<void> {
    const appToken = this.appToken();
    const debug = await this.graph.call<{ data?: { user_id?: string; is_valid?: boolean } }>('looking up whose sign-in this is', {
      path: 'debug_token',
      token: appToken,
      query: { input_token: tokens.accessToken },
    });
    const userId = debug?.data?.user_id;
    if (!userId) {
      throw new PlatformError('facebook', 'refused', 'Facebook no longer knows this sign-in, so nothing is left to revoke there');
    }
    await this.graph.call('removing StreamCaster’s permissions', { method: 'DELETE', path: `${userId}/permissions`, token: appToken });
  }

  /** The pages the person manages, each with its own token; the publisher picks one (or asks). */
  async identify(accessToken: string): Promise<PageChoice> {
    const answer = await this.graph.call<{ data?: Array<{ id?: string; name?: string; access_token?: string; link?: string }> }>('listing the pages', {
      path: 'me/accounts',
      token: accessToken,
      query: { fields: 'id,name,access_token,link', limit: 100 },
    });
    const pages = (answer?.data ?? []).flatMap((page) =>
      page.id && page.access_token ? [{ id: page.id, name: page.name ?? page.id, channelUrl: page.link ?? `https://www.facebook.com/${page.id}`, accessToken: page.access_token }] : [],
    );
    return { pages };
  }

  private credentials(): { appId: string; appSecret: string } {
    const { clientId: appId, clientSecret: appSecret } = requireCredentials('facebook', this.config.facebookAppId, this.config.facebookAppSecret);
    return { appId, appSecret };
  }

  /** The app access token (`{app-id}|{app-secret}`), for calls made as the app itself. */
  private appToken(): string {
    const { appId, appSecret } = this.credentials();
    return `${appId}|${appSecret}`;
  }
}

function tokenOf(answer: TokenAnswer | undefined): string {
  if (!answer?.access_token) throw new PlatformError('facebook', 'transient', 'Facebook answered the token request without a token');
  return answer.access_token;
}
