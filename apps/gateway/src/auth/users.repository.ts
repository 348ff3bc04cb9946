import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { UserEntity, type Role } from './user.entity.js';

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email: email.toLowerCase() });
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
}
