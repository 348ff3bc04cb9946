import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { BusRequestError } from '@streamcaster/service-kit';
import type { BusErrorCode } from '@streamcaster/contracts';
import type { Response } from 'express';

const STATUS_OF: Record<BusErrorCode, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * Every error leaves the API as `{ statusCode, message }`, with a message a person can act on. The
 * gateway's bus handlers inherit this global filter too: theirs go back the way Nest answers a
 * command (an invalid ping gets `{ code: 'invalid', ... }`), not into an HTTP response that is not there.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');
  private readonly rpc = new BaseRpcExceptionFilter();

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType() === 'rpc') return this.rpc.catch(exception, host);
    const response = host.switchToHttp().getResponse<Response>();
    const { statusCode, message } = this.describe(exception);
    if (exception instanceof BusRequestError) {
      // An owner that is down or slow is an operational state, not a bug of ours: no stack trace.
      // The transport's own words stay here, in the log, never in the answer.
      if (statusCode >= 500) this.logger.warn(exception.technicalCause ? `${message} (${exception.technicalCause})` : message);
    } else if (statusCode >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    // A stream that failed half-way (a file being sent) can only be cut short, not answered.
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(statusCode).json({ statusCode, message });
  }

  private describe(exception: unknown): { statusCode: number; message: string } {
    if (exception instanceof BusRequestError) return { statusCode: STATUS_OF[exception.code], message: exception.message };
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message =
        typeof body === 'string'
          ? body
          : Array.isArray((body as { message?: unknown }).message)
            ? ((body as { message: string[] }).message).join('; ')
            : String((body as { message?: unknown }).message ?? exception.message);
      return { statusCode: exception.getStatus(), message };
    }
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal error; the gateway log has the details' };
  }
}
