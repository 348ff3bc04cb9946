import { HttpStatus, Injectable, Logger, ServiceUnavailableException, type OnModuleDestroy } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { GatewayConfig } from '../config/gateway.config.js';
import { clientAddressKey, describeWait, judgeWindow, type WindowLimit } from './login-window.js';
import { RetryLaterException } from './retry-later.js';

/** 10 failed logins per client address or per account within 15 minutes; the 11th is refused. */
export const LOGIN_FAILURE_LIMIT: WindowLimit = { limit: 10, windowMs: 15 * 60_000 };

export interface LoginAttempt {
  address: string;
  email: string;
}

interface Counter {
  key: string;
  /** Completes "too many failed logins ...". */
  scope: string;
}

/**
 * Counts failed logins in Redis (sorted sets of failure times, so every gateway replica sees the
 * same counts), under the configured key prefix so that test runs sharing a Redis stay apart.
 */
@Injectable()
export class LoginLimiter implements OnModuleDestroy {
  private readonly logger = new Logger(LoginLimiter.name);
  private readonly redis: Redis;
  private readonly prefix: string;
  private redisDown = false;

  constructor(config: GatewayConfig) {
    this.prefix = `${config.queuePrefix}:gateway:login-failures`;
    // Fail fast while Redis is away: a login then answers 503 instead of waiting for a reconnect.
    this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 3_000, connectTimeout: 5_000 });
    this.redis.on('error', (error: Error) => {
      if (!this.redisDown) this.logger.warn(`Redis for the login limits is unreachable: ${error.message}`);
      this.redisDown = true;
    });
    this.redis.on('ready', () => (this.redisDown = false));
  }

  /** Refuses with 429 and Retry-After while the address or the account has used up its failures. */
  async assertAllowed(attempt: LoginAttempt): Promise<void> {
    const now = Date.now();
    const counters = this.countersOf(attempt);
    const transaction = this.redis.multi();
    for (const { key } of counters) {
      transaction.zremrangebyscore(key, '-inf', now - LOGIN_FAILURE_LIMIT.windowMs).zrange(key, 0, -1, 'WITHSCORES');
    }
    const replies = await this.execute(transaction);
    let refusal: { scope: string; retryAfterMs: number } | undefined;
    counters.forEach(({ scope }, index) => {
      const withScores = replies[index * 2 + 1] as string[];
      const times = withScores.filter((_, position) => position % 2 === 1).map(Number);
      const verdict = judgeWindow(times, now, LOGIN_FAILURE_LIMIT);
      if (verdict.blocked && verdict.retryAfterMs > (refusal?.retryAfterMs ?? 0)) refusal = { scope, retryAfterMs: verdict.retryAfterMs };
    });
    if (refusal) {
      throw new RetryLaterException(
        HttpStatus.TOO_MANY_REQUESTS,
        `too many failed logins ${refusal.scope}; try again ${describeWait(refusal.retryAfterMs)}`,
        Math.ceil(refusal.retryAfterMs / 1000),
      );
    }
  }

  async recordFailure(attempt: LoginAttempt): Promise<void> {
    const now = Date.now();
    const transaction = this.redis.multi();
    for (const { key } of this.countersOf(attempt)) {
      transaction
        .zadd(key, now, `${now}:${randomUUID()}`)
        // Only the newest `limit` failures matter to the verdict; older ones would only cost memory.
        .zremrangebyrank(key, 0, -(LOGIN_FAILURE_LIMIT.limit + 1))
        .pexpire(key, LOGIN_FAILURE_LIMIT.windowMs);
    }
    await this.execute(transaction);
  }

  /** A successful login clears its account's failures (not its address's: one valid account must not unlock guessing at others). */
  async resetAccount(email: string): Promise<void> {
    await this.execute(this.redis.multi().del(this.accountKey(email)));
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private countersOf(attempt: LoginAttempt): Counter[] {
    return [
      { key: `${this.prefix}:address:${clientAddressKey(attempt.address)}`, scope: 'from this address' },
      { key: this.accountKey(attempt.email), scope: 'for this account' },
    ];
  }

  private accountKey(email: string): string {
    // Hashed: the key names no e-mail address, and no character of an address can shape the key.
    return `${this.prefix}:account:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32)}`;
  }

  private async execute(transaction: ReturnType<Redis['multi']>): Promise<unknown[]> {
    let results: [Error | null, unknown][] | null;
    try {
      results = await transaction.exec();
    } catch (error) {
      throw this.unavailable(error);
    }
    if (!results) throw this.unavailable(new Error('transaction aborted'));
    const failed = results.find(([error]) => error);
    if (failed) throw this.unavailable(failed[0]);
    return results.map(([, value]) => value);
  }

  private unavailable(error: unknown): ServiceUnavailableException {
    this.logger.warn(`login limits unavailable: ${error instanceof Error ? error.message : String(error)}`);
    return new ServiceUnavailableException('login is unavailable: the store of login limits (Redis) does not answer');
  }
}
