import type { PublisherConfig } from '../../config/publisher.config.js';
import { notYetBuilt } from '../not-yet-built.js';
import type { PlatformAdapter } from '../platform-adapter.js';

/** Placeholder until the Facebook adapter lands. */
export class FacebookAdapter implements PlatformAdapter {
  readonly platform = 'facebook' as const;
  readonly oauth = notYetBuilt('facebook', 'Facebook').oauth;
  readonly broadcaster = notYetBuilt('facebook', 'Facebook').broadcaster;

  constructor(readonly config: PublisherConfig) {}
}
