import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan, type EntityManager } from 'typeorm';
import type { Environment } from '@streamcaster/contracts';
import { OAuthAttemptEntity } from './oauth-attempt.entity.js';
import { PlatformAccountEntity } from './platform-account.entity.js';

@Injectable()
export class PlatformAccountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private accounts(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(PlatformAccountEntity);
  }

  private attempts(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(OAuthAttemptEntity);
  }

  list(environment?: Environment): Promise<PlatformAccountEntity[]> {
    return this.accounts().find({ where: environment ? { environment } : {}, order: { createdAt: 'ASC' } });
  }

  findById(id: string, manager?: EntityManager): Promise<PlatformAccountEntity | null> {
    return this.accounts(manager).findOneBy({ id });
  }

  findByIdentity(account: Pick<PlatformAccountEntity, 'platform' | 'environment' | 'externalId'>, manager?: EntityManager): Promise<PlatformAccountEntity | null> {
    return this.accounts(manager).findOneBy({ platform: account.platform, environment: account.environment, externalId: account.externalId });
  }

  save(account: Partial<PlatformAccountEntity>, manager?: EntityManager): Promise<PlatformAccountEntity> {
    const repository = this.accounts(manager);
    return repository.save(repository.create(account));
  }

  /** Accounts whose access token runs out before `before` and that can still be refreshed. */
  expiringBefore(before: Date): Promise<PlatformAccountEntity[]> {
    return this.accounts().find({ where: { status: 'connected', accessTokenExpiresAt: LessThan(before) } });
  }

  /** Names of the destinations that stream as this account. */
  async destinationsUsing(id: string): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT name FROM publisher.destinations WHERE account_id = $1 ORDER BY name`, [id])) as Array<{ name: string }>;
    return rows.map((row) => row.name);
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.accounts().delete({ id })).affected ?? 0) > 0;
  }

  /** Holds a transaction-scoped lock on one account: one refresh at a time across replicas. */
  async lock(manager: EntityManager, id: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`publisher-platform-account:${id}`]);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  saveAttempt(attempt: OAuthAttemptEntity): Promise<OAuthAttemptEntity> {
    return this.attempts().save(attempt);
  }

  /**
   * Marks the attempt used and returns it, in one statement: of two callbacks with the same state only
   * one gets it. Null when unknown or already used; an expired one is returned for the caller to refuse.
   */
  async takeAttempt(id: string): Promise<OAuthAttemptEntity | null> {
    const [rows] = (await this.dataSource.query(
      `UPDATE publisher.oauth_attempts SET used_at = now() WHERE id = $1 AND used_at IS NULL
       RETURNING id, platform, environment, user_id AS "userId", code_verifier_sealed AS "codeVerifierSealed", expires_at AS "expiresAt", used_at AS "usedAt"`,
      [id],
    )) as [OAuthAttemptEntity[], number];
    return rows[0] ?? null;
  }

  /** Forgets attempts that can no longer be used (an hour after they expired). */
  async pruneAttempts(now = new Date()): Promise<void> {
    await this.attempts().delete({ expiresAt: LessThan(new Date(now.getTime() - 3_600_000)) });
  }
}
