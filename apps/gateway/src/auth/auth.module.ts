import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import cookieParser from 'cookie-parser';
import { GatewayConfig } from '../config/gateway.config.js';
import { DjsModule } from '../djs/djs.module.js';
import { UsersHttpController } from '../users/users.http.controller.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { AuthHttpController } from './auth.http.controller.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard, RolesGuard } from './auth.guards.js';
import { AccessTokenVerifier } from './access-tokens.js';
import { FileLinks } from './file-links.js';
import { LoginLimiter } from './login-limiter.js';
import { PasswordHashing } from './password-hashing.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { RetryAfterInterceptor } from './retry-later.js';
import { SessionsService } from './sessions.service.js';
import { UserEntity } from './user.entity.js';

/** Who may do what: login sessions, the global guards, and the users (their admin API in users/). */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, RefreshTokenEntity]),
    JwtModule.registerAsync({
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256', expiresIn: Math.max(1, Math.floor(config.jwtTtlMs / 1000)) },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    DjsModule,
  ],
  controllers: [AuthHttpController, UsersHttpController],
  providers: [
    AuthService,
    SessionsService,
    UsersService,
    UsersRepository,
    RefreshTokensRepository,
    PasswordHashing,
    LoginLimiter,
    AccessTokenVerifier,
    FileLinks,
    // Order matters: authenticate first, then check the role.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_INTERCEPTOR, useClass: RetryAfterInterceptor },
  ],
  // The live channel signs its sockets in with the same check as every request; file links for URLs.
  exports: [AccessTokenVerifier, FileLinks],
})
export class AuthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Only the auth routes read cookies (the refresh cookie's path is /api/auth anyway).
    consumer.apply(cookieParser()).forRoutes(AuthHttpController);
  }
}
