import { Logger } from '@nestjs/common';
import { ClientNats } from '@nestjs/microservices';
import type { NatsOptions } from '@nestjs/microservices';
import {
  wrapEvent,
  type CommandContract,
  type CommandResponse,
  type EventContract,
  type EventPayload,
} from '@streamcaster/contracts';
import type { z } from 'zod';
import { firstValueFrom, timeout } from 'rxjs';
import { BusRequestError } from './bus-error.js';
import { busRequestDuration } from '../metrics/bus.metrics.js';
import { natsConnectionOptions } from './nats-connection-options.js';

type NatsClientOptions = NonNullable<NatsOptions['options']>;

class PrefixedClientNats extends ClientNats {
  constructor(
    private readonly subjectPrefix: string,
    options: NatsClientOptions,
  ) {
    super(options);
  }

  protected override normalizePattern(pattern: unknown): string {
    return this.subjectPrefix + super.normalizePattern(pattern as string);
  }
}

/** The one way services talk on the bus: typed by the contracts, validated on the way out. */
export class BusClient {
  private readonly logger = new Logger(BusClient.name);
  private readonly client: PrefixedClientNats;

  constructor(
    private readonly producer: string,
    subjectPrefix: string,
    natsUrl: string,
    private readonly defaultTimeoutMs = 5_000,
  ) {
    this.client = new PrefixedClientNats(subjectPrefix, natsConnectionOptions({ natsUrl }, producer));
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Publishes an event in its envelope. Events may be lost: state that matters is in PostgreSQL. */
  async emit<E extends EventContract>(event: E, payload: EventPayload<E>, correlationId?: string): Promise<void> {
    const message = wrapEvent(event, event.payload.parse(payload) as EventPayload<E>, this.producer, correlationId);
    try {
      await firstValueFrom(this.client.emit(event.subject, message), { defaultValue: undefined });
    } catch (error) {
      this.logger.warn(`could not publish ${event.subject}: ${(error as Error).message}`);
    }
  }

  /**
   * Asks the owning service; throws BusRequestError with a code the gateway maps to HTTP and a
   * message that names the owner when it could not be reached (see BusRequestError.from).
   */
  async request<C extends CommandContract>(
    command: C,
    payload: z.input<C['request']>,
    timeoutMs = this.defaultTimeoutMs,
  ): Promise<CommandResponse<C>> {
    const parsedRequest = command.request.safeParse(payload);
    if (!parsedRequest.success) {
      throw new BusRequestError('invalid', parsedRequest.error.issues.map(describeIssue).join('; '));
    }
    const timer = busRequestDuration.startTimer({ subject: command.subject });
    let answer: unknown;
    try {
      answer = await firstValueFrom(this.client.send(command.subject, parsedRequest.data).pipe(timeout(timeoutMs)));
    } catch (error) {
      const failure = BusRequestError.from(error, command, timeoutMs);
      timer({ outcome: failure.code });
      throw failure;
    }
    const parsedAnswer = command.response.safeParse(answer);
    timer({ outcome: parsedAnswer.success ? 'ok' : 'error' });
    if (!parsedAnswer.success) throw parsedAnswer.error;
    return parsedAnswer.data as CommandResponse<C>;
  }
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
