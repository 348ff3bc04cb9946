import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC, ROLES_KEY, type RequestWithUser } from './auth.decorators.js';
import type { Role } from './user.entity.js';

function isPublic(reflector: Reflector, context: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true;
}

/** Global: every HTTP route needs a valid bearer token unless it is marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (context.getType() !== 'http' || isPublic(this.reflector, context)) return true;
    return super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    if (error instanceof UnauthorizedException) throw error;
    if (error || !user) {
      const reason = error instanceof Error ? error.message : info instanceof Error ? info.message : 'missing bearer token';
      throw new UnauthorizedException(`authentication required: ${reason}`);
    }
    return user;
  }
}

/** Global, after JwtAuthGuard: the route's @Roles() must include the user's role. Fails closed. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http' || isPublic(this.reflector, context)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!roles) {
      // A route somebody forgot to annotate is refused rather than open to every logged-in user.
      throw new ForbiddenException('this route declares no roles and is closed');
    }
    const user = context.switchToHttp().getRequest<RequestWithUser>().user;
    if (!user) throw new UnauthorizedException('authentication required');
    if (!roles.includes(user.role)) throw new ForbiddenException(`role ${user.role} may not do this; needs ${roles.join(' or ')}`);
    return true;
  }
}
