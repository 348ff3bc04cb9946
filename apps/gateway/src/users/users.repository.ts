import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type EntityManager, type Repository } from 'typeorm';
import { UserEntity, type Role } from '../auth/user.entity.js';

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

export interface NewUser {
  email: string;
  passwordHash: string;
  role: Role;
  djId: string | null;
}

export type UserChanges = Partial<Pick<UserEntity, 'role' | 'djId' | 'disabled' | 'passwordHash'>>;

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email: email.trim().toLowerCase() });
  }

  findById(id: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.repository(manager).findOneBy({ id });
  }

  list(): Promise<UserEntity[]> {
    return this.users.find({ order: { createdAt: 'ASC', email: 'ASC' } });
  }

  count(): Promise<number> {
    return this.users.count();
  }

  async createIfNoneExists(email: string, passwordHash: string, role: Role): Promise<boolean> {
    // Two gateways starting together must not both create "the first admin".
    const result = await this.users
      .createQueryBuilder()
      .insert()
      .values({ email: email.toLowerCase(), passwordHash, role })
      .orIgnore()
      .execute();
    // PostgreSQL returns the inserted row's id, or nothing when the conflict was ignored.
    return (result.raw as unknown[]).length > 0;
  }

  /** The new user, or null when the e-mail is taken. */
  async create(user: NewUser): Promise<UserEntity | null> {
    try {
      return await this.users.save(this.users.create({ ...user, email: user.email.toLowerCase() }));
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw error;
    }
  }

  async update(id: string, changes: UserChanges, manager?: EntityManager): Promise<void> {
    await this.repository(manager).update({ id }, changes);
  }

  async delete(id: string, manager?: EntityManager): Promise<void> {
    await this.repository(manager).delete({ id });
  }

  /**
   * Runs `work` while no other change to users can slip past its check of the remaining admins: two
   * admins demoting each other at once must not leave none.
   */
  withAdminsLocked<T>(work: (manager: EntityManager, enabledAdmins: number) => Promise<T>): Promise<T> {
    return this.users.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['streamcaster-gateway-admins']);
      const enabledAdmins = await manager.getRepository(UserEntity).countBy({ role: 'admin', disabled: false });
      return work(manager, enabledAdmins);
    });
  }

  private repository(manager?: EntityManager): Repository<UserEntity> {
    return manager?.getRepository(UserEntity) ?? this.users;
  }
}
