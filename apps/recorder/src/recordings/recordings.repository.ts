import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import { RecordingEntity, type RecordingState } from './recording.entity.js';

@Injectable()
export class RecordingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private recordings(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(RecordingEntity);
  }

  /** Creates the recording of a broadcast; null when it exists already (the event came again). */
  async create(manager: EntityManager, broadcastId: string): Promise<RecordingEntity | null> {
    const result = await this.recordings(manager)
      .createQueryBuilder()
      .insert()
      .values({ broadcastId, directory: broadcastId, state: 'recording', startedAt: new Date(), segments: 0 })
      .orIgnore()
      .returning('id')
      .execute();
    const id = (result.raw as Array<{ id: string }>)[0]?.id;
    return id ? this.recordings(manager).findOneBy({ id }) : null;
  }

  findById(id: string, manager?: EntityManager): Promise<RecordingEntity | null> {
    return this.recordings(manager).findOneBy({ id });
  }

  findByBroadcast(broadcastId: string, manager?: EntityManager): Promise<RecordingEntity | null> {
    return this.recordings(manager).findOneBy({ broadcastId });
  }

  inState(states: RecordingState[]): Promise<RecordingEntity[]> {
    return this.recordings().findBy({ state: In(states) });
  }

  async list(broadcastId?: string, broadcastIds?: string[]): Promise<RecordingEntity[]> {
    // Both filters narrow: the broadcast asked for, among the ones allowed.
    const allowed = broadcastIds && broadcastId ? broadcastIds.filter((id) => id === broadcastId) : broadcastIds;
    if (allowed?.length === 0) return [];
    const where = allowed ? { broadcastId: In(allowed) } : broadcastId ? { broadcastId } : {};
    return this.recordings().find({ where, order: { startedAt: 'DESC' } });
  }

  /** Compare-and-set on the state; false when it was not `from` any more. */
  async transition(manager: EntityManager, id: string, from: RecordingState, to: RecordingState): Promise<boolean> {
    const result = await this.recordings(manager).update({ id, state: from }, { state: to });
    return (result.affected ?? 0) > 0;
  }

  async update(id: string, changes: Partial<Omit<RecordingEntity, 'id'>>): Promise<void> {
    await this.recordings().update({ id }, changes);
  }
}
