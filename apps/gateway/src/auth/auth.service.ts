import { Injectable, Logger, UnauthorizedException, type OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { GatewayConfig } from '../config/gateway.config.js';
import { hashPassword, verifyPassword } from './password-hasher.js';
import { UsersRepository } from './users.repository.js';

// Compared against when the e-mail is unknown, so that a wrong e-mail costs as long as a wrong password.
const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'));

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly jwt: JwtService,
    private readonly config: GatewayConfig,
  ) {}

  async login(email: string, password: string): Promise<{ accessToken: string }> {
    const user = await this.users.findByEmail(email);
    const valid = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH));
    if (!user || !valid) throw new UnauthorizedException('e-mail or password is wrong');
    const accessToken = await this.jwt.signAsync({ sub: user.id, email: user.email, role: user.role });
    return { accessToken };
  }

  /** The first admin: from the environment, or generated and printed once. */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.users.count()) > 0) return;
    const generated = this.config.adminPassword === undefined;
    const password = this.config.adminPassword ?? randomBytes(12).toString('base64url');
    const created = await this.users.createIfNoneExists(this.config.adminEmail, await hashPassword(password), 'admin');
    if (!created) return;
    if (generated) {
      this.logger.warn(`first admin created: ${this.config.adminEmail} / ${password} (shown once; change it or set STREAMCASTER_ADMIN_PASSWORD)`);
    } else {
      this.logger.log(`first admin created: ${this.config.adminEmail}`);
    }
  }
}
