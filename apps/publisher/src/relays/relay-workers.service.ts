import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { isApiPlatform, RelayProgress, RelayStateChanged, type RelayState } from '@streamcaster/contracts';
import { BusClient, LeasedWorkers, LeaseStore, Outbox, SecretBox, type Lease, type LeasedWork, type RunningWork } from '@streamcaster/service-kit';
import type { BroadcastDestinationEntity } from '../broadcasts/broadcast-destination.entity.js';
import { BroadcastsRepository } from '../broadcasts/broadcasts.repository.js';
import { PlatformSessions } from '../platform-sessions/platform-sessions.service.js';
import type { PreparedIngest } from '../platforms/platform-adapter.js';
import { PublisherConfig } from '../config/publisher.config.js';
import { DestinationsService, type RelayTarget } from '../destinations/destinations.service.js';
import { relayReconnects, relaySentBytes } from '../metrics/publisher.metrics.js';
import { Relay, type RelayStatus } from './relay.js';

interface RelaySpec {
  broadcastId: string;
  target: RelayTarget;
}

/** The live bitrate is saved this often (the state at every change), so every replica can show it. */
const SAVE_BITRATE_EVERY_MS = 5_000;

/**
 * The relays of every running broadcast, one per destination, run by whichever publisher replica
 * holds the relay's lease (`relay:<broadcastId>:<destinationId>`). A replica that dies stops renewing
 * its leases and another one takes its relays over; nothing about relays lives only in memory.
 */
@Injectable()
export class RelayWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RelayWorkers.name);
  private readonly workers: LeasedWorkers<RelaySpec>;
  private readonly relays = new Map<string, Relay>();

  constructor(
    private readonly config: PublisherConfig,
    private readonly broadcasts: BroadcastsRepository,
    private readonly destinations: DestinationsService,
    private readonly outbox: Outbox,
    private readonly bus: BusClient,
    private readonly secrets: SecretBox,
    platformSessions: PlatformSessions,
    leases: LeaseStore,
  ) {
    // A platform handed out its ingest: that destination's relay starts now, not at the next scan.
    platformSessions.onChange(() => this.nudge());
    this.workers = new LeasedWorkers<RelaySpec>({
      kind: 'relay',
      store: leases,
      desired: () => this.desired(),
      run: (work, lease) => this.run(work, lease),
    });
  }

  onApplicationBootstrap(): void {
    this.workers.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.workers.stop();
  }

  /** A broadcast started or ended somewhere: look at once instead of at the next scan. */
  nudge(): void {
    this.workers.nudge();
  }

  /**
   * The program (re)started: relays of it that wait in their backoff reconnect now, so platforms get
   * the picture back within a second of the DJ's return instead of after up to 30 s.
   */
  programStarted(broadcastId: string): void {
    for (const [key, relay] of this.relays) {
      if (key.startsWith(`${broadcastId}:`)) relay.retryNow();
    }
    this.nudge();
  }

  /** Live figures of a relay this replica runs. */
  statusOf(broadcastId: string, destinationId: string): RelayStatus | undefined {
    return this.relays.get(`${broadcastId}:${destinationId}`)?.status;
  }

  heldKeys(): string[] {
    return this.workers.heldKeys();
  }

  /** The state of every relay this replica runs (the metrics). */
  relayStates(): RelayState[] {
    return [...this.relays.values()].map((relay) => relay.status.state);
  }

  private async desired(): Promise<Array<LeasedWork<RelaySpec>>> {
    const rows = (await this.broadcasts.runningDestinations()).filter((row) => row.state !== 'failed');
    const environments = [...new Set(rows.map((row) => row.broadcast.environment))];
    const targets = new Map<string, RelayTarget>();
    const enabledPlatformDestinations = new Set<string>();
    for (const environment of environments) {
      for (const target of await this.destinations.broadcastTargets(environment)) {
        if (target.kind === 'ready') targets.set(target.id, target);
        if (target.kind === 'platform') enabledPlatformDestinations.add(target.id);
      }
    }
    // A destination disabled or deleted during the broadcast stops; one added later joins the next.
    return rows.flatMap((row) => {
      if (isApiPlatform(row.platform)) {
        const target = enabledPlatformDestinations.has(row.destinationId) ? this.platformTarget(row) : null;
        return target ? [{ key: `${row.broadcastId}:${row.destinationId}`, spec: { broadcastId: row.broadcastId, target } }] : [];
      }
      const target = targets.get(row.destinationId);
      return target ? [{ key: `${row.broadcastId}:${row.destinationId}`, spec: { broadcastId: row.broadcastId, target } }] : [];
    });
  }

  /**
   * An API platform's relay pushes to the ingest that the platform handed out for this broadcast: it
   * waits until the platform side created it, and stops once the platform ended it.
   */
  private platformTarget(row: BroadcastDestinationEntity): RelayTarget | null {
    if (!row.platformIngestSealed || row.platformState === 'complete') return null;
    try {
      const ingest = JSON.parse(this.secrets.open(row.platformIngestSealed)) as PreparedIngest;
      return { kind: 'ready', id: row.destinationId, name: row.name, platform: row.platform, pushUrl: ingest.pushUrl, streamKey: ingest.secret };
    } catch (error) {
      this.logger.error(`the ingest of ${row.name} cannot be read (${(error as Error).message}); its relay waits`);
      return null;
    }
  }

  private async run(work: LeasedWork<RelaySpec>, lease: Lease): Promise<RunningWork> {
    const { broadcastId, target } = work.spec;
    const relay = new Relay({
      broadcastId,
      destinationId: target.id,
      destinationName: target.name,
      programUrl: `${this.config.rtmpInternalUrl}/program/${broadcastId}`,
      pushUrl: target.pushUrl,
      secret: target.streamKey,
      ffmpegPath: this.config.ffmpegPath,
      backoff: { initialMs: this.config.relayBackoffInitialMs, maxMs: this.config.relayBackoffMaxMs, resetAfterMs: 30_000 },
    });
    // Writes of one relay go one after the other, so the database ends with its last state.
    let writes: Promise<void> = Promise.resolve();
    const save = (write: () => Promise<void>) => {
      writes = writes.then(write).catch((error: Error) => this.logger.error(`could not save the relay state of ${target.name}: ${error.message}`));
    };
    let bitrateSavedAt = 0;
    relay.on('status', (status) => {
      if (status.state === 'reconnecting') relayReconnects.inc();
      save(() => this.saveStatus(broadcastId, target, status, lease));
    });
    relay.on('progress', (progress, sentBytes) => {
      relaySentBytes.inc(sentBytes);
      void this.bus.emit(RelayProgress, { broadcastId, destinationId: target.id, progress });
      if (Date.now() - bitrateSavedAt < SAVE_BITRATE_EVERY_MS) return;
      bitrateSavedAt = Date.now();
      const bitrateKbps = relay.status.bitrateKbps;
      save(async () => {
        await this.broadcasts.updateDestinationFenced(this.outbox.manager, broadcastId, target.id, { bitrateKbps }, lease);
      });
    });
    this.relays.set(work.key, relay);
    await relay.start();
    return {
      stop: async (reason) => {
        this.logger.log(`relay to ${target.name} of broadcast ${broadcastId} stops: ${reason}`);
        await relay.stop();
        await writes;
        this.relays.delete(work.key);
      },
      kill: async (reason) => {
        this.logger.warn(`relay to ${target.name} of broadcast ${broadcastId} killed: ${reason}`);
        this.relays.delete(work.key);
        await relay.kill();
      },
    };
  }


  /** The relay's state and its event, together, and only while this replica still holds its lease. */
  private async saveStatus(broadcastId: string, target: RelayTarget, status: RelayStatus, lease: Lease): Promise<void> {
    if (status.state === 'reconnecting') {
      this.logger.warn(`relay to ${target.name} failed (${status.lastError ?? 'no reason'}); reconnect #${status.reconnects} scheduled`);
    } else {
      this.logger.log(`relay to ${target.name}: ${status.state}`);
    }
    await this.outbox.transaction(async (manager) => {
      const saved = await this.broadcasts.updateDestinationFenced(
        manager,
        broadcastId,
        target.id,
        { state: status.state, reconnects: status.reconnects, lastError: status.lastError, bitrateKbps: status.bitrateKbps, liveSince: status.liveSince },
        lease,
      );
      if (!saved) return; // the lease went to another replica: its relay reports now
      await this.outbox.add(manager, RelayStateChanged, {
        broadcastId,
        destinationId: target.id,
        state: status.state,
        reconnects: status.reconnects,
        ...(status.lastError ? { reason: status.lastError } : {}),
      });
    });
  }
}
