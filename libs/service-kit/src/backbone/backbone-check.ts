import { connect, errors } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { natsConnectionOptions } from '../bus/nats-connection-options.js';
import type { CommonConfig } from '../config/common.config.js';
import { redactUrl } from './redact-url.js';

/** sysexits.h: the configuration is wrong (a refused credential). */
const EX_CONFIG = 78;

const CHECK_TIMEOUT_MS = 5_000;

/** A backbone server refused the service or cannot be reached: one sentence, no stack trace. */
export class BackboneError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'BackboneError';
  }
}

/**
 * Connects once to NATS and to Redis with the service's credentials before anything else does, so
 * that a wrong or missing credential stops the boot with one sentence naming the variable to fix.
 * Without it, NATS's refusal is a stack trace, and Redis's is worse: ioredis retries the refused
 * command for ever, and the service says it is ready while every queue operation fails.
 * A server that is not there (yet) is only reported: the clients reconnect by themselves, and the
 * gateway's readiness names what is missing meanwhile.
 */
export async function checkBackbone(service: string, config: Pick<CommonConfig, 'natsUrl' | 'redisUrl'>): Promise<void> {
  await checkNats(service, config.natsUrl);
  await checkRedis(service, config.redisUrl);
}

async function checkNats(service: string, natsUrl: string): Promise<void> {
  const options = natsConnectionOptions({ natsUrl }, `${service}-boot-check`);
  const server = redactUrl(natsUrl);
  let connection;
  try {
    connection = await connect({ ...options, reconnect: false, timeout: CHECK_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof errors.AuthorizationError) {
      const credentials = options.user
        ? `the credentials of user "${options.user}" in NATS_URL`
        : 'a connection without credentials (NATS_URL has no user and password)';
      throw new BackboneError(
        `${service}: NATS at ${server} refused ${credentials} (${error.message}). ` +
          'Set NATS_URL to nats://user:password@host:port with a user and password the server knows.',
        EX_CONFIG,
      );
    }
    unreachable(`${service}: NATS is not reachable at ${server} (${(error as Error).message}); going on, it will be retried.`);
    return;
  }
  await connection.close();
}

async function checkRedis(service: string, redisUrl: string): Promise<void> {
  const server = redactUrl(redisUrl);
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: CHECK_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() only says "Connection is closed."; the reason comes as an error event just before.
  let reason: Error | undefined;
  redis.on('error', (error: Error) => (reason = error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const message = (reason ?? (error as Error)).message;
    if (message.startsWith('NOAUTH')) {
      throw new BackboneError(
        `${service}: Redis at ${server} requires a password and REDIS_URL carries none (${message}). ` +
          'Set REDIS_URL to redis://:password@host:port.',
        EX_CONFIG,
      );
    }
    if (message.startsWith('WRONGPASS') || message.includes('invalid password')) {
      throw new BackboneError(`${service}: Redis at ${server} refused the password in REDIS_URL (${message}).`, EX_CONFIG);
    }
    unreachable(`${service}: Redis is not reachable at ${server} (${message}); going on, it will be retried.`);
  } finally {
    redis.disconnect();
  }
}

function unreachable(message: string): void {
  console.warn(message);
}
