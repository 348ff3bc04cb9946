import { z } from 'zod';
import type { ServiceName } from './domain.js';

/** Every event on the bus travels inside this envelope, so consumers can deduplicate and trace. */
export const envelopeSchema = z.object({
  id: z.uuid(),
  occurredAt: z.iso.datetime(),
  correlationId: z.string().min(1),
  producer: z.string().min(1),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** An event: a fact that happened, published to every interested service. */
export interface EventContract<S extends string = string, P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly subject: S;
  readonly payload: P;
  readonly message: z.ZodType<EventMessage<z.output<P>>>;
}

/** A command: request/reply to the one service that owns the data. */
export interface CommandContract<S extends string = string, Q extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly kind: 'command';
  /** The service that answers it; named to the user when it does not. */
  readonly owner: ServiceName;
  readonly subject: S;
  readonly request: Q;
  readonly response: R;
}

export type EventMessage<P> = Envelope & { payload: P };
export type EventPayload<E extends EventContract> = z.output<E['payload']>;
export type CommandRequest<C extends CommandContract> = z.output<C['request']>;
export type CommandResponse<C extends CommandContract> = z.output<C['response']>;

export function defineEvent<const S extends string, P extends z.ZodType>(subject: S, payload: P): EventContract<S, P> {
  const message = envelopeSchema.extend({ payload }) as unknown as z.ZodType<EventMessage<z.output<P>>>;
  return { kind: 'event', subject, payload, message };
}

export function defineCommand<const S extends string, Q extends z.ZodType, R extends z.ZodType>(
  owner: ServiceName,
  subject: S,
  request: Q,
  response: R,
): CommandContract<S, Q, R> {
  return { kind: 'command', owner, subject, request, response };
}

export function wrapEvent<E extends EventContract>(
  _event: E,
  payload: EventPayload<E>,
  producer: string,
  correlationId?: string,
): EventMessage<EventPayload<E>> {
  // Web Crypto, not node:crypto: the contracts also run in the dashboard's browser bundle.
  const id = globalThis.crypto.randomUUID();
  return { id, occurredAt: new Date().toISOString(), correlationId: correlationId ?? id, producer, payload };
}
