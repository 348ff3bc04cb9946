import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { apiBody, openApiSchema, ZodPipe } from '../http/zod-http.js';
import { CurrentUser, Public, Roles, type AuthenticatedUser } from './auth.decorators.js';
import { AuthService } from './auth.service.js';
import { loginSchema, passwordChangeSchema, ROLES, sessionSchema, sessionUserSchema } from '@streamcaster/contracts';
import { clearRefreshCookie, readRefreshCookie, REFRESH_COOKIE, setRefreshCookie } from './refresh-cookie.js';
import { SessionsService, type IssuedSession } from './sessions.service.js';

type SessionBody = z.output<typeof sessionSchema>;

/**
 * Access tokens go in the body (for the Authorization header), refresh tokens only in an httpOnly,
 * SameSite=Strict cookie scoped to /api/auth, out of reach of the page's scripts and of other sites.
 */
@ApiTags('auth')
@Controller('auth')
export class AuthHttpController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiBody(apiBody(loginSchema))
  @ApiOkResponse({ description: `also sets the ${REFRESH_COOKIE} cookie`, schema: openApiSchema(sessionSchema) })
  async login(
    @Body(new ZodPipe(loginSchema)) body: z.output<typeof loginSchema>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionBody> {
    return this.handOut(request, response, await this.auth.login(body.email, body.password, clientAddress(request)));
  }

  /** Rotates the refresh token of the cookie: the presented one is refused from then on. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ description: `takes the ${REFRESH_COOKIE} cookie (no bearer token) and sets its successor` })
  @ApiOkResponse({ schema: openApiSchema(sessionSchema) })
  async refresh(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<SessionBody> {
    return this.handOut(request, response, await this.sessions.refresh(readRefreshCookie(request)));
  }

  /** Public, so that a session whose access token has expired can still be ended. */
  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ description: `takes the ${REFRESH_COOKIE} cookie (no bearer token)` })
  @ApiNoContentResponse({ description: 'the session is revoked and the cookie cleared (also when there was none)' })
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.sessions.end(readRefreshCookie(request));
    clearRefreshCookie(request, response);
  }

  /** Ends every session of the caller, then hands the caller a new one. */
  @Post('password')
  @HttpCode(200)
  @Roles(...ROLES)
  @ApiBearerAuth()
  @ApiBody(apiBody(passwordChangeSchema))
  @ApiOkResponse({ schema: openApiSchema(sessionSchema) })
  async changePassword(
    @CurrentUser() caller: AuthenticatedUser,
    @Body(new ZodPipe(passwordChangeSchema)) body: z.output<typeof passwordChangeSchema>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionBody> {
    const session = await this.auth.changePassword(caller, body.currentPassword, body.newPassword, clientAddress(request));
    return this.handOut(request, response, session);
  }

  @Get('me')
  @Roles(...ROLES)
  @ApiBearerAuth()
  @ApiOkResponse({ schema: openApiSchema(sessionUserSchema) })
  me(@CurrentUser() caller: AuthenticatedUser): z.output<typeof sessionUserSchema> {
    return { id: caller.id, email: caller.email, role: caller.role, djId: caller.djId };
  }

  private handOut(request: Request, response: Response, session: IssuedSession): SessionBody {
    setRefreshCookie(request, response, session.refreshToken, session.refreshTokenMaxAgeMs);
    return { accessToken: session.accessToken, expiresAt: session.expiresAt, user: session.user };
  }
}

/** The socket's address: `trust proxy` is off, so a client cannot pick its own with X-Forwarded-For. */
function clientAddress(request: Request): string {
  return request.socket.remoteAddress ?? 'unknown';
}
