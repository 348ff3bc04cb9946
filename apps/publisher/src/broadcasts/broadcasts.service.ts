import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  BroadcastStateChanged,
  BroadcastUpdated,
  ProgramInputChanged,
  ProgramRequested,
  type BroadcastPatch,
  type BroadcastUpdateResult,
  type BroadcastState,
  type BroadcastView,
  type EventPayload,
  type IngestStarted,
  type IngestStopped,
  type Platform,
  type ProgramSourceChanged,
  type PlatformState,
  type RelayState,
  broadcastRuns,
  isApiPlatform,
} from '@streamcaster/contracts';
import { BusClient, BusException, LeaseStore, Outbox } from '@streamcaster/service-kit';
import { BrandingService } from '../branding/branding.service.js';
import { PublisherConfig } from '../config/publisher.config.js';
import { DestinationsService, type PlatformTarget, type RelayTarget, type UnreadableTarget } from '../destinations/destinations.service.js';
import type { BroadcastDestinationEntity } from './broadcast-destination.entity.js';
import { PlatformSessions } from '../platform-sessions/platform-sessions.service.js';
import { RelayWorkers } from '../relays/relay-workers.service.js';
import type { BroadcastEntity } from './broadcast.entity.js';
import { canTake, nextState, type BroadcastEvent } from './broadcast-state-machine.js';
import { BroadcastQueues } from './broadcast-queues.js';
import { BroadcastsRepository, type BroadcastListFilter } from './broadcasts.repository.js';

/** One destination of a new broadcast: a relay waiting for the program, and for API platforms their side to create. */
function newBroadcastDestination(target: RelayTarget | UnreadableTarget | PlatformTarget): Partial<BroadcastDestinationEntity> {
  const common = {
    destinationId: target.id,
    name: target.name,
    platform: target.platform,
    liveSince: null,
    reconnects: 0,
    bitrateKbps: null,
    watchUrl: null,
    viewers: null,
    platformRefs: {},
    platformIngestSealed: null,
  };
  if (target.kind === 'platform') {
    return { ...common, state: 'pending', lastError: null, accountId: target.accountId, platformState: 'creating', platformReason: null, platformFinished: false };
  }
  // A destination whose key cannot be read fails alone, with its reason; the others go live.
  return {
    ...common,
    state: target.kind === 'ready' ? 'pending' : 'failed',
    lastError: target.kind === 'ready' ? null : target.reason,
    accountId: null,
    platformState: null,
    platformReason: null,
    platformFinished: true,
  };
}

/**
 * No false green: bytes leave and, for API platforms, the platform says it receives. An `rtmp`
 * destination has no one to ask, so its relay's bytes are the whole proof.
 */
export function isConfirmed(relayState: RelayState, platformState: PlatformState | null, platform: Platform): boolean {
  if (relayState !== 'live') return false;
  if (!isApiPlatform(platform)) return true;
  return platformState === 'live' || platformState === 'testing';
}

/** How long an ending broadcast waits for its relays to stop before it is marked ended anyway. */
const RELAYS_STOP_WITHIN_MS = 10_000;

/**
 * The broadcast lifecycle: a DJ starts publishing → a broadcast with its title, a program request and
 * one relay per destination (run by whichever replica takes their leases); the DJ leaves → a grace
 * period; then the end. Every state change commits together with the event that reports it.
 */
@Injectable()
export class BroadcastsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BroadcastsService.name);

  constructor(
    private readonly broadcasts: BroadcastsRepository,
    private readonly destinations: DestinationsService,
    private readonly branding: BrandingService,
    private readonly relays: RelayWorkers,
    private readonly platforms: PlatformSessions,
    private readonly queues: BroadcastQueues,
    private readonly outbox: Outbox,
    private readonly leases: LeaseStore,
    private readonly bus: BusClient,
    private readonly config: PublisherConfig,
  ) {}

  async onIngestStarted(manager: EntityManager, event: EventPayload<typeof IngestStarted>, correlationId: string): Promise<void> {
    await this.broadcasts.lockDj(manager, event.djId, event.environment);
    await this.startOrResume(manager, event, correlationId);
  }

  async onIngestStopped(manager: EntityManager, event: EventPayload<typeof IngestStopped>, correlationId: string, reason = 'the DJ stopped publishing'): Promise<void> {
    await this.broadcasts.lockDj(manager, event.djId, event.environment);
    await this.interrupt(manager, event, correlationId, reason);
  }

  private async startOrResume(manager: EntityManager, event: EventPayload<typeof IngestStarted>, correlationId: string): Promise<void> {
    // The end of a broadcast (grace period over, or a stop) does not take the DJ lock: re-read until
    // the DJ's running broadcast is either resumed or gone.
    for (let look = 0; look < 40; look += 1) {
      const running = await this.broadcasts.findActiveForDj(event.djId, event.environment, manager);
      if (!running) break;
      if (running.currentIngestId === event.ingestId) return; // this connection is already the broadcast's
      if (running.state === 'ending') {
        // Ending right now: a new broadcast starts once that one is over.
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      // The DJ is back within the grace period: same broadcast. Through the same input, the
      // transcoder re-attaches by itself; through another (OBS before, Traktor now), it is told to
      // read that one, in the same transaction.
      const input = { inputApp: event.stream.app, inputStream: event.stream.streamName, inputProtocol: event.stream.protocol ?? 'rtmp' } as const;
      const moved = input.inputApp !== running.inputApp || input.inputStream !== running.inputStream || input.inputProtocol !== running.inputProtocol;
      if (await this.move(manager, running, 'dj-returned', correlationId, { interruptedByIngestId: null, interruptedAt: null, currentIngestId: event.ingestId, ...(moved ? input : {}) })) {
        if (moved) {
          await this.outbox.add(manager, ProgramInputChanged, { broadcastId: running.id, input: { app: input.inputApp, streamName: input.inputStream, protocol: input.inputProtocol } }, correlationId);
        }
        this.logger.log(`DJ ${event.djName} is back on ${event.environment}${moved ? ` through ${input.inputProtocol}` : ''}; broadcast ${running.id} continues`);
        return;
      }
    }

    const startedAt = new Date(event.startedAt);
    const { title, description } = await this.branding.renderFor(event.djName, event.environment, startedAt);
    const targets = await this.destinations.broadcastTargets(event.environment);
    const broadcast = await this.broadcasts.create(manager, {
      environment: event.environment,
      djId: event.djId,
      djName: event.djName,
      title,
      description,
      state: 'starting',
      inputApp: event.stream.app,
      inputStream: event.stream.streamName,
      inputProtocol: event.stream.protocol ?? 'rtmp',
      startedAt,
      currentIngestId: event.ingestId,
      interruptedByIngestId: null,
      destinations: targets.map((target) => newBroadcastDestination(target)) as BroadcastEntity['destinations'],
    });
    for (const target of targets) {
      if (target.kind === 'unreadable') this.logger.error(`destination ${target.name} gets no relay: ${target.reason}`);
    }
    this.logger.log(`broadcast ${broadcast.id} "${title}" created for ${targets.length} destination(s) of ${event.environment}`);
    await this.publishState(manager, broadcast, null, correlationId);
    await this.requestProgram(manager, broadcast, correlationId);
  }

  /** Asks the transcoder for the broadcast's program (again, when the reconciler finds none). */
  async requestProgram(manager: EntityManager, broadcast: BroadcastEntity, correlationId: string): Promise<void> {
    const { branding, slateMessage } = await this.branding.renderFor(broadcast.djName, broadcast.environment, broadcast.startedAt);
    await this.outbox.add(
      manager,
      ProgramRequested,
      {
        broadcastId: broadcast.id,
        environment: broadcast.environment,
        input: { app: broadcast.inputApp, streamName: broadcast.inputStream, protocol: broadcast.inputProtocol },
        djName: broadcast.djName,
        logo: branding.logo
          ? { assetName: branding.logo.assetName, position: branding.logoPosition, width: branding.logo.width, height: branding.logo.height }
          : null,
        slate: { organizationName: branding.organizationName, message: slateMessage },
        vj: branding.vj,
      },
      correlationId,
    );
  }

  /**
   * The program shows the slate (the DJ's picture dropped or stalled, or their encoder crashed): the
   * broadcast is interrupted and its grace period runs, as when the DJ's connection closes, which
   * it may do later (told twice, then) or never (a stall that clears up). The DJ's picture back on
   * the program makes it live again, unless that news is older than the interruption.
   */
  async onProgramSourceChanged(manager: EntityManager, event: EventPayload<typeof ProgramSourceChanged>, correlationId: string): Promise<void> {
    const found = await this.broadcasts.findById(event.broadcastId, manager);
    if (!found) return;
    await this.broadcasts.lockDj(manager, found.djId, found.environment);
    const broadcast = await this.broadcasts.findById(event.broadcastId, manager);
    if (!broadcast?.currentIngestId) return;
    if (event.source === 'slate') {
      if (broadcast.state !== 'live') return;
      const ingest = { djId: broadcast.djId, environment: broadcast.environment, ingestId: broadcast.currentIngestId };
      await this.interrupt(manager, ingest, correlationId, `the program shows the slate: ${event.reason}`);
      return;
    }
    if (broadcast.state !== 'interrupted' || broadcast.interruptedByIngestId !== broadcast.currentIngestId) return;
    if (broadcast.interruptedAt && new Date(event.at).getTime() < broadcast.interruptedAt.getTime()) return;
    if (await this.move(manager, broadcast, 'dj-returned', correlationId, { interruptedByIngestId: null, interruptedAt: null })) {
      this.logger.log(`broadcast ${broadcast.id} is live again: the DJ's picture is back on the program`);
    }
  }

  private async interrupt(
    manager: EntityManager,
    event: Pick<EventPayload<typeof IngestStopped>, 'djId' | 'environment' | 'ingestId'>,
    correlationId: string,
    reason: string,
  ): Promise<void> {
    const broadcast = await this.broadcasts.findActiveForDj(event.djId, event.environment, manager);
    if (!broadcast || !canTake(broadcast.state, 'dj-left') || broadcast.state === 'ending') return;
    // A connection the broadcast no longer runs on (the DJ already reconnected): nothing to do.
    if (broadcast.currentIngestId !== event.ingestId) return;
    if (broadcast.state === 'interrupted' && broadcast.interruptedByIngestId === event.ingestId) return; // told twice
    const interruptedAt = new Date();
    await this.move(manager, broadcast, 'dj-left', correlationId, { interruptedByIngestId: event.ingestId, interruptedAt });
    // Added before the commit: if the commit fails, the job finds the broadcast not interrupted and
    // does nothing; a job that is lost is made up for by the reconciler (interrupted_at + grace).
    await this.queues.broadcast.add(
      'end',
      { broadcastId: broadcast.id, ingestId: event.ingestId, interruptedAt: interruptedAt.toISOString() },
      { jobId: `end-${broadcast.id}-${event.ingestId}-${interruptedAt.getTime()}`, delay: this.config.gracePeriodMs, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } },
    );
    this.logger.log(`broadcast ${broadcast.id} interrupted (${reason}); it ends in ${this.config.gracePeriodMs} ms unless the DJ returns`);
  }

  async onProgramStarted(manager: EntityManager, broadcastId: string, correlationId: string): Promise<void> {
    const broadcast = await this.broadcasts.findById(broadcastId, manager);
    if (!broadcast || broadcast.state !== 'starting') return;
    await this.move(manager, broadcast, 'program-up', correlationId);
  }

  /**
   * A publisher that crashed while ending a broadcast left it `ending`, which would also keep its DJ
   * from starting a new one: finish those. (The reconciler does the same for one left by another
   * replica while this one runs.)
   */
  async onApplicationBootstrap(): Promise<void> {
    for (const broadcast of await this.broadcasts.findInState(['ending'])) {
      await this.finishEnding(broadcast.id, broadcast.endReason ?? 'the publisher restarted while ending it');
    }
  }

  /** The grace period ran out: end only if it is still the same interruption. */
  async onGraceExpired(broadcastId: string, ingestId: string, interruptedAt?: string): Promise<void> {
    const broadcast = await this.broadcasts.findById(broadcastId);
    if (!broadcast || broadcast.state !== 'interrupted' || broadcast.interruptedByIngestId !== ingestId) return;
    // Another interruption of the same connection: its own job ends it, at its own time.
    if (interruptedAt && broadcast.interruptedAt && broadcast.interruptedAt.getTime() !== new Date(interruptedAt).getTime()) return;
    await this.end(broadcast.id, 'the DJ did not come back within the grace period', broadcastId);
  }

  async stop(id: string): Promise<BroadcastView> {
    const broadcast = await this.broadcasts.findById(id);
    if (!broadcast) throw new BusException('not_found', `no broadcast with id ${id}`);
    if (!canTake(broadcast.state, 'stop')) throw new BusException('conflict', `broadcast ${id} is already ${broadcast.state}`);
    await this.end(id, 'stopped from the dashboard', id);
    return this.get(id);
  }

  async get(id: string): Promise<BroadcastView> {
    const broadcast = await this.broadcasts.findById(id);
    if (!broadcast) throw new BusException('not_found', `no broadcast with id ${id}`);
    return this.toView(broadcast);
  }

  async list(filter: BroadcastListFilter): Promise<BroadcastView[]> {
    return (await this.broadcasts.list(filter)).map((broadcast) => this.toView(broadcast));
  }

  /**
   * One title and description for the broadcast, running or over. Whoever shows it hears
   * `broadcast.updated` (a hint, after the commit) and asks again.
   */
  async update(id: string, patch: BroadcastPatch): Promise<BroadcastUpdateResult> {
    const changes = {
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
    };
    if (!(await this.broadcasts.updateText(id, changes))) throw new BusException('not_found', `no broadcast with id ${id}`);
    const broadcast = await this.broadcasts.findById(id);
    if (!broadcast) throw new BusException('not_found', `no broadcast with id ${id}`);
    // StreamCaster's text is saved first: a platform that refuses keeps its own, the others follow.
    const platformUpdates = broadcastRuns(broadcast.state) ? await this.platforms.updateText(broadcast, changes) : [];
    await this.bus.emit(BroadcastUpdated, { broadcastId: id, environment: broadcast.environment });
    const refused = platformUpdates.filter((update) => update.outcome === 'refused');
    this.logger.log(
      `broadcast ${id}: ${Object.keys(changes).join(' and ')} changed${platformUpdates.length ? `; platforms: ${platformUpdates.length - refused.length} updated, ${refused.length} refused` : ''}`,
    );
    return { ...this.toView(broadcast), platformUpdates };
  }

  /**
   * Ends a broadcast: `ending` (its relays, encoder and recorder wind down when they see it), then,
   * once no relay of it runs any more, `ended`. Returns false when it was not running.
   */
  async end(id: string, reason: string, correlationId: string): Promise<boolean> {
    const moved = await this.outbox.transaction(async (manager) => {
      const broadcast = await this.broadcasts.findById(id, manager);
      if (!broadcast || !canTake(broadcast.state, 'stop') || broadcast.state === 'ending') return false;
      return this.move(manager, broadcast, 'stop', correlationId, { endReason: reason });
    });
    if (!moved) return false;
    this.logger.log(`ending broadcast ${id}: ${reason}`);
    this.relays.nudge();
    this.platforms.nudge(id);
    await this.finishEnding(id, reason);
    return true;
  }

  /** The second half of `end`: waits (bounded) for the relays to stop, then marks the broadcast ended. */
  async finishEnding(id: string, reason: string): Promise<void> {
    const deadline = Date.now() + RELAYS_STOP_WITHIN_MS;
    while (Date.now() < deadline && (await this.leases.list(`relay:${id}:`)).length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await this.outbox.transaction(async (manager) => {
      const broadcast = await this.broadcasts.findById(id, manager);
      if (broadcast?.state !== 'ending') return;
      await this.move(manager, broadcast, 'stopped', id, { endedAt: new Date(), endReason: broadcast.endReason ?? reason });
    });
  }

  /** Applies one state-machine step with compare-and-set; false when another actor moved it first. */
  async move(
    manager: EntityManager,
    broadcast: BroadcastEntity,
    event: BroadcastEvent,
    correlationId: string,
    extra: Partial<BroadcastEntity> = {},
  ): Promise<boolean> {
    const from = broadcast.state;
    const to = nextState(from, event);
    if (!(await this.broadcasts.transition(manager, broadcast.id, from, to, extra))) return false;
    Object.assign(broadcast, extra, { state: to });
    if (to !== from) await this.publishState(manager, broadcast, from, correlationId);
    return true;
  }

  private async publishState(manager: EntityManager, broadcast: BroadcastEntity, previousState: BroadcastState | null, correlationId: string): Promise<void> {
    await this.outbox.add(
      manager,
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
      nowPlaying: broadcast.nowPlaying ?? null,
      destinations: broadcast.destinations.map((destination) => {
        // The replica that runs the relay knows its current bitrate; the database has the rest.
        const live = this.relays.statusOf(broadcast.id, destination.destinationId);
        const liveSince = live ? live.liveSince : destination.liveSince;
        return {
          id: destination.destinationId,
          name: destination.name,
          platform: destination.platform,
          state: destination.state,
          liveSince: liveSince?.toISOString() ?? null,
          reconnects: destination.reconnects,
          bitrateKbps: live ? live.bitrateKbps : destination.bitrateKbps,
          lastError: destination.lastError,
          platformState: destination.platformState,
          platformReason: destination.platformReason,
          confirmed: isConfirmed(live?.state ?? destination.state, destination.platformState, destination.platform),
          watchUrl: destination.watchUrl,
          viewers: destination.viewers,
        };
      }),
    };
  }
}
