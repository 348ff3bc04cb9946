import { z } from 'zod';
import { field, milliseconds, url } from '@streamcaster/service-kit';

/** An optional credential: unset (or empty) means the platform is "not configured". */
const credential = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : null));
const optionalText = credential;
const httpUrl = (fallback: string) => url(['http', 'https'], fallback).transform((value) => value.replace(/\/+$/, ''));

/**
 * The platforms' client credentials and endpoints. Every endpoint is configurable so that StreamCaster
 * can be pointed at any server that keeps the platform's contract (the tests' fakes among them).
 */
export const platformConfigFields = {
  publicUrl: field('PUBLIC_URL', httpUrl('http://localhost:8080'), 'where the dashboard is reached; the OAuth redirect URIs start with it'),
  youtubeClientId: field('YOUTUBE_CLIENT_ID', credential(), 'Google OAuth client id (YouTube Data API enabled)'),
  youtubeClientSecret: field('YOUTUBE_CLIENT_SECRET', credential(), 'Google OAuth client secret', true),
  youtubeApiUrl: field('YOUTUBE_API_URL', httpUrl('https://youtube.googleapis.com'), 'the googleapis rootUrl of the YouTube Data API'),
  googleAuthUrl: field('GOOGLE_AUTH_URL', httpUrl('https://accounts.google.com/o/oauth2/v2/auth'), "Google's OAuth authorize page"),
  googleTokenUrl: field('GOOGLE_TOKEN_URL', httpUrl('https://oauth2.googleapis.com/token'), "Google's OAuth token endpoint"),
  googleRevokeUrl: field('GOOGLE_REVOKE_URL', httpUrl('https://oauth2.googleapis.com/revoke'), "Google's OAuth revoke endpoint"),
  youtubeDailyQuota: field(
    'YOUTUBE_DAILY_QUOTA',
    z.coerce.number().int().positive().default(10_000),
    'YouTube API units StreamCaster may spend per account per (Pacific) day; never exceeded',
  ),
  twitchClientId: field('TWITCH_CLIENT_ID', credential(), 'Twitch application client id'),
  twitchClientSecret: field('TWITCH_CLIENT_SECRET', credential(), 'Twitch application client secret', true),
  twitchAuthUrl: field('TWITCH_AUTH_URL', httpUrl('https://id.twitch.tv/oauth2/authorize'), "Twitch's OAuth authorize page"),
  twitchIngestUrl: field(
    'TWITCH_INGEST_URL',
    url(['rtmp', 'rtmps'], 'rtmps://ingest.global-contribute.live-video.net/app').transform((value) => value.replace(/\/+$/, '')),
    'Twitch ingest; the stream key is appended',
  ),
  twitchCategoryId: field('TWITCH_CATEGORY_ID', optionalText(), 'Twitch category (game id) set with the title, e.g. 26936 for Music'),
  facebookAppId: field('FACEBOOK_APP_ID', credential(), 'Facebook app id'),
  facebookAppSecret: field('FACEBOOK_APP_SECRET', credential(), 'Facebook app secret', true),
  facebookGraphUrl: field('FACEBOOK_GRAPH_URL', httpUrl('https://graph.facebook.com/v23.0'), 'Facebook Graph API base, version included'),
  facebookAuthUrl: field('FACEBOOK_AUTH_URL', httpUrl('https://www.facebook.com/v23.0/dialog/oauth'), "Facebook's OAuth dialog"),
  kickClientId: field('KICK_CLIENT_ID', credential(), 'Kick application client id'),
  kickClientSecret: field('KICK_CLIENT_SECRET', credential(), 'Kick application client secret', true),
  kickApiUrl: field('KICK_API_URL', httpUrl('https://api.kick.com/public/v1'), 'Kick public API base'),
  kickAuthUrl: field('KICK_AUTH_URL', httpUrl('https://id.kick.com/oauth/authorize'), "Kick's OAuth authorize page"),
  kickTokenUrl: field('KICK_TOKEN_URL', httpUrl('https://id.kick.com/oauth/token'), "Kick's OAuth token endpoint"),
  kickCategoryId: field('KICK_CATEGORY_ID', optionalText(), 'Kick category id set with the title'),
  platformRequestTimeoutMs: field('PLATFORM_REQUEST_TIMEOUT_MS', milliseconds(10_000), 'longest wait for one platform API answer'),
  platformConfirmPollMs: field(
    'PLATFORM_CONFIRM_POLL_MS',
    milliseconds(1_000),
    'how often a platform is asked whether it receives, until it confirms (then every PLATFORM_VIEWERS_POLL_MS)',
  ),
  platformViewersPollMs: field('PLATFORM_VIEWERS_POLL_MS', milliseconds(30_000), 'how often each platform is asked for its state and viewer count while live'),
  platformRetryMaxMs: field('PLATFORM_RETRY_MAX_MS', milliseconds(60_000), 'longest wait between two attempts of a platform step that failed and may succeed later'),
  tokenRefreshMarginMs: field('PLATFORM_TOKEN_REFRESH_MARGIN_MS', milliseconds(300_000), 'access tokens are refreshed this long before they expire'),
};
