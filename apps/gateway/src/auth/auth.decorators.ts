import { createParamDecorator, SetMetadata, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from './user.entity.js';

export const IS_PUBLIC = 'streamcaster:public';
export const ROLES_KEY = 'streamcaster:roles';
export const ACCEPTS_FILE_LINK = 'streamcaster:accepts-file-link';

/** Opts a route out of the global JWT guard (login, refresh, logout, the nginx-rtmp hooks, the API docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * The route also takes a signed file link (`?token=`, see FileLinks) instead of the bearer header:
 * for what a browser opens by URL (a `<video src>`, a download). Roles are checked as usual.
 */
export const AcceptsFileLink = () => SetMetadata(ACCEPTS_FILE_LINK, true);

/** Every authenticated route names the roles allowed on it; a route without it is refused. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The caller as the database knows it now (checked on every request), not as its token remembers it. */
export interface AuthenticatedUser {
  id: string;
  email: string;
  role: Role;
  /** Set exactly for role dj. */
  djId: string | null;
  /** The login session (refresh token family) the access token belongs to. */
  sessionId: string;
}

export type RequestWithUser = Request & { user?: AuthenticatedUser };

/** The authenticated caller of a route (the JWT guard has put it on the request). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<RequestWithUser>().user;
  if (!user) throw new UnauthorizedException('authentication required');
  return user;
});

/**
 * The DJ the caller is confined to: its own for role dj, undefined (no limit) for the others. Routes
 * that show DJ-owned data pass this on as their filter, so a dj user cannot ask for more.
 */
export function djScopeOf(user: AuthenticatedUser): string | undefined {
  if (user.role !== 'dj') return undefined;
  // The database keeps role dj and djId together; a token without one is refused rather than unscoped.
  if (!user.djId) throw new UnauthorizedException('authentication required: user with role dj has no DJ');
  return user.djId;
}
