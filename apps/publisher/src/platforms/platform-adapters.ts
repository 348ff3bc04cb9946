import { Injectable } from '@nestjs/common';
import type { ApiPlatform } from '@streamcaster/contracts';
import { PublisherConfig } from '../config/publisher.config.js';
import { DatabaseQuotaLedger } from '../platform-accounts/quota-ledger.js';
import { FacebookAdapter } from './facebook/facebook.adapter.js';
import { KickAdapter } from './kick/kick.adapter.js';
import type { PlatformAdapter } from './platform-adapter.js';
import { TwitchAdapter } from './twitch/twitch.adapter.js';
import { YouTubeAdapter } from './youtube/youtube.adapter.js';

/** The one adapter of each API platform. */
@Injectable()
export class PlatformAdapters {
  private readonly adapters: Record<ApiPlatform, PlatformAdapter>;

  constructor(config: PublisherConfig, quota: DatabaseQuotaLedger) {
    this.adapters = {
      youtube: new YouTubeAdapter(config, quota),
      twitch: new TwitchAdapter(config),
      facebook: new FacebookAdapter(config),
      kick: new KickAdapter(config),
    };
  }

  get(platform: ApiPlatform): PlatformAdapter {
    return this.adapters[platform];
  }
}
