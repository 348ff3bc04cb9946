import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BroadcastStateChanged, ListOpenIngestSessions, ListPrograms, type OpenIngestSession, type ProgramView } from '@streamcaster/contracts';
import { BusClient, LeaderTask, Outbox } from '@streamcaster/service-kit';
import type { BroadcastEntity } from '../broadcasts/broadcast.entity.js';
import { RUNNING_STATES } from '../broadcasts/broadcast-state-machine.js';
import { BroadcastsRepository } from '../broadcasts/broadcasts.repository.js';
import { BroadcastsService } from '../broadcasts/broadcasts.service.js';
import { PublisherConfig } from '../config/publisher.config.js';

const EVERY_MS = 5_000;
/** Younger than this, a mismatch may just be an event still on its way: leave it for the next pass. */
const SETTLE_MS = 5_000;
const LEADER_LOCK = 'publisher-reconciler';

/**
 * One leader among the publisher replicas (a session advisory lock), at boot and every 5 s, compares
 * what the gateway says is publishing, the broadcasts, and the programs the transcoder keeps, and
 * repairs what a lost message or a crash left wrong. Every correction is logged with its reason and
 * counted. (Relays and recordings need no repair here: their leases hand them to a live replica.)
 */
@Injectable()
export class ReconcilerService extends LeaderTask {
  private readonly logger = new Logger(ReconcilerService.name);
  /** Broadcasts seen `ending` at the previous pass: seen twice, they are stuck and get finished. */
  private endingBefore = new Set<string>();
  /** Corrections made by this replica, by kind. */
  readonly corrections = new Map<string, number>();

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly broadcasts: BroadcastsRepository,
    private readonly lifecycle: BroadcastsService,
    private readonly outbox: Outbox,
    private readonly bus: BusClient,
    private readonly config: PublisherConfig,
  ) {
    super(dataSource, LEADER_LOCK, EVERY_MS);
  }

  protected async pass(): Promise<void> {
    await this.reconcileDjs();
    await this.reconcileGrace();
    await this.reconcileEnding();
    await this.reconcilePrograms();
  }

  private correct(kind: string, message: string): void {
    this.corrections.set(kind, (this.corrections.get(kind) ?? 0) + 1);
    this.logger.warn(`correction (${kind}): ${message}`);
  }

  /** A DJ who publishes with no broadcast gets one; a broadcast whose DJ is gone is interrupted. */
  private async reconcileDjs(): Promise<void> {
    let sessions: OpenIngestSession[];
    try {
      sessions = await this.bus.request(ListOpenIngestSessions, {});
    } catch (error) {
      this.logger.debug(`cannot ask the gateway for its ingest sessions: ${(error as Error).message}`);
      return;
    }
    const now = Date.now();
    const running = await this.broadcasts.findInState(RUNNING_STATES);
    // Whatever its state: a broadcast stopped from the dashboard stays ended while its DJ is still connected.
    const hadBroadcast = await this.broadcasts.ingestIdsWithBroadcast(sessions.map((session) => session.ingestId));
    for (const session of sessions) {
      if (now - Date.parse(session.startedAt) < SETTLE_MS) continue;
      if (hadBroadcast.has(session.ingestId)) continue;
      this.correct('dj-without-broadcast', `DJ ${session.djName} publishes on ${session.environment} (session ${session.ingestId}) and no broadcast runs on it`);
      await this.outbox.transaction((manager) =>
        this.lifecycle.onIngestStarted(manager, { ...session }, session.ingestId),
      );
    }
    const open = new Set(sessions.map((session) => session.ingestId));
    for (const broadcast of running) {
      if (broadcast.state === 'interrupted' || !broadcast.currentIngestId || open.has(broadcast.currentIngestId)) continue;
      if (now - broadcast.startedAt.getTime() < SETTLE_MS) continue;
      this.correct('broadcast-without-dj', `broadcast ${broadcast.id} is ${broadcast.state} but its DJ's session ${broadcast.currentIngestId} is closed`);
      const ingestId = broadcast.currentIngestId;
      await this.outbox.transaction((manager) =>
        this.lifecycle.onIngestStopped(
          manager,
          { ingestId, environment: broadcast.environment, djId: broadcast.djId, stoppedAt: new Date().toISOString() },
          broadcast.id,
          'the reconciler found its DJ gone',
        ),
      );
    }
  }

  /** An interrupted broadcast whose end job was lost still ends after its grace period. */
  private async reconcileGrace(): Promise<void> {
    const overdue = Date.now() - this.config.gracePeriodMs - SETTLE_MS;
    for (const broadcast of await this.broadcasts.findInState(['interrupted'])) {
      if (!broadcast.interruptedAt || broadcast.interruptedAt.getTime() > overdue) continue;
      this.correct('grace-over', `broadcast ${broadcast.id} stayed interrupted past its grace period`);
      await this.lifecycle.end(broadcast.id, 'the DJ did not come back within the grace period', broadcast.id);
    }
  }

  /** A broadcast left `ending` by an actor that died is finished. */
  private async reconcileEnding(): Promise<void> {
    const ending = await this.broadcasts.findInState(['ending']);
    const stuck = ending.filter((broadcast) => this.endingBefore.has(broadcast.id));
    this.endingBefore = new Set(ending.map((broadcast) => broadcast.id));
    for (const broadcast of stuck) {
      this.correct('stuck-ending', `broadcast ${broadcast.id} stayed ending`);
      await this.lifecycle.finishEnding(broadcast.id, broadcast.endReason ?? 'it was left ending');
    }
  }

  /** Every running broadcast has its program requested; no program is kept for one that is over. */
  private async reconcilePrograms(): Promise<void> {
    let programs: ProgramView[];
    try {
      programs = await this.bus.request(ListPrograms, {});
    } catch (error) {
      this.logger.debug(`cannot ask the transcoder for its programs: ${(error as Error).message}`);
      return;
    }
    const now = Date.now();
    const wanted = new Map(programs.filter((program) => program.wanted).map((program) => [program.broadcastId, program]));
    const running = await this.broadcasts.findInState(RUNNING_STATES);
    for (const broadcast of running) {
      if (wanted.has(broadcast.id) || now - broadcast.startedAt.getTime() < SETTLE_MS) continue;
      this.correct('program-missing', `broadcast ${broadcast.id} runs and the transcoder has no program for it`);
      await this.outbox.transaction((manager) => this.lifecycle.requestProgram(manager, broadcast, broadcast.id));
    }
    const runningIds = new Set(running.map((broadcast) => broadcast.id));
    for (const broadcastId of wanted.keys()) {
      if (runningIds.has(broadcastId)) continue;
      const broadcast = await this.broadcasts.findById(broadcastId);
      if (!broadcast || broadcast.state === 'ending') continue;
      this.correct('program-orphaned', `the transcoder keeps a program for broadcast ${broadcastId}, which is ${broadcast.state}`);
      await this.republishState(broadcast);
    }
  }

  private async republishState(broadcast: BroadcastEntity): Promise<void> {
    await this.outbox.transaction((manager) =>
      this.outbox.add(
        manager,
        BroadcastStateChanged,
        { broadcastId: broadcast.id, environment: broadcast.environment, djName: broadcast.djName, title: broadcast.title, state: broadcast.state, previousState: broadcast.state },
        broadcast.id,
      ),
    );
  }
}
