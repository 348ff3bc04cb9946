import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { PasswordHashing } from '../auth/password-hashing.js';
import { SessionsService } from '../auth/sessions.service.js';
import type { UserEntity } from '../auth/user.entity.js';
import { DjsService } from '../djs/djs.service.js';
import type { CreatedUser, UserCreate, UserPatch, UserView } from '@streamcaster/contracts';
import { UsersRepository, type UserChanges } from './users.repository.js';

function toView(user: UserEntity): UserView {
  return { id: user.id, email: user.email, role: user.role, djId: user.djId, disabled: user.disabled, createdAt: user.createdAt.toISOString() };
}

const isEnabledAdmin = (user: Pick<UserEntity, 'role' | 'disabled'>) => user.role === 'admin' && !user.disabled;

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHashing,
    private readonly sessions: SessionsService,
    private readonly djs: DjsService,
  ) {}

  async create(request: UserCreate): Promise<CreatedUser> {
    if (request.djId) await this.assertDjExists(request.djId);
    const generated = request.password === undefined ? randomBytes(18).toString('base64url') : undefined;
    const passwordHash = await this.passwords.hash(request.password ?? generated!);
    const user = await this.users.create({ email: request.email, passwordHash, role: request.role, djId: request.djId ?? null });
    if (!user) throw new ConflictException(`a user with e-mail ${request.email} already exists`);
    this.logger.log(`user ${user.email} created with role ${user.role}`);
    return generated === undefined ? toView(user) : { ...toView(user), password: generated };
  }

  async list(): Promise<UserView[]> {
    return (await this.users.list()).map(toView);
  }

  /** Role, disabled, DJ link. Never leaves the system without an enabled admin. */
  async update(id: string, patch: UserPatch): Promise<UserView> {
    const updated = await this.users.withAdminsLocked(async (manager, enabledAdmins) => {
      const user = await this.users.findById(id, manager);
      if (!user) throw new NotFoundException(`no user with id ${id}`);
      const next = { role: patch.role ?? user.role, disabled: patch.disabled ?? user.disabled };
      // A dj keeps its DJ unless the patch names another; every other role has none.
      const djId = next.role !== 'dj' ? null : patch.djId !== undefined ? patch.djId : user.role === 'dj' ? user.djId : null;
      if (next.role === 'dj' && !djId) throw new BadRequestException('djId: a user with role dj needs the djId of its DJ');
      if (next.role !== 'dj' && patch.djId) throw new BadRequestException(`djId: only role dj is linked to a DJ, not role ${next.role}`);
      if (djId && djId !== user.djId) await this.assertDjExists(djId);
      if (isEnabledAdmin(user) && !isEnabledAdmin(next) && enabledAdmins <= 1) {
        throw new ConflictException(`${user.email} is the last enabled admin; make another user admin first`);
      }
      const changes: UserChanges = { role: next.role, disabled: next.disabled, djId };
      await this.users.update(id, changes, manager);
      return { ...user, ...changes } as UserEntity;
    });
    // Its access tokens are refused from the next request on (the JWT strategy reads `disabled`);
    // ending its sessions also keeps a later re-enable from reviving them.
    if (updated.disabled) await this.sessions.endAllOf(id, 'account disabled');
    return toView(updated);
  }

  async remove(id: string): Promise<{ id: string }> {
    await this.users.withAdminsLocked(async (manager, enabledAdmins) => {
      const user = await this.users.findById(id, manager);
      if (!user) throw new NotFoundException(`no user with id ${id}`);
      if (isEnabledAdmin(user) && enabledAdmins <= 1) throw new ConflictException(`${user.email} is the last enabled admin and cannot be deleted`);
      // Its refresh tokens go with it (ON DELETE CASCADE), and with them its sessions.
      await this.users.delete(id, manager);
    });
    return { id };
  }

  private async assertDjExists(djId: string): Promise<void> {
    if (!(await this.djs.exists(djId))) throw new BadRequestException(`djId: no DJ with id ${djId}`);
  }
}
