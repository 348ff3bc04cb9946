import type { PublisherConfig } from '../../config/publisher.config.js';
import { notYetBuilt } from '../not-yet-built.js';
import type { PlatformAdapter } from '../platform-adapter.js';

/** Placeholder until the Kick adapter lands. */
export class KickAdapter implements PlatformAdapter {
  readonly platform = 'kick' as const;
  readonly oauth = notYetBuilt('kick', 'Kick').oauth;
  readonly broadcaster = notYetBuilt('kick', 'Kick').broadcaster;

  constructor(readonly config: PublisherConfig) {}
}
