import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { And, DataSource, In, LessThan, MoreThanOrEqual, type EntityManager } from 'typeorm';
import type { BroadcastState, Environment } from '@streamcaster/contracts';
import { BroadcastDestinationEntity } from './broadcast-destination.entity.js';
import { BroadcastEntity } from './broadcast.entity.js';
import { ACTIVE_STATES, RUNNING_STATES } from './broadcast-state-machine.js';

export interface BroadcastListFilter {
  environment?: Environment;
  djId?: string;
  from?: Date;
  to?: Date;
  /** Only starting, live and interrupted ones. */
  running?: boolean;
  limit: number;
}

/**
 * Broadcasts and their destinations. Every method takes the EntityManager of the caller's
 * transaction, so that a state change and the event that reports it (outbox) commit together.
 */
@Injectable()
export class BroadcastsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private broadcasts(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(BroadcastEntity);
  }

  private destinations(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(BroadcastDestinationEntity);
  }

  /**
   * Holds a transaction-scoped advisory lock on one DJ and environment, so that the events of one DJ
   * (started, stopped, started again) are handled one at a time, by whichever replica has them.
   */
  async lockDj(manager: EntityManager, djId: string, environment: Environment): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`publisher-dj:${djId}:${environment}`]);
  }

  create(manager: EntityManager, broadcast: Omit<BroadcastEntity, 'id' | 'endedAt' | 'endReason' | 'interruptedAt' | 'nowPlaying'>): Promise<BroadcastEntity> {
    const repository = this.broadcasts(manager);
    return repository.save(repository.create({ ...broadcast, endedAt: null, endReason: null, interruptedAt: null, nowPlaying: null }));
  }

  findById(id: string, manager?: EntityManager): Promise<BroadcastEntity | null> {
    return this.broadcasts(manager).findOne({ where: { id }, relations: { destinations: true } });
  }

  /** Newest first; `from`/`to` bound startedAt (from inclusive, to exclusive). */
  list(filter: BroadcastListFilter): Promise<BroadcastEntity[]> {
    const { environment, djId, from, to, running, limit } = filter;
    const startedAt = from && to ? And(MoreThanOrEqual(from), LessThan(to)) : from ? MoreThanOrEqual(from) : to ? LessThan(to) : undefined;
    return this.broadcasts().find({
      where: {
        ...(environment ? { environment } : {}),
        ...(djId ? { djId } : {}),
        ...(startedAt ? { startedAt } : {}),
        ...(running ? { state: In([...RUNNING_STATES]) } : {}),
      },
      relations: { destinations: true },
      order: { startedAt: 'DESC', id: 'ASC' },
      take: limit,
    });
  }

  /** A new title and/or description; false when there is no such broadcast. */
  async updateText(id: string, changes: Partial<Pick<BroadcastEntity, 'title' | 'description'>>, manager?: EntityManager): Promise<boolean> {
    const result = await this.broadcasts(manager).update({ id }, changes);
    return (result.affected ?? 0) > 0;
  }

  /** How many broadcasts are in each state (the metrics). */
  async countByState(): Promise<Map<BroadcastState, number>> {
    const rows = (await this.broadcasts().createQueryBuilder('broadcast').select('broadcast.state', 'state').addSelect('count(*)::int', 'count').groupBy('broadcast.state').getRawMany()) as Array<{
      state: BroadcastState;
      count: number;
    }>;
    return new Map(rows.map((row) => [row.state, row.count]));
  }

  findInState(states: readonly BroadcastState[], manager?: EntityManager): Promise<BroadcastEntity[]> {
    return this.broadcasts(manager).find({ where: { state: In([...states]) }, relations: { destinations: true } });
  }

  /** The DJ's broadcast that is still running in this environment, if any. */
  findActiveForDj(djId: string, environment: Environment, manager?: EntityManager): Promise<BroadcastEntity | null> {
    return this.broadcasts(manager).findOne({
      where: { djId, environment, state: In([...ACTIVE_STATES]) },
      relations: { destinations: true },
    });
  }

  /** The DJ connections, among `ingestIds`, that a broadcast runs on or last ran on (whatever its state). */
  async ingestIdsWithBroadcast(ingestIds: readonly string[]): Promise<Set<string>> {
    if (ingestIds.length === 0) return new Set();
    const rows = await this.broadcasts().find({ select: { id: true, currentIngestId: true }, where: { currentIngestId: In([...ingestIds]) } });
    return new Set(rows.map((row) => row.currentIngestId).filter((id): id is string => id !== null));
  }

  /** Every destination of every running broadcast: what the relays should be doing now. */
  runningDestinations(): Promise<Array<BroadcastDestinationEntity & { broadcast: BroadcastEntity }>> {
    return this.destinations().find({
      where: { broadcast: { state: In([...RUNNING_STATES]) } },
      relations: { broadcast: true },
    }) as Promise<Array<BroadcastDestinationEntity & { broadcast: BroadcastEntity }>>;
  }

  /**
   * Every API-platform destination whose platform side is not over: its broadcast is to be created,
   * confirmed, watched or ended there (whatever the broadcast's own state).
   */
  openPlatformDestinations(): Promise<Array<BroadcastDestinationEntity & { broadcast: BroadcastEntity }>> {
    return this.destinations().find({ where: { platformFinished: false }, relations: { broadcast: true } }) as Promise<
      Array<BroadcastDestinationEntity & { broadcast: BroadcastEntity }>
    >;
  }

  findDestination(broadcastId: string, destinationId: string): Promise<(BroadcastDestinationEntity & { broadcast: BroadcastEntity }) | null> {
    return this.destinations().findOne({ where: { broadcastId, destinationId }, relations: { broadcast: true } }) as Promise<
      (BroadcastDestinationEntity & { broadcast: BroadcastEntity }) | null
    >;
  }

  /**
   * Compare-and-set on the state, so that two replicas (or a timer and a person) cannot both move a
   * broadcast: the loser sees `false` and re-reads.
   */
  async transition(manager: EntityManager, id: string, from: BroadcastState, to: BroadcastState, extra: Partial<BroadcastEntity> = {}): Promise<boolean> {
    const { destinations: _destinations, ...columns } = extra;
    const result = await this.broadcasts(manager).update({ id, state: from }, { ...columns, state: to });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Saves a relay's state only while `fence` (the relay's lease, checked in the same statement) still
   * holds: a relay owner that lost its lease cannot overwrite what its successor reports.
   */
  async updateDestinationFenced(
    manager: EntityManager,
    broadcastId: string,
    destinationId: string,
    changes: Partial<Omit<BroadcastDestinationEntity, 'broadcast' | 'broadcastId' | 'destinationId'>>,
    fence: { resource: string; owner: string; token: number },
  ): Promise<boolean> {
    const result = await this.destinations(manager)
      .createQueryBuilder()
      .update()
      .set(changes)
      .where('broadcast_id = :broadcastId AND destination_id = :destinationId', { broadcastId, destinationId })
      .andWhere('EXISTS (SELECT 1 FROM publisher.leases WHERE resource = :resource AND owner = :owner AND token = :token)', fence)
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
