import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import type { Environment } from '@streamcaster/contracts';
import { IngestSessionEntity } from './ingest-session.entity.js';

@Injectable()
export class IngestSessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private sessions(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(IngestSessionEntity);
  }

  /**
   * Opens a session, or returns null when the DJ already publishes in that environment. A partial
   * unique index makes this hold even for two publishers arriving at the same instant; ON CONFLICT
   * keeps the caller's transaction usable either way.
   */
  async open(manager: EntityManager, session: Omit<IngestSessionEntity, 'id' | 'endedAt'>): Promise<IngestSessionEntity | null> {
    const result = await this.sessions(manager).createQueryBuilder().insert().values({ ...session, endedAt: null }).orIgnore().returning('id').execute();
    const id = (result.raw as Array<{ id: string }>)[0]?.id;
    return id ? this.sessions(manager).findOneByOrFail({ id }) : null;
  }

  findOpen(djId: string, environment: Environment): Promise<IngestSessionEntity | null> {
    return this.sessions().findOneBy({ djId, environment, endedAt: IsNull() });
  }

  listOpen(): Promise<IngestSessionEntity[]> {
    return this.sessions().find({ where: { endedAt: IsNull() }, order: { startedAt: 'ASC' } });
  }

  /** Closes a session if it is still open; null when somebody closed it first. */
  async closeById(manager: EntityManager, id: string): Promise<IngestSessionEntity | null> {
    const result = await this.sessions(manager).update({ id, endedAt: IsNull() }, { endedAt: new Date() });
    return (result.affected ?? 0) > 0 ? this.sessions(manager).findOneByOrFail({ id }) : null;
  }

  /**
   * Closes the open session of one nginx connection; null when there is none (a refused publisher
   * also triggers publish_done). Found by the connection, not the key: a key rotated while the DJ
   * is live must still close the session it opened. Icecast's mount_remove says no address
   * (`remoteAddress` null): its mount alone names the connection, Icecast keeping one source a mount.
   */
  async closeByConnection(manager: EntityManager, environment: Environment, clientId: string, remoteAddress: string | null): Promise<IngestSessionEntity | null> {
    const session = await this.sessions(manager).findOneBy({
      environment,
      clientId,
      endedAt: IsNull(),
      ...(remoteAddress === null ? { protocol: 'icecast' as const } : { remoteAddress, protocol: 'rtmp' as const }),
    });
    if (!session) return null;
    return this.closeById(manager, session.id);
  }
}
