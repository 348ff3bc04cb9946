import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessTokenVerifier } from './access-tokens.js';
import { ACCEPTS_FILE_LINK, IS_PUBLIC, ROLES_KEY, type RequestWithUser } from './auth.decorators.js';
import { FileLinks } from './file-links.js';
import type { Role } from './user.entity.js';

function isPublic(reflector: Reflector, context: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Global: every HTTP route needs a valid bearer token unless it is marked @Public(). (No passport:
 * its strategies live in one process-wide registry, which two gateways in one process would share.)
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenVerifier,
    private readonly fileLinks: FileLinks,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || isPublic(this.reflector, context)) return true;
    const request = context.switchToHttp().getRequest<RequestWithUser>();
    const token = BEARER.exec(request.get('authorization') ?? '')?.[1];
    const link = request.query['token'];
    if (!token && typeof link === 'string' && this.acceptsFileLink(context)) {
      request.user = await this.fileLinks.verify(link, request.path);
      return true;
    }
    if (!token) throw new UnauthorizedException('authentication required: missing bearer token');
    request.user = await this.tokens.verify(token);
    return true;
  }

  private acceptsFileLink(context: ExecutionContext): boolean {
    return this.reflector.getAllAndOverride<boolean>(ACCEPTS_FILE_LINK, [context.getHandler(), context.getClass()]) === true;
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
