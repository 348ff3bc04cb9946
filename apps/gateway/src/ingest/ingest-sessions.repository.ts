import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, QueryFailedError, type Repository } from 'typeorm';
import type { Environment } from '@streamcaster/contracts';
import { IngestSessionEntity } from './ingest-session.entity.js';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class IngestSessionsRepository {
  constructor(@InjectRepository(IngestSessionEntity) private readonly sessions: Repository<IngestSessionEntity>) {}

  /**
   * Opens a session, or returns null when the DJ already publishes in that environment. A partial
   * unique index makes this hold even for two publishers arriving at the same instant.
   */
  async open(session: Omit<IngestSessionEntity, 'id' | 'endedAt'>): Promise<IngestSessionEntity | null> {
    try {
      return await this.sessions.save(this.sessions.create({ ...session, endedAt: null }));
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw error;
    }
  }

  findOpen(djId: string, environment: Environment): Promise<IngestSessionEntity | null> {
    return this.sessions.findOneBy({ djId, environment, endedAt: IsNull() });
  }

  async closeById(id: string): Promise<IngestSessionEntity> {
    await this.sessions.update({ id }, { endedAt: new Date() });
    return this.sessions.findOneByOrFail({ id });
  }

  /**
   * Closes the open session of one nginx connection; null when there is none (a refused publisher
   * also triggers publish_done). Found by the connection, not the key: a key rotated while the DJ
   * is live must still close the session it opened.
   */
  async closeByConnection(environment: Environment, clientId: string, remoteAddress: string): Promise<IngestSessionEntity | null> {
    const session = await this.sessions.findOneBy({ environment, clientId, remoteAddress, endedAt: IsNull() });
    if (!session) return null;
    session.endedAt = new Date();
    return this.sessions.save(session);
  }
}
