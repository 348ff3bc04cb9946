import { ServerNats } from '@nestjs/microservices';
import type { NatsOptions } from '@nestjs/microservices';

type NatsServerOptions = NonNullable<NatsOptions['options']>;
type NatsConnection = Parameters<ServerNats['bindEvents']>[0];

/** Handler extras understood by BusServer. */
export interface BusHandlerExtras {
  /** Deliver to every replica instead of one per queue group (e.g. "stop the job you hold"). */
  fanout?: boolean;
}

/**
 * Nest's NATS transport with two additions: every subject gets the configured prefix (so test runs
 * sharing a NATS server stay apart), and handlers join the service's queue group so replicas share
 * work, unless they ask for fan-out.
 */
export class BusServer extends ServerNats {
  constructor(
    private readonly subjectPrefix: string,
    private readonly queueGroup: string,
    options: NatsServerOptions,
  ) {
    super(options);
  }

  override bindEvents(client: NatsConnection): void {
    for (const [subject, handler] of this.messageHandlers) {
      const extras = (handler.extras ?? {}) as BusHandlerExtras;
      const subscription = client.subscribe(this.subjectPrefix + subject, {
        queue: extras.fanout ? undefined : this.queueGroup,
        callback: this.getMessageHandler(subject).bind(this),
      });
      // The base class keeps them to unsubscribe on a graceful close.
      (this as unknown as { subscriptions: unknown[] }).subscriptions.push(subscription);
    }
  }
}
