import type { PublisherConfig } from '../../config/publisher.config.js';
import type { PlatformAdapter, PlatformBroadcaster, PlatformOAuth } from '../platform-adapter.js';
import { YouTubeBroadcaster } from './youtube-broadcaster.js';
import { youtubeClientFactory, type YouTubeClientFactory } from './youtube-client.js';
import { YouTubeOAuth } from './youtube-oauth.js';
import type { QuotaLedger } from './youtube-quota.js';

/**
 * YouTube through the Data API (googleapis) and Google's OAuth (google-auth-library), every URL
 * from config. `clientFor` is the Data API client of one access token (tests pass their own).
 */
export class YouTubeAdapter implements PlatformAdapter {
  readonly platform = 'youtube' as const;
  readonly oauth: PlatformOAuth;
  readonly broadcaster: PlatformBroadcaster;

  constructor(config: PublisherConfig, quota: QuotaLedger, clientFor: YouTubeClientFactory = youtubeClientFactory(config)) {
    this.oauth = new YouTubeOAuth(config, clientFor);
    this.broadcaster = new YouTubeBroadcaster(config, quota, clientFor);
  }
}
