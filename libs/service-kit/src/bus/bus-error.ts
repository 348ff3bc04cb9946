import { RpcException } from '@nestjs/microservices';
import { busErrorSchema, type BusError, type BusErrorCode } from '@streamcaster/contracts';

/** Thrown by a command handler; travels to the caller as `{ code, message }`. */
export class BusException extends RpcException {
  constructor(code: BusErrorCode, message: string) {
    super({ code, message } satisfies BusError);
  }
}

/** What a caller gets when a command failed, whether in the owner or on the way. */
export class BusRequestError extends Error {
  constructor(
    readonly code: BusErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BusRequestError';
  }

  static from(error: unknown, subject: string): BusRequestError {
    const parsed = busErrorSchema.safeParse(error);
    if (parsed.success) return new BusRequestError(parsed.data.code, parsed.data.message);
    const message = error instanceof Error ? error.message : JSON.stringify(error);
    return new BusRequestError('unavailable', `${subject} failed: ${message}`);
  }
}
