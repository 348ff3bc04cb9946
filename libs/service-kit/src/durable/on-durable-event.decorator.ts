import type { EntityManager } from 'typeorm';
import type { EventContract, EventMessage, EventPayload } from '@streamcaster/contracts';

export const DURABLE_EVENT = Symbol('streamcaster:durable-event');

/** What a durable handler gets beside the event: the transaction that also records the event as handled. */
export interface DurableContext {
  /** Write through this: the handler's changes, the event's inbox row and any outbox rows commit together. */
  manager: EntityManager;
  /** 1 on the first delivery; more after a crash or a failed attempt. */
  deliveryCount: number;
}

export type DurableHandler<E extends EventContract = EventContract> = (
  message: EventMessage<EventPayload<E>>,
  context: DurableContext,
) => Promise<void>;

/**
 * Handles a lifecycle event from JetStream: delivered to one replica of the service, inside a
 * transaction, acknowledged only once that transaction committed, redelivered otherwise, and never
 * handled twice (the event id goes into the service's inbox table in the same transaction).
 */
export function OnDurableEvent(event: EventContract): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(DURABLE_EVENT, event, descriptor.value as object);
    return descriptor;
  };
}
