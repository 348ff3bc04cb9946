import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { GatewayConfig } from '../config/gateway.config.js';

/**
 * One Redis connection for the readiness check (the gateway has no other use for Redis). Opened at
 * the first check; a command fails after one reconnection attempt instead of waiting for Redis.
 */
@Injectable()
export class RedisProbe implements OnApplicationShutdown {
  private readonly redis: Redis;
  private lastError = '';

  constructor(config: GatewayConfig) {
    this.redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1_000 });
    // Without a listener ioredis prints every failed reconnection; the readiness log says it once.
    this.redis.on('error', (error: Error) => (this.lastError = error.message));
  }

  async ping(): Promise<void> {
    try {
      const answer = await this.redis.ping();
      if (answer !== 'PONG') throw new Error(`answered ${answer} to PING`);
    } catch (error) {
      throw new Error(this.lastError || (error as Error).message, { cause: error });
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
