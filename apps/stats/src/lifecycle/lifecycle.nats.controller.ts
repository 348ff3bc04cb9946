import { Controller } from '@nestjs/common';
import {
  BroadcastStateChanged,
  ProgramRequested,
  RecordingFinalized,
  RecordingStarted,
  RelayStateChanged,
  type EventMessage,
  type EventPayload,
} from '@streamcaster/contracts';
import { OnDurableEvent, type DurableContext } from '@streamcaster/service-kit';
import { BroadcastReconciler } from './broadcast-reconciler.js';
import { TrackedBroadcastsRepository } from './tracked-broadcasts.repository.js';

type Message<E extends Parameters<typeof OnDurableEvent>[0]> = EventMessage<EventPayload<E>>;

/**
 * The lifecycle events, durably (one replica each, in its transaction): which broadcasts run, which
 * DJ stream each one reads, every relay's state and every recording. Stored, because the replica
 * that builds the snapshots may not be the one that got the event.
 */
@Controller()
export class LifecycleNatsController {
  constructor(
    private readonly tracked: TrackedBroadcastsRepository,
    private readonly reconciler: BroadcastReconciler,
  ) {}

  @OnDurableEvent(BroadcastStateChanged)
  async onBroadcastState(message: Message<typeof BroadcastStateChanged>, { manager }: DurableContext): Promise<void> {
    const { broadcastId, environment, state, previousState } = message.payload;
    await this.tracked.broadcastState(manager, { id: broadcastId, environment, state, at: new Date(message.occurredAt) });
    // A new broadcast: its DJ and destination names come from the publisher.
    if (previousState === null) this.reconciler.soon();
  }

  @OnDurableEvent(ProgramRequested)
  async onProgramRequested(message: Message<typeof ProgramRequested>, { manager }: DurableContext): Promise<void> {
    const { broadcastId, environment, input } = message.payload;
    await this.tracked.programInput(manager, { broadcastId, environment, input, at: new Date(message.occurredAt) });
  }

  @OnDurableEvent(RelayStateChanged)
  async onRelayState(message: Message<typeof RelayStateChanged>, { manager }: DurableContext): Promise<void> {
    const { broadcastId, destinationId, state, reconnects, reason } = message.payload;
    await this.tracked.relayState(manager, { broadcastId, destinationId, state, reconnects, reason: reason ?? null, at: new Date(message.occurredAt) });
  }

  @OnDurableEvent(RecordingStarted)
  async onRecordingStarted(message: Message<typeof RecordingStarted>, { manager }: DurableContext): Promise<void> {
    await this.tracked.recordingStarted(manager, message.payload);
  }

  @OnDurableEvent(RecordingFinalized)
  async onRecordingFinalized(message: Message<typeof RecordingFinalized>, { manager }: DurableContext): Promise<void> {
    await this.tracked.recordingFinalized(manager, message.payload);
  }
}
