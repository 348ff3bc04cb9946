import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, QueryFailedError, type Repository } from 'typeorm';
import { RecordingEntity } from './recording.entity.js';

@Injectable()
export class RecordingsRepository {
  constructor(@InjectRepository(RecordingEntity) private readonly recordings: Repository<RecordingEntity>) {}

  /** Claims the recording of a broadcast; null when another recorder (or an earlier event) has it. */
  async claim(broadcastId: string, directory: string, owner: string, leaseMs: number): Promise<RecordingEntity | null> {
    try {
      return await this.recordings.save(
        this.recordings.create({
          broadcastId,
          directory,
          state: 'recording',
          startedAt: new Date(),
          filePath: null,
          durationSeconds: null,
          sizeBytes: null,
          finalizedAt: null,
          error: null,
          owner,
          leaseUntil: new Date(Date.now() + leaseMs),
        }),
      );
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') return null;
      throw error;
    }
  }

  /** Extends the leases of the recordings this recorder still holds. */
  async renewLeases(ids: string[], owner: string, leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.recordings
      .createQueryBuilder()
      .update()
      .set({ leaseUntil: () => `now() + make_interval(secs => ${Math.ceil(leaseMs / 1000)})` })
      .where('id IN (:...ids) AND owner = :owner AND state = :state', { ids, owner, state: 'recording' })
      .execute();
  }

  async releaseLeases(ids: string[], owner: string): Promise<void> {
    if (ids.length === 0) return;
    await this.recordings
      .createQueryBuilder()
      .update()
      .set({ leaseUntil: () => 'now()' })
      .where('id IN (:...ids) AND owner = :owner', { ids, owner })
      .execute();
  }

  /**
   * Takes over every recording whose holder stopped renewing its lease. One UPDATE: each row goes to
   * exactly one recorder, however many sweep at the same time.
   */
  async takeOverExpired(owner: string, leaseMs: number): Promise<RecordingEntity[]> {
    const result = await this.recordings
      .createQueryBuilder()
      .update()
      .set({ owner, leaseUntil: () => `now() + make_interval(secs => ${Math.ceil(leaseMs / 1000)})` })
      .where(`state = 'recording' AND lease_until <= now()`)
      .returning('id')
      .execute();
    const ids = (result.raw as Array<{ id: string }>).map((row) => row.id);
    return ids.length === 0 ? [] : this.recordings.findBy({ id: In(ids) });
  }

  findById(id: string): Promise<RecordingEntity | null> {
    return this.recordings.findOneBy({ id });
  }

  findByBroadcast(broadcastId: string): Promise<RecordingEntity | null> {
    return this.recordings.findOneBy({ broadcastId });
  }

  async list(broadcastId?: string, broadcastIds?: string[]): Promise<RecordingEntity[]> {
    // Both filters narrow: the broadcast asked for, among the ones allowed.
    const allowed = broadcastIds && broadcastId ? broadcastIds.filter((id) => id === broadcastId) : broadcastIds;
    if (allowed?.length === 0) return [];
    const where = allowed ? { broadcastId: In(allowed) } : broadcastId ? { broadcastId } : {};
    return this.recordings.find({ where, order: { startedAt: 'DESC' } });
  }

  async update(id: string, changes: Partial<Omit<RecordingEntity, 'id'>>): Promise<void> {
    await this.recordings.update({ id }, changes);
  }
}
