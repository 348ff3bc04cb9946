import type { PublisherConfig } from '../../config/publisher.config.js';
import type { PlatformAdapter, PlatformBroadcaster, PlatformOAuth } from '../platform-adapter.js';
import { FacebookBroadcaster } from './facebook-broadcaster.js';
import { FacebookGraph } from './facebook-graph.js';
import { FacebookOAuth } from './facebook-oauth.js';

/** Facebook through the Graph API (plain HTTP): a page's live videos, streamed as the page. */
export class FacebookAdapter implements PlatformAdapter {
  readonly platform = 'facebook' as const;
  readonly oauth: PlatformOAuth;
  readonly broadcaster: PlatformBroadcaster;

  constructor(config: PublisherConfig) {
    const graph = new FacebookGraph(config);
    this.oauth = new FacebookOAuth(config, graph);
    this.broadcaster = new FacebookBroadcaster(graph);
  }
}
