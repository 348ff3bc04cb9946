import type { auth as googleAuth, youtube_v3 } from '@googleapis/youtube';
import type { PublisherConfig } from '../../config/publisher.config.js';

/** google-auth-library's OAuth2Client, as @googleapis/youtube hands it out (the class it uses itself). */
export type GoogleOAuthClient = InstanceType<typeof googleAuth.OAuth2>;

/** A Data API client that calls as the holder of one access token. */
export type YouTubeClientFactory = (accessToken: string) => Promise<youtube_v3.Youtube>;

/**
 * googleapis is loaded at the first YouTube call, not at boot: it is the largest part of an idle
 * publisher otherwise (about 28 MB), and most installations stream to YouTube only now and then.
 */
const googleapis = () => import('@googleapis/youtube');

/**
 * The OAuth client for the token and revoke endpoints, with every URL from config. Its calls are
 * not retried here: google-auth-library retries them three times by default, and the publisher
 * has its own backoff (a retry hidden here would only delay the answer).
 */
export async function googleOAuthClient(config: PublisherConfig): Promise<GoogleOAuthClient> {
  const { auth: googleAuth } = await googleapis();
  const client = new googleAuth.OAuth2({
    clientId: config.youtubeClientId ?? undefined,
    clientSecret: config.youtubeClientSecret ?? undefined,
    endpoints: { oauth2AuthBaseUrl: config.googleAuthUrl, oauth2TokenUrl: config.googleTokenUrl, oauth2RevokeUrl: config.googleRevokeUrl },
    transporterOptions: { timeout: config.platformRequestTimeoutMs },
  });
  client.transporter.interceptors.request.add({
    resolved: (options) => Promise.resolve(Object.assign(options, { retry: false, retryConfig: { ...options.retryConfig, retry: 0, noResponseRetries: 0 } })),
  });
  return client;
}

/**
 * Data API clients whose credentials are the access token alone: without a refresh token or an
 * expiry, google-auth-library never refreshes on its own. The publisher keeps and refreshes the
 * tokens, and a 401 comes back to it as an `auth` error.
 */
export function youtubeClientFactory(config: PublisherConfig): YouTubeClientFactory {
  return async (accessToken) => {
    const { auth: googleAuth, youtube } = await googleapis();
    const auth = new googleAuth.OAuth2({ clientId: config.youtubeClientId ?? undefined });
    auth.setCredentials({ access_token: accessToken });
    return youtube({ version: 'v3', rootUrl: `${config.youtubeApiUrl}/`, auth });
  };
}
