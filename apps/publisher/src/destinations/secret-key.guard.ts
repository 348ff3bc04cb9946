import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { verifySecretKey } from '@streamcaster/service-kit';
import type { DataSource } from 'typeorm';
import { PublisherConfig } from '../config/publisher.config.js';

/**
 * Refuses to start with another STREAMCASTER_SECRET_KEY than the one the publisher's secrets were
 * sealed with (see verifySecretKey): before anything else runs, so nothing acts on unreadable keys.
 */
@Injectable()
export class SecretKeyGuard implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: PublisherConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await verifySecretKey(this.dataSource, 'publisher', 'publisher', this.config.secretKey);
  }
}
