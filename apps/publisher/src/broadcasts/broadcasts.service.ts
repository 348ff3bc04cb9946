import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  BroadcastStateChanged,
  type BroadcastState,
  type BroadcastView,
  type Environment,
  type EventPayload,
  type IngestStarted,
  type IngestStopped,
} from '@streamcaster/contracts';
import { BusClient, BusException } from '@streamcaster/service-kit';
import { BrandingService } from '../branding/branding.service.js';
import { PublisherConfig } from '../config/publisher.config.js';
import { DestinationsService } from '../destinations/destinations.service.js';
import { RelayManager } from '../relays/relay-manager.service.js';
import type { BroadcastEntity } from './broadcast.entity.js';
import { canTake, nextState, type BroadcastEvent } from './broadcast-state-machine.js';
import { BroadcastQueues } from './broadcast-queues.js';
import { BroadcastsRepository } from './broadcasts.repository.js';

/**
 * The broadcast lifecycle: a DJ starts publishing → a broadcast with its title, a transcode job and,
 * once the program is up, one relay per destination; the DJ leaves → a grace period; then the end.
 */
@Injectable()
export class BroadcastsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BroadcastsService.name);

  constructor(
    private readonly broadcasts: BroadcastsRepository,
    private readonly destinations: DestinationsService,
    private readonly branding: BrandingService,
    private readonly relays: RelayManager,
    private readonly queues: BroadcastQueues,
    private readonly bus: BusClient,
    private readonly config: PublisherConfig,
  ) {}

  onIngestStarted(event: EventPayload<typeof IngestStarted>, correlationId: string): Promise<void> {
    return this.broadcasts.withDjLock(event.djId, event.environment, () => this.startOrResume(event, correlationId));
  }

  onIngestStopped(event: EventPayload<typeof IngestStopped>, correlationId: string): Promise<void> {
    return this.broadcasts.withDjLock(event.djId, event.environment, () => this.interrupt(event, correlationId));
  }

  private async startOrResume(event: EventPayload<typeof IngestStarted>, correlationId: string): Promise<void> {
    // The end of a broadcast (grace period over, or a stop) does not take the DJ lock: re-read until
    // the DJ's running broadcast is either resumed or gone.
    for (let look = 0; look < 40; look += 1) {
      const running = await this.broadcasts.findActiveForDj(event.djId, event.environment);
      if (!running) break;
      if (running.currentIngestId === event.ingestId) return; // the same event, delivered again
      if (running.state === 'ending') {
        // Ending right now: a new broadcast starts once that one is over.
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      // The DJ is back within the grace period: same broadcast; the transcoder re-attaches by itself.
      if (await this.move(running, 'dj-returned', correlationId, { interruptedByIngestId: null, currentIngestId: event.ingestId })) {
        this.logger.log(`DJ ${event.djName} is back on ${event.environment}; broadcast ${running.id} continues`);
        return;
      }
    }

    const startedAt = new Date(event.startedAt);
    const { title, description, branding } = await this.branding.renderFor(event.djName, event.environment, startedAt);
    const targets = await this.destinations.relayTargets(event.environment);
    const broadcast = await this.broadcasts.create({
      environment: event.environment,
      djId: event.djId,
      djName: event.djName,
      title,
      description,
      state: 'starting',
      inputApp: event.stream.app,
      inputStream: event.stream.streamName,
      startedAt,
      currentIngestId: event.ingestId,
      interruptedByIngestId: null,
      destinations: targets.map((target) => ({
        destinationId: target.id,
        name: target.name,
        state: 'pending',
        reconnects: 0,
        bitrateKbps: null,
        lastError: null,
      })) as BroadcastEntity['destinations'],
    });
    this.logger.log(`broadcast ${broadcast.id} "${title}" created for ${targets.length} destination(s) of ${event.environment}`);
    await this.publishState(broadcast, null, correlationId);
    await this.queues.transcode.add(
      'run-broadcast',
      {
        broadcastId: broadcast.id,
        environment: broadcast.environment,
        input: event.stream,
        djName: event.djName,
        logo: branding.logo
          ? { assetName: branding.logo.assetName, position: branding.logoPosition, width: branding.logo.width, height: branding.logo.height }
          : null,
      },
      // One job per broadcast, whatever the number of retries of this event.
      { jobId: broadcast.id, attempts: 1000, backoff: { type: 'exponential', delay: 1_000 } },
    );
    // Relays start now and wait on the program stream inside nginx-rtmp: they get its very first
    // keyframe instead of waiting up to a GOP for the next one. ffmpeg opens the push to the platform
    // only once it has read the program, so nothing reaches a platform before there is a program.
    await this.relays.startAll(broadcast.id, targets);
  }

  private async interrupt(event: EventPayload<typeof IngestStopped>, correlationId: string): Promise<void> {
    const broadcast = await this.broadcasts.findActiveForDj(event.djId, event.environment);
    if (!broadcast || !canTake(broadcast.state, 'dj-left') || broadcast.state === 'ending') return;
    // A connection the broadcast no longer runs on (the DJ already reconnected): nothing to do.
    if (broadcast.currentIngestId !== event.ingestId) return;
    await this.move(broadcast, 'dj-left', correlationId, { interruptedByIngestId: event.ingestId });
    await this.queues.broadcast.add(
      'end',
      { broadcastId: broadcast.id, ingestId: event.ingestId },
      { jobId: `end-${broadcast.id}-${event.ingestId}`, delay: this.config.gracePeriodMs, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } },
    );
    this.logger.log(`DJ left broadcast ${broadcast.id}; it ends in ${this.config.gracePeriodMs} ms unless they return`);
  }

  async onProgramStarted(broadcastId: string, correlationId: string): Promise<void> {
    const broadcast = await this.broadcasts.findById(broadcastId);
    if (!broadcast || !canTake(broadcast.state, 'program-up') || broadcast.state === 'ending') return;
    if (broadcast.state === 'starting') await this.move(broadcast, 'program-up', correlationId);
    // Idempotent: relays already waiting are kept; this restarts them only after a publisher restart.
    await this.relays.startAll(broadcast.id, await this.targetsOf(broadcast));
  }

  /** The grace period ran out: end only if it is still the same interruption. */
  /**
   * A publisher that crashed while ending a broadcast left it `ending`, which would also keep its DJ
   * from starting a new one. Relays die with their publisher; what is left is to mark it ended.
   */
  async onApplicationBootstrap(): Promise<void> {
    for (const broadcast of await this.broadcasts.findInState('ending')) {
      if (await this.move(broadcast, 'stopped', broadcast.id, { endedAt: new Date(), endReason: broadcast.endReason ?? 'the publisher restarted while ending it' })) {
        this.logger.warn(`finished broadcast ${broadcast.id}, left ending by a publisher that stopped`);
      }
    }
  }

  async onGraceExpired(broadcastId: string, ingestId: string): Promise<void> {
    const broadcast = await this.broadcasts.findById(broadcastId);
    if (!broadcast || broadcast.state !== 'interrupted' || broadcast.interruptedByIngestId !== ingestId) return;
    await this.end(broadcast, 'the DJ did not come back within the grace period', broadcastId);
  }

  async stop(id: string): Promise<BroadcastView> {
    const broadcast = await this.broadcasts.findById(id);
    if (!broadcast) throw new BusException('not_found', `no broadcast with id ${id}`);
    if (!canTake(broadcast.state, 'stop')) throw new BusException('conflict', `broadcast ${id} is already ${broadcast.state}`);
    await this.end(broadcast, 'stopped from the dashboard', id);
    return this.get(id);
  }

  async get(id: string): Promise<BroadcastView> {
    const broadcast = await this.broadcasts.findById(id);
    if (!broadcast) throw new BusException('not_found', `no broadcast with id ${id}`);
    return this.toView(broadcast);
  }

  async list(environment: Environment | undefined, limit: number, djId?: string): Promise<BroadcastView[]> {
    return (await this.broadcasts.list(environment, limit, djId)).map((broadcast) => this.toView(broadcast));
  }

  private async end(broadcast: BroadcastEntity, reason: string, correlationId: string): Promise<void> {
    if (!(await this.move(broadcast, 'stop', correlationId, { endReason: reason }))) return;
    this.logger.log(`ending broadcast ${broadcast.id}: ${reason}`);
    // 'ending' tells the transcoder to stop its job and the recorder to finish the file.
    await this.relays.stopAll(broadcast.id);
    await this.queues.transcode.remove(broadcast.id).catch(() => undefined);
    await this.move(broadcast, 'stopped', correlationId, { endedAt: new Date() });
  }

  /** Applies one state-machine step with compare-and-set; false when another actor moved it first. */
  private async move(
    broadcast: BroadcastEntity,
    event: BroadcastEvent,
    correlationId: string,
    extra: Partial<BroadcastEntity> = {},
  ): Promise<boolean> {
    const from = broadcast.state;
    const to = nextState(from, event);
    if (!(await this.broadcasts.transition(broadcast.id, from, to, extra))) return false;
    Object.assign(broadcast, extra, { state: to });
    if (to !== from) await this.publishState(broadcast, from, correlationId);
    return true;
  }

  private async publishState(broadcast: BroadcastEntity, previousState: BroadcastState | null, correlationId: string): Promise<void> {
    await this.bus.emit(
      BroadcastStateChanged,
      {
        broadcastId: broadcast.id,
        environment: broadcast.environment,
        djName: broadcast.djName,
        title: broadcast.title,
        state: broadcast.state,
        previousState,
      },
      correlationId,
    );
  }

  private async targetsOf(broadcast: BroadcastEntity) {
    // Only the destinations the broadcast started with; one enabled later joins the next broadcast.
    const wanted = new Set(broadcast.destinations.map((destination) => destination.destinationId));
    return (await this.destinations.relayTargets(broadcast.environment)).filter((target) => wanted.has(target.id));
  }

  private toView(broadcast: BroadcastEntity): BroadcastView {
    return {
      id: broadcast.id,
      environment: broadcast.environment,
      state: broadcast.state,
      djId: broadcast.djId,
      djName: broadcast.djName,
      title: broadcast.title,
      description: broadcast.description,
      startedAt: broadcast.startedAt.toISOString(),
      endedAt: broadcast.endedAt?.toISOString() ?? null,
      destinations: broadcast.destinations.map((destination) => {
        const live = this.relays.statusOf(broadcast.id, destination.destinationId);
        return {
          id: destination.destinationId,
          name: destination.name,
          state: live?.state ?? destination.state,
          reconnects: live?.reconnects ?? destination.reconnects,
          bitrateKbps: live ? live.bitrateKbps : destination.bitrateKbps,
          lastError: live ? live.lastError : destination.lastError,
        };
      }),
    };
  }
}
