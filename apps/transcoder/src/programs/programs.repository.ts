import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MoreThan, type EntityManager } from 'typeorm';
import { transcodeJobSchema, type IngestStream, type TranscodeJob } from '@streamcaster/contracts';
import { ProgramEntity } from './program.entity.js';

@Injectable()
export class ProgramsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private programs(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(ProgramEntity);
  }

  /** Records a request; a repeated one (the reconciler asking again) changes nothing. */
  async request(manager: EntityManager, job: TranscodeJob): Promise<void> {
    await this.programs(manager).createQueryBuilder().insert().values({ broadcastId: job.broadcastId, job, wanted: true, requestedAt: new Date(), endedAt: null }).orIgnore().execute();
  }

  /** The DJ came back through another input: the program reads it from now on (the job keeps it for a replica that takes over). */
  async setInput(manager: EntityManager, broadcastId: string, input: IngestStream): Promise<void> {
    const program = await this.programs(manager).findOne({ where: { broadcastId }, lock: { mode: 'pessimistic_write' } });
    if (!program) return;
    await this.programs(manager).update({ broadcastId }, { job: { ...transcodeJobSchema.parse(program.job), input } });
  }

  async end(manager: EntityManager, broadcastId: string): Promise<void> {
    await this.programs(manager).update({ broadcastId, wanted: true }, { wanted: false, endedAt: new Date() });
  }

  async setNowPlaying(manager: EntityManager, broadcastId: string, line: string): Promise<void> {
    await this.programs(manager).update({ broadcastId }, { nowPlaying: line });
  }

  async nowPlaying(broadcastId: string): Promise<string | null> {
    return (await this.programs().findOne({ where: { broadcastId }, select: { broadcastId: true, nowPlaying: true } }))?.nowPlaying ?? null;
  }

  async wanted(): Promise<Array<{ broadcastId: string; job: TranscodeJob }>> {
    const rows = await this.programs().find({ where: { wanted: true } });
    return rows.map((row) => ({ broadcastId: row.broadcastId, job: transcodeJobSchema.parse(row.job) }));
  }

  /** Wanted ones, and those that ended within the last hour (so the reconciler sees both). */
  recent(): Promise<ProgramEntity[]> {
    return this.programs().find({ where: [{ wanted: true }, { endedAt: MoreThan(new Date(Date.now() - 3_600_000)) }] });
  }
}
