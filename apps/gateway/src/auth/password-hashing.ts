import { HttpStatus, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ConcurrencyLimit, ConcurrencyLimitReached } from './bounded-concurrency.js';
import { hashPassword, verifyPassword } from './password-hasher.js';
import { RetryLaterException } from './retry-later.js';

/**
 * Each scrypt holds 32 MiB: two at once (libuv has four threads; the rest serve the file system and
 * DNS), 32 waiting, and a flood beyond that is refused at once with 429 instead of queueing memory.
 */
const CONCURRENT_HASHES = 2;
const QUEUED_HASHES = 32;

/** Password hashing for the whole gateway, bounded in concurrency. */
@Injectable()
export class PasswordHashing {
  private readonly limit = new ConcurrencyLimit('password checks', CONCURRENT_HASHES, QUEUED_HASHES);
  // Compared against when the e-mail is unknown, so that a wrong e-mail costs as long as a wrong password.
  private dummyHash: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return this.bounded(() => hashPassword(password));
  }

  /** `stored` undefined (no such user) still costs one scrypt, and is false. */
  verify(password: string, stored: string | undefined): Promise<boolean> {
    return this.bounded(async () => {
      const valid = await verifyPassword(password, stored ?? (await this.dummy()));
      return stored !== undefined && valid;
    });
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    return this.dummyHash;
  }

  private async bounded<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await this.limit.run(task);
    } catch (error) {
      if (error instanceof ConcurrencyLimitReached) {
        // 429, not 503: the gateway is fine, the caller is one of too many; and the shared error
        // filter logs every 5xx with its stack, which a flood would turn into a flood of logs.
        throw new RetryLaterException(HttpStatus.TOO_MANY_REQUESTS, 'too many logins at once; try again in a second', 1);
      }
      throw error;
    }
  }
}
