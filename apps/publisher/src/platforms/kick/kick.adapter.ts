import type { PublisherConfig } from '../../config/publisher.config.js';
import type { PlatformAdapter, PlatformBroadcaster, PlatformOAuth } from '../platform-adapter.js';
import { KickApi } from './kick-api.js';
import { KickBroadcaster } from './kick-broadcaster.js';
import { KickOAuth } from './kick-oauth.js';

/** Kick through its public API (plain HTTP): the channel's title, stream key and live state. */
export class KickAdapter implements PlatformAdapter {
  readonly platform = 'kick' as const;
  readonly oauth: PlatformOAuth;
  readonly broadcaster: PlatformBroadcaster;

  constructor(config: PublisherConfig) {
    const api = new KickApi(config);
    this.oauth = new KickOAuth(config, api);
    this.broadcaster = new KickBroadcaster(config, api);
  }
}
