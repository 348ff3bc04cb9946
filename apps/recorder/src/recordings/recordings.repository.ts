import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { RecordingEntity } from './recording.entity.js';

@Injectable()
export class RecordingsRepository {
  constructor(@InjectRepository(RecordingEntity) private readonly recordings: Repository<RecordingEntity>) {}

  /** Claims the recording of a broadcast; null when another recorder (or an earlier event) has it. */
  async claim(broadcastId: string, directory: string): Promise<RecordingEntity | null> {
    try {
      return await this.recordings.save(
        this.recordings.create({ broadcastId, directory, state: 'recording', startedAt: new Date(), filePath: null, durationSeconds: null, sizeBytes: null, finalizedAt: null, error: null }),
      );
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') return null;
      throw error;
    }
  }

  findById(id: string): Promise<RecordingEntity | null> {
    return this.recordings.findOneBy({ id });
  }

  findByBroadcast(broadcastId: string): Promise<RecordingEntity | null> {
    return this.recordings.findOneBy({ broadcastId });
  }

  list(broadcastId?: string): Promise<RecordingEntity[]> {
    return this.recordings.find({ where: broadcastId ? { broadcastId } : {}, order: { startedAt: 'DESC' } });
  }

  async update(id: string, changes: Partial<Omit<RecordingEntity, 'id'>>): Promise<void> {
    await this.recordings.update({ id }, changes);
  }
}
