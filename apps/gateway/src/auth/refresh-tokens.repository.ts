import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, MoreThan, type EntityManager, type Repository } from 'typeorm';
import { RefreshTokenEntity } from './refresh-token.entity.js';

@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>) {}

  findByHash(tokenHash: string): Promise<RefreshTokenEntity | null> {
    return this.tokens.findOneBy({ tokenHash });
  }

  async insert(token: Pick<RefreshTokenEntity, 'userId' | 'familyId' | 'tokenHash' | 'expiresAt'>, manager?: EntityManager): Promise<void> {
    await (manager?.getRepository(RefreshTokenEntity) ?? this.tokens).insert(token);
  }

  /**
   * Exchanges a current token for its successor in one transaction. False when the token was used
   * or revoked in the meantime (a concurrent replay), in which case nothing is issued.
   */
  rotate(current: RefreshTokenEntity, successor: Pick<RefreshTokenEntity, 'tokenHash' | 'expiresAt'>): Promise<boolean> {
    return this.tokens.manager.transaction(async (manager) => {
      const marked = await manager
        .getRepository(RefreshTokenEntity)
        .update({ id: current.id, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: new Date() });
      if ((marked.affected ?? 0) === 0) return false;
      await this.insert({ userId: current.userId, familyId: current.familyId, ...successor }, manager);
      return true;
    });
  }

  async revokeFamily(familyId: string, reason: string): Promise<void> {
    await this.tokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date(), revokedReason: reason });
  }

  async revokeAllOfUser(userId: string, reason: string): Promise<void> {
    await this.tokens.update({ userId, revokedAt: IsNull() }, { revokedAt: new Date(), revokedReason: reason });
  }

  /** A session lives while its latest token is neither used, revoked nor expired. */
  isSessionAlive(familyId: string, userId: string): Promise<boolean> {
    return this.tokens.exists({
      where: { familyId, userId, usedAt: IsNull(), revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
    });
  }

  /** Expired tokens are refused anyway; dropping them keeps the table to the live sessions. */
  async deleteExpiredOfUser(userId: string): Promise<void> {
    await this.tokens.delete({ userId, expiresAt: LessThan(new Date()) });
  }
}
