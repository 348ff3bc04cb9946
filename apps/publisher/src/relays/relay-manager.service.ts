import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { RelayProgress, RelayStateChanged } from '@streamcaster/contracts';
import { BusClient } from '@streamcaster/service-kit';
import { BroadcastsRepository } from '../broadcasts/broadcasts.repository.js';
import { PublisherConfig } from '../config/publisher.config.js';
import type { RelayTarget } from '../destinations/destinations.service.js';
import { Relay, type RelayStatus } from './relay.js';

/** Holds the relays of every broadcast this replica runs, keeps their state in PostgreSQL and on the bus. */
@Injectable()
export class RelayManager implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RelayManager.name);
  private readonly relays = new Map<string, Map<string, Relay>>();
  /** State writes in flight, awaited at shutdown so that the last states reach the database. */
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly config: PublisherConfig,
    private readonly broadcasts: BroadcastsRepository,
    private readonly bus: BusClient,
  ) {}

  /** Starts one relay per target that has none yet; idempotent for a repeated program.started. */
  async startAll(broadcastId: string, targets: RelayTarget[]): Promise<void> {
    const running = this.relays.get(broadcastId) ?? new Map<string, Relay>();
    this.relays.set(broadcastId, running);
    const programUrl = `${this.config.rtmpInternalUrl}/program/${broadcastId}`;
    await Promise.all(
      targets
        .filter((target) => !running.has(target.id))
        .map((target) => {
          const relay = new Relay({
            broadcastId,
            destinationId: target.id,
            destinationName: target.name,
            programUrl,
            pushUrl: target.pushUrl,
            secret: target.streamKey,
            ffmpegPath: this.config.ffmpegPath,
            backoff: { initialMs: this.config.relayBackoffInitialMs, maxMs: this.config.relayBackoffMaxMs, resetAfterMs: 30_000 },
          });
          running.set(target.id, relay);
          relay.on('status', (status) => {
            const write = this.publishStatus(broadcastId, target, status).finally(() => this.writes.delete(write));
            this.writes.add(write);
          });
          relay.on('progress', (progress) => void this.bus.emit(RelayProgress, { broadcastId, destinationId: target.id, progress }));
          return relay.start();
        }),
    );
  }

  async stopAll(broadcastId: string): Promise<void> {
    const running = this.relays.get(broadcastId);
    if (!running) return;
    this.relays.delete(broadcastId);
    await Promise.all([...running.values()].map((relay) => relay.stop()));
  }

  /** Live figures for the API; the database has the last persisted ones for relays of other replicas. */
  statusOf(broadcastId: string, destinationId: string): RelayStatus | undefined {
    return this.relays.get(broadcastId)?.get(destinationId)?.status;
  }

  /** Before the database and the bus close: the relays' last states must still be saved. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.relays.keys()].map((broadcastId) => this.stopAll(broadcastId)));
    await Promise.all([...this.writes]);
  }

  private async publishStatus(broadcastId: string, target: RelayTarget, status: RelayStatus): Promise<void> {
    if (status.state === 'reconnecting') {
      this.logger.warn(`relay to ${target.name} failed (${status.lastError ?? 'no reason'}); reconnect #${status.reconnects} scheduled`);
    } else {
      this.logger.log(`relay to ${target.name}: ${status.state}`);
    }
    try {
      await this.broadcasts.updateDestination(broadcastId, target.id, {
        state: status.state,
        reconnects: status.reconnects,
        lastError: status.lastError,
      });
    } catch (error) {
      this.logger.error(`could not save the relay state of ${target.name}: ${(error as Error).message}`);
    }
    await this.bus.emit(RelayStateChanged, {
      broadcastId,
      destinationId: target.id,
      state: status.state,
      reconnects: status.reconnects,
      ...(status.lastError ? { reason: status.lastError } : {}),
    });
  }
}
