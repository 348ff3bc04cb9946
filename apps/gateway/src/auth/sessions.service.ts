import { Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { GatewayConfig } from '../config/gateway.config.js';
import { UsersRepository } from '../users/users.repository.js';
import type { AccessClaims } from './access-tokens.js';
import { generateRefreshToken, hashRefreshToken, isWellFormedRefreshToken, judgeRefreshToken, refusalMessage } from './refresh-token.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import type { Role, UserEntity } from './user.entity.js';

export interface SessionUser {
  id: string;
  email: string;
  role: Role;
  djId: string | null;
}

/** What a login or a refresh hands out: the access token for the body, the refresh token for the cookie. */
export interface IssuedSession {
  accessToken: string;
  /** When the access token expires (ISO 8601): refresh before then. */
  expiresAt: string;
  user: SessionUser;
  refreshToken: string;
  refreshTokenMaxAgeMs: number;
}

const refuse = (reason: string) => new UnauthorizedException(`authentication required: ${reason}`);

/**
 * Login sessions: a refresh token family per login, rotated on every refresh. Tokens are stored as
 * SHA-256 only and never logged; a replayed (already exchanged) token revokes its whole family.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly users: UsersRepository,
    private readonly jwt: JwtService,
    private readonly config: GatewayConfig,
  ) {}

  async start(user: UserEntity): Promise<IssuedSession> {
    await this.refreshTokens.deleteExpiredOfUser(user.id);
    const familyId = randomUUID();
    const refreshToken = generateRefreshToken();
    await this.refreshTokens.insert({ userId: user.id, familyId, tokenHash: hashRefreshToken(refreshToken), expiresAt: this.refreshExpiry() });
    return this.issue(user, familyId, refreshToken);
  }

  /** Exchanges a current refresh token for a new one and a new access token. */
  async refresh(presented: string | undefined): Promise<IssuedSession> {
    if (!presented) throw refuse('no refresh token cookie; log in');
    if (!isWellFormedRefreshToken(presented)) throw refuse('refresh token is malformed; log in again');
    const stored = await this.refreshTokens.findByHash(hashRefreshToken(presented));
    if (!stored) throw refuse('refresh token is unknown; log in again');

    const verdict = judgeRefreshToken(stored, new Date());
    if (verdict.kind === 'replayed') await this.revokeReplayedFamily(stored.familyId, stored.userId);
    if (verdict.kind !== 'current') throw refuse(refusalMessage(verdict));

    const user = await this.users.findById(stored.userId);
    if (!user) throw refuse('the user no longer exists');
    if (user.disabled) {
      await this.refreshTokens.revokeFamily(stored.familyId, 'account disabled');
      throw refuse('the account is disabled');
    }

    const successor = generateRefreshToken();
    if (!(await this.refreshTokens.rotate(stored, { tokenHash: hashRefreshToken(successor), expiresAt: this.refreshExpiry() }))) {
      // Another request exchanged the same token a moment ago: two holders of one token.
      await this.revokeReplayedFamily(stored.familyId, stored.userId);
      throw refuse(refusalMessage({ kind: 'replayed' }));
    }
    return this.issue(user, stored.familyId, successor);
  }

  /** Logout: the session's tokens are revoked, its access tokens refused from now on. */
  async end(presented: string | undefined): Promise<void> {
    if (!presented || !isWellFormedRefreshToken(presented)) return;
    const stored = await this.refreshTokens.findByHash(hashRefreshToken(presented));
    if (stored) await this.refreshTokens.revokeFamily(stored.familyId, 'logged out');
  }

  async endSession(sessionId: string, reason: string): Promise<void> {
    await this.refreshTokens.revokeFamily(sessionId, reason);
  }

  /** Every session of a user (password changed, account disabled). */
  async endAllOf(userId: string, reason: string): Promise<void> {
    await this.refreshTokens.revokeAllOfUser(userId, reason);
  }

  private async revokeReplayedFamily(familyId: string, userId: string): Promise<void> {
    await this.refreshTokens.revokeFamily(familyId, 'a used refresh token was presented again');
    this.logger.warn(`a used refresh token of user ${userId} was presented again: that session is revoked`);
  }

  private async issue(user: UserEntity, familyId: string, refreshToken: string): Promise<IssuedSession> {
    const claims: AccessClaims = { sub: user.id, email: user.email, role: user.role, djId: user.djId, sid: familyId };
    const accessToken = await this.jwt.signAsync(claims);
    const { exp } = this.jwt.decode<{ exp: number }>(accessToken);
    return {
      accessToken,
      expiresAt: new Date(exp * 1000).toISOString(),
      user: { id: user.id, email: user.email, role: user.role, djId: user.djId },
      refreshToken,
      refreshTokenMaxAgeMs: this.config.refreshTokenTtlMs,
    };
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.config.refreshTokenTtlMs);
  }
}
