import type { PublisherConfig } from '../../config/publisher.config.js';
import { notYetBuilt } from '../not-yet-built.js';
import type { PlatformAdapter } from '../platform-adapter.js';
import type { QuotaLedger } from './youtube-quota.js';

/** Placeholder until the YouTube adapter lands. */
export class YouTubeAdapter implements PlatformAdapter {
  readonly platform = 'youtube' as const;
  readonly oauth = notYetBuilt('youtube', 'YouTube').oauth;
  readonly broadcaster = notYetBuilt('youtube', 'YouTube').broadcaster;

  constructor(
    readonly config: PublisherConfig,
    readonly quota: QuotaLedger,
  ) {}
}
