import { SetMetadata } from '@nestjs/common';
import type { Role } from './user.entity.js';

export const IS_PUBLIC = 'streamcaster:public';
export const ROLES_KEY = 'streamcaster:roles';

/** Opts a route out of the global JWT guard (login, the nginx-rtmp hooks, the API docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Every authenticated route names the roles allowed on it; a route without it is refused. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export interface AuthenticatedUser {
  id: string;
  email: string;
  role: Role;
}
