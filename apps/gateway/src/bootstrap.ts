import { Logger, NotFoundException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { attachBus, checkBackbone, READY_LINE } from '@streamcaster/service-kit';
import { GatewayModule, SERVICE } from './app.module.js';
import type { GatewayConfig } from './config/gateway.config.js';
import { dashboardHandlers } from './dashboard/dashboard-static.js';

export interface RunningGateway {
  app: NestExpressApplication;
  /** The internal listener of the nginx-rtmp hooks. */
  hooks: Server;
  close(): Promise<void>;
}

/**
 * The gateway as main.ts runs it (and as the tests boot it): the public API on GATEWAY_PORT, and the
 * nginx-rtmp hooks on an internal listener of their own (INGEST_HOOKS_HOST:INGEST_HOOKS_PORT), which
 * serves nothing else.
 */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  // Before any module connects: a refused credential is one sentence, not a stack trace.
  await checkBackbone(SERVICE, config);
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config), { bodyParser: true });
  app.setGlobalPrefix('api');
  app.enableShutdownHooks();
  // Addresses are the sockets' own: nothing here trusts a proxy's X-Forwarded-For.
  app.set('trust proxy', false);
  // The internal listener answers the hooks and nothing else.
  app.use((request: Request, _response: Response, next: NextFunction) => {
    if (request.socket.localPort === config.ingestHooksPort && !request.path.startsWith('/api/hooks/')) {
      next(new NotFoundException(`Cannot ${request.method} ${request.path}`));
      return;
    }
    next();
  });
  // The dashboard at / (the rest of the public space), before the API's routes, which keep /api.
  app.use(dashboardHandlers(config.dashboardDir));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('StreamCaster API')
      .setDescription('Broadcasts, destinations, DJs, branding and recordings. Bearer token from POST /api/auth/login.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  // The gateway also listens on the bus (which DJ streams the transcoder plays, commands it owns).
  await attachBus(app, SERVICE, config);
  await app.listen(config.port, config.host);
  const hooks = createServer(app.getHttpAdapter().getInstance() as (request: unknown, response: unknown) => void);
  await new Promise<void>((resolve, reject) => {
    hooks.once('error', reject);
    hooks.listen(config.ingestHooksPort, config.ingestHooksHost, () => resolve());
  });
  const logger = new Logger(SERVICE);
  logger.log(`HTTP API on http://${config.host}:${config.port}/api (docs at /api/docs); ingest hooks on ${config.ingestHooksHost}:${config.ingestHooksPort}`);
  if (!existsSync(join(config.dashboardDir, 'index.html'))) {
    logger.warn(`no dashboard build in ${resolve(config.dashboardDir)} (DASHBOARD_DIR): / answers 404 until there is one`);
  }
  logger.log(READY_LINE(SERVICE));
  return {
    app,
    hooks,
    async close() {
      await new Promise<void>((resolve) => hooks.close(() => resolve()));
      await app.close();
    },
  };
}
