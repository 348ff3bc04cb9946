import type { PublisherConfig } from '../../config/publisher.config.js';
import { notYetBuilt } from '../not-yet-built.js';
import type { PlatformAdapter } from '../platform-adapter.js';

/** Placeholder until the Twitch adapter lands. */
export class TwitchAdapter implements PlatformAdapter {
  readonly platform = 'twitch' as const;
  readonly oauth = notYetBuilt('twitch', 'Twitch').oauth;
  readonly broadcaster = notYetBuilt('twitch', 'Twitch').broadcaster;

  constructor(readonly config: PublisherConfig) {}
}
