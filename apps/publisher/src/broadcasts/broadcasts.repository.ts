import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, type Repository } from 'typeorm';
import type { BroadcastState, Environment } from '@streamcaster/contracts';
import { BroadcastDestinationEntity } from './broadcast-destination.entity.js';
import { BroadcastEntity } from './broadcast.entity.js';
import { ACTIVE_STATES } from './broadcast-state-machine.js';

/** Pool size 10 (service-kit), two connections per locked section: four leaves room for the rest. */
const LOCKED_AT_ONCE = 4;

/** A counting semaphore: `acquire` waits for a free slot. */
class Slots {
  private readonly waiting: Array<() => void> = [];

  constructor(private free: number) {}

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

@Injectable()
export class BroadcastsRepository {
  constructor(
    @InjectRepository(BroadcastEntity) private readonly broadcasts: Repository<BroadcastEntity>,
    @InjectRepository(BroadcastDestinationEntity) private readonly destinations: Repository<BroadcastDestinationEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Runs `work` while holding a PostgreSQL advisory lock on one DJ and environment, so that the
   * events of one DJ (started, stopped, started again) are handled one at a time, by whichever
   * publisher replica receives them.
   */
  async withDjLock<T>(djId: string, environment: Environment, work: () => Promise<T>): Promise<T> {
    // The lock holds a pooled connection while `work` needs another: at most LOCKED_AT_ONCE sections
    // at a time in this process, so that a burst of events can never take the whole pool and hang.
    await this.lockSlots.acquire();
    try {
      return await this.withDatabaseLock(`publisher-dj:${djId}:${environment}`, work);
    } finally {
      this.lockSlots.release();
    }
  }

  private readonly lockSlots = new Slots(LOCKED_AT_ONCE);

  private async withDatabaseLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }
    } finally {
      await runner.release();
    }
  }

  create(broadcast: Omit<BroadcastEntity, 'id' | 'endedAt' | 'endReason'>): Promise<BroadcastEntity> {
    return this.broadcasts.save(this.broadcasts.create({ ...broadcast, endedAt: null, endReason: null }));
  }

  findById(id: string): Promise<BroadcastEntity | null> {
    return this.broadcasts.findOne({ where: { id }, relations: { destinations: true } });
  }

  list(environment: Environment | undefined, limit: number, djId?: string): Promise<BroadcastEntity[]> {
    return this.broadcasts.find({
      where: { ...(environment ? { environment } : {}), ...(djId ? { djId } : {}) },
      relations: { destinations: true },
      order: { startedAt: 'DESC' },
      take: limit,
    });
  }

  findInState(state: BroadcastState): Promise<BroadcastEntity[]> {
    return this.broadcasts.find({ where: { state }, relations: { destinations: true } });
  }

  /** The DJ's broadcast that is still running in this environment, if any. */
  findActiveForDj(djId: string, environment: Environment): Promise<BroadcastEntity | null> {
    return this.broadcasts.findOne({
      where: { djId, environment, state: In([...ACTIVE_STATES]) },
      relations: { destinations: true },
    });
  }

  /**
   * Compare-and-set on the state, so that two replicas (or a timer and a person) cannot both move a
   * broadcast: the loser sees `false` and re-reads.
   */
  async transition(id: string, from: BroadcastState, to: BroadcastState, extra: Partial<BroadcastEntity> = {}): Promise<boolean> {
    const result = await this.broadcasts.update({ id, state: from }, { ...extra, state: to });
    return (result.affected ?? 0) > 0;
  }

  async updateDestination(
    broadcastId: string,
    destinationId: string,
    changes: Partial<Pick<BroadcastDestinationEntity, 'state' | 'reconnects' | 'bitrateKbps' | 'lastError'>>,
  ): Promise<void> {
    await this.destinations.update({ broadcastId, destinationId }, changes);
  }
}
