import { RpcException } from '@nestjs/microservices';
import { busErrorSchema, type BusError, type BusErrorCode, type CommandContract } from '@streamcaster/contracts';

/** Thrown by a command handler; travels to the caller as `{ code, message }`. */
export class BusException extends RpcException {
  constructor(code: BusErrorCode, message: string) {
    super({ code, message } satisfies BusError);
  }
}

/**
 * What a caller gets when a command failed, whether in the owner or on the way. `message` is meant
 * for a person (the gateway shows it); the technical reason, when there is one, is in `cause`, for
 * the log only.
 */
export class BusRequestError extends Error {
  constructor(
    readonly code: BusErrorCode,
    message: string,
    options?: { cause?: string },
  ) {
    super(message, options);
    this.name = 'BusRequestError';
  }

  /** The technical reason behind the message, for a log line; undefined for the owner's own refusals. */
  get technicalCause(): string | undefined {
    return typeof this.cause === 'string' ? this.cause : undefined;
  }

  /**
   * Maps whatever a request ended with: the owner's own `{ code, message }` is passed on as it is;
   * an owner that nobody runs, that does not answer in time or a bus that is down become
   * "the <owner> service is not available", never the transport's text ("There are no subscribers
   * listening to that message", "Timeout has occurred", "Connection closed").
   */
  static from(error: unknown, command: CommandContract, timeoutMs: number): BusRequestError {
    const parsed = busErrorSchema.safeParse(error);
    if (parsed.success) return new BusRequestError(parsed.data.code, parsed.data.message);
    if (isPlainObject(error)) {
      // The owner answered, but with Nest's generic reply to an exception it did not expect.
      return new BusRequestError('unavailable', `the ${command.owner} service failed to answer; its log has the details`, {
        cause: `${command.subject}: the ${command.owner} answered ${JSON.stringify(error)}`,
      });
    }
    return new BusRequestError('unavailable', `the ${command.owner} service is not available`, {
      cause: `${command.subject}: ${transportFailure(error, command, timeoutMs)}`,
    });
  }
}

function transportFailure(error: unknown, command: CommandContract, timeoutMs: number): string {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  // Nest's EmptyResponseException: NATS answered "no responders" for the subject.
  if (/no subscribers listening/i.test(message)) return `no ${command.owner} is subscribed (no responders)`;
  return `bus failure: ${message}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Error);
}
