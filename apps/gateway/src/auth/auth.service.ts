import { ForbiddenException, Injectable, Logger, UnauthorizedException, type OnApplicationBootstrap } from '@nestjs/common';
import { printConsoleOnly } from '@streamcaster/service-kit';
import { randomBytes } from 'node:crypto';
import { GatewayConfig } from '../config/gateway.config.js';
import { UsersRepository } from '../users/users.repository.js';
import type { AuthenticatedUser } from './auth.decorators.js';
import { LoginLimiter, type LoginAttempt, type LoginTicket } from './login-limiter.js';
import { PasswordHashing } from './password-hashing.js';
import { SessionsService, type IssuedSession } from './sessions.service.js';

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHashing,
    private readonly limiter: LoginLimiter,
    private readonly sessions: SessionsService,
    private readonly config: GatewayConfig,
  ) {}

  /**
   * The limits are checked (and the attempt counted) before the password costs a scrypt, so a flood
   * from one address or at one account is refused cheaply; a wrong e-mail counts like a wrong password.
   */
  async login(email: string, password: string, address: string): Promise<IssuedSession> {
    const user = await this.users.findByEmail(email);
    const { ticket, valid } = await this.checkPassword({ email, address }, password, user?.passwordHash);
    if (!user || !valid) throw new UnauthorizedException('e-mail or password is wrong');
    if (user.disabled) {
      // Said only to whoever knows the password; not a failed guess.
      await this.limiter.cancel(ticket);
      throw new ForbiddenException('this account is disabled; ask an admin');
    }
    await this.limiter.succeed(ticket);
    return this.sessions.start(user);
  }

  /**
   * Every session of the user ends (a password is changed because it may be known to someone else);
   * the caller gets a new one.
   */
  async changePassword(caller: AuthenticatedUser, currentPassword: string, newPassword: string, address: string): Promise<IssuedSession> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new UnauthorizedException('authentication required: the user no longer exists');
    // A stolen access token must not become a way to guess the password: the same limits as login.
    const { ticket, valid } = await this.checkPassword({ email: user.email, address }, currentPassword, user.passwordHash);
    if (!valid) throw new ForbiddenException('currentPassword is wrong');
    await this.limiter.succeed(ticket);
    await this.users.update(user.id, { passwordHash: await this.passwords.hash(newPassword) });
    await this.sessions.endAllOf(user.id, 'password changed');
    this.logger.log(`user ${user.email} changed the password; every session of it was ended`);
    return this.sessions.start(user);
  }

  /** A wrong password stays counted against the address and the account; a check that never ran does not. */
  private async checkPassword(attempt: LoginAttempt, password: string, stored: string | undefined): Promise<{ ticket: LoginTicket; valid: boolean }> {
    const ticket = await this.limiter.begin(attempt);
    try {
      return { ticket, valid: await this.passwords.verify(password, stored) };
    } catch (error) {
      await this.limiter.cancel(ticket).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The first admin: from the environment, or with a generated password that goes to the console
   * only (the stack keeps `[console-only]` lines out of the log files), never through the logger.
   */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.users.count()) > 0) return;
    const generated = this.config.adminPassword === undefined;
    const password = this.config.adminPassword ?? randomBytes(12).toString('base64url');
    const created = await this.users.createIfNoneExists(this.config.adminEmail, await this.passwords.hash(password), 'admin');
    if (!created) return;
    if (generated) {
      printConsoleOnly(
        `first admin created: ${this.config.adminEmail} / ${password} (shown once; change it with POST /api/auth/password or set STREAMCASTER_ADMIN_PASSWORD)`,
      );
      this.logger.warn(`first admin created: ${this.config.adminEmail}; its generated password was printed on the console only`);
    } else {
      this.logger.log(`first admin created: ${this.config.adminEmail}`);
    }
  }
}
