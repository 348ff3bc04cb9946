import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { z } from 'zod';
import type { AuthenticatedUser } from './auth.decorators.js';
import { AccessTokenVerifier } from './access-tokens.js';

/** How long a link handed to a `<video src>` or a download works. */
export const FILE_LINK_TTL_SECONDS = 600;

/**
 * A file link's claims. It has none of an access token's (`email`, `role`), so it can never pass as
 * one, and it names the one path it opens.
 */
const fileLinkClaimsSchema = z.object({ typ: z.literal('file-link'), sub: z.uuid(), sid: z.uuid(), path: z.string().startsWith('/api/') });

/**
 * Signed links for the few routes a browser opens without our headers (a `<video src>`, a download):
 * `?token=` carries a proof that is valid for 10 minutes, for one path, for a session that is still
 * alive. The caller is then checked exactly as with a bearer token (user row, session, role).
 */
@Injectable()
export class FileLinks {
  constructor(
    private readonly jwt: JwtService,
    private readonly accessTokens: AccessTokenVerifier,
  ) {}

  async issue(caller: AuthenticatedUser, path: string): Promise<{ url: string; expiresAt: string }> {
    const token = await this.jwt.signAsync({ typ: 'file-link', sub: caller.id, sid: caller.sessionId, path }, { expiresIn: FILE_LINK_TTL_SECONDS });
    return { url: `${path}?token=${encodeURIComponent(token)}`, expiresAt: new Date(Date.now() + FILE_LINK_TTL_SECONDS * 1000).toISOString() };
  }

  /** The caller a link was issued to, if the link is for `path`, unexpired, and its session alive. */
  async verify(token: string, path: string): Promise<AuthenticatedUser> {
    let payload: unknown;
    try {
      payload = await this.jwt.verifyAsync<object>(token);
    } catch (error) {
      throw new UnauthorizedException(`authentication required: file link ${error instanceof Error ? error.message : 'invalid'}`);
    }
    const claims = fileLinkClaimsSchema.safeParse(payload);
    if (!claims.success || claims.data.path !== path) throw new UnauthorizedException('authentication required: this link is not for this file');
    return this.accessTokens.userOfSession(claims.data.sub, claims.data.sid);
  }
}
