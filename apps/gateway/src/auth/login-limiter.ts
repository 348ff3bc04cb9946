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

/** An attempt under way: counted as a failure until it is known to be something else. */
export interface LoginTicket {
  member: string;
  addressKey: string;
  accountKey: string;
}

/**
 * Counts failed logins in Redis (a sorted set of failure times per client address and per account,
 * so that every gateway replica sees the same counts), under the configured key prefix so that test
 * runs sharing a Redis stay apart.
 *
 * An attempt is counted *before* its password is checked, atomically with reading the count, so
 * that a burst of parallel guesses gets exactly as far as a sequence of them; the entry is taken
 * back when the password was right or the check never happened.
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

  /** Counts the attempt, or refuses it with 429 and Retry-After when its address or account has no failures left. */
  async begin(attempt: LoginAttempt): Promise<LoginTicket> {
    const now = Date.now();
    const ticket: LoginTicket = {
      member: `${now}:${randomUUID()}`,
      addressKey: `${this.prefix}:address:${clientAddressKey(attempt.address)}`,
      accountKey: this.accountKey(attempt.email),
    };
    const counters = [
      { key: ticket.addressKey, scope: 'from this address' },
      { key: ticket.accountKey, scope: 'for this account' },
    ];
    const transaction = this.redis.multi();
    for (const { key } of counters) {
      transaction
        .zremrangebyscore(key, '-inf', now - LOGIN_FAILURE_LIMIT.windowMs)
        .zadd(key, now, ticket.member)
        .pexpire(key, LOGIN_FAILURE_LIMIT.windowMs)
        .zrange(key, 0, -1, 'WITHSCORES');
    }
    const replies = await this.execute(transaction);

    let refusal: { scope: string; retryAfterMs: number } | undefined;
    counters.forEach(({ scope }, index) => {
      const withScores = replies[index * 4 + 3] as string[];
      const others: number[] = [];
      for (let position = 0; position < withScores.length; position += 2) {
        if (withScores[position] !== ticket.member) others.push(Number(withScores[position + 1]));
      }
      const verdict = judgeWindow(others, now, LOGIN_FAILURE_LIMIT);
      if (verdict.blocked && verdict.retryAfterMs > (refusal?.retryAfterMs ?? 0)) refusal = { scope, retryAfterMs: verdict.retryAfterMs };
    });
    if (refusal) {
      await this.cancel(ticket);
      throw new RetryLaterException(
        HttpStatus.TOO_MANY_REQUESTS,
        `too many failed logins ${refusal.scope}; try again ${describeWait(refusal.retryAfterMs)}`,
        Math.ceil(refusal.retryAfterMs / 1000),
      );
    }
    return ticket;
  }

  /**
   * The password was right: the account's failures are cleared, the address's stay (one valid
   * account must not unlock guessing at the others from there).
   */
  async succeed(ticket: LoginTicket): Promise<void> {
    await this.execute(this.redis.multi().zrem(ticket.addressKey, ticket.member).del(ticket.accountKey));
  }

  /** The attempt was no guess after all (refused, the hashing queue full, an error): not counted. */
  async cancel(ticket: LoginTicket): Promise<void> {
    await this.execute(this.redis.multi().zrem(ticket.addressKey, ticket.member).zrem(ticket.accountKey, ticket.member));
  }

  async onModuleDestroy(): Promise<void> {
    // quit() waits for a connection that may never come back; only a ready client says goodbye.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
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

  /** The outage itself is logged once, by the client's error listener; each refusal says why. */
  private unavailable(error: unknown): ServiceUnavailableException {
    this.logger.debug(`login limits unavailable: ${error instanceof Error ? error.message : String(error)}`);
    return new ServiceUnavailableException('login is unavailable: the store of login limits (Redis) does not answer');
  }
}
