import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { z } from 'zod';
import { UsersRepository } from '../users/users.repository.js';
import type { AuthenticatedUser } from './auth.decorators.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { ROLES } from './user.entity.js';

/** What an access token says; `sid` is the login session (refresh token family) it belongs to. */
export const accessClaimsSchema = z.object({
  sub: z.uuid(),
  email: z.string(),
  role: z.enum(ROLES),
  djId: z.uuid().nullable(),
  sid: z.uuid(),
});
export type AccessClaims = z.infer<typeof accessClaimsSchema>;
/** A verified token also carries its expiry (the signer always sets one: a token without is refused). */
const verifiedClaimsSchema = accessClaimsSchema.extend({ exp: z.number() });

const refuse = (reason: string) => new UnauthorizedException(`authentication required: ${reason}`);

/**
 * Verifies an access token (HS256, expiry) and then checks it against the database on each request
 * (the user row and its session, two indexed lookups): disabling a user, logging out, a password
 * change or a replayed refresh token end its access tokens at once rather than when they expire, and
 * a changed role applies from the next request.
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokensRepository,
  ) {}

  async verify(token: string): Promise<AuthenticatedUser> {
    return (await this.verifyWithExpiry(token)).user;
  }

  /** The same check, and when the token expires (the live channel closes its socket then). */
  async verifyWithExpiry(token: string): Promise<{ user: AuthenticatedUser; expiresAt: Date }> {
    let payload: unknown;
    try {
      payload = await this.jwt.verifyAsync<object>(token);
    } catch (error) {
      // jsonwebtoken's own words: "jwt expired", "invalid signature", "jwt malformed"...
      throw refuse(error instanceof Error ? error.message : 'invalid access token');
    }
    const claims = verifiedClaimsSchema.safeParse(payload);
    if (!claims.success) throw refuse('access token has unexpected claims');
    const user = await this.userOfSession(claims.data.sub, claims.data.sid);
    return { user, expiresAt: new Date(claims.data.exp * 1000) };
  }

  /** The user as the database knows it now, if its session `sid` is still alive. */
  async userOfSession(sub: string, sid: string): Promise<AuthenticatedUser> {
    const [user, sessionAlive] = await Promise.all([this.users.findById(sub), this.refreshTokens.isSessionAlive(sid, sub)]);
    if (!user) throw refuse('the user no longer exists');
    if (user.disabled) throw refuse('the account is disabled');
    if (!sessionAlive) throw refuse('the session has ended (logged out, password changed or revoked); log in again');
    return { id: user.id, email: user.email, role: user.role, djId: user.djId, sessionId: sid };
  }
}
