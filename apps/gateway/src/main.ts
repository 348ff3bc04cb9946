import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { attachBus, READY_LINE, runMain } from '@streamcaster/service-kit';
import { GatewayModule, SERVICE } from './app.module.js';
import { loadGatewayConfig } from './config/gateway.config.js';

runMain(SERVICE, async () => {
  const config = loadGatewayConfig(process.env);
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config), { bodyParser: true });
  app.setGlobalPrefix('api');
  app.enableShutdownHooks();
  // Behind a reverse proxy the hooks' caller address must stay the socket's, so no trust proxy here.
  app.set('trust proxy', false);

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

  // The gateway also listens on the bus (which DJ streams the transcoder plays).
  await attachBus(app, SERVICE, config);
  await app.listen(config.port, config.host);
  new Logger(SERVICE).log(`HTTP API on http://${config.host}:${config.port}/api (docs at /api/docs)`);
  new Logger(SERVICE).log(READY_LINE(SERVICE));
});
