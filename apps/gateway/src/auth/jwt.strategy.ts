import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { z } from 'zod';
import { GatewayConfig } from '../config/gateway.config.js';
import type { AuthenticatedUser } from './auth.decorators.js';

const claimsSchema = z.object({ sub: z.uuid(), email: z.string(), role: z.enum(['admin', 'operator']) });

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(config: GatewayConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  validate(payload: unknown): AuthenticatedUser {
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new UnauthorizedException('access token has unexpected claims');
    return { id: claims.data.sub, email: claims.data.email, role: claims.data.role };
  }
}
