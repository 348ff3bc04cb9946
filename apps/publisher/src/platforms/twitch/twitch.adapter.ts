import type { PublisherConfig } from '../../config/publisher.config.js';
import type { PlatformAdapter } from '../platform-adapter.js';
import { TwitchBroadcaster } from './twitch-broadcaster.js';
import { TwurpleHelix, type TwitchHelix } from './twitch-helix.js';
import { TwitchOAuth, twurpleTokenEndpoint, type TwitchTokenEndpoint } from './twitch-oauth.js';

/**
 * Twitch through twurple (`@twurple/api`, `@twurple/auth`): id.twitch.tv for the tokens, Helix for
 * the channel, the stream key and whether the channel is live. `TWURPLE_MOCK_API_PORT` (read by
 * twurple itself) points both at a fake; TWITCH_AUTH_URL and TWITCH_INGEST_URL are the rest.
 */
export class TwitchAdapter implements PlatformAdapter {
  readonly platform = 'twitch' as const;
  readonly oauth: TwitchOAuth;
  readonly broadcaster: TwitchBroadcaster;

  constructor(config: PublisherConfig, helix: TwitchHelix = new TwurpleHelix(config), tokens: TwitchTokenEndpoint = twurpleTokenEndpoint) {
    this.oauth = new TwitchOAuth(config, helix, tokens);
    this.broadcaster = new TwitchBroadcaster(config, helix);
  }
}
