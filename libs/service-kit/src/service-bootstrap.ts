import { Logger, type INestApplication, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BackboneError, checkBackbone } from './backbone/backbone-check.js';
import { BusServer } from './bus/bus.server.js';
import { natsConnectionOptions } from './bus/nats-connection-options.js';
import { ConfigError } from './config/config-schema.js';
import type { CommonConfig } from './config/common.config.js';

/** The line the stack runner and the tests wait for before they consider a service up. */
export const READY_LINE = (service: string) => `${service} is ready`;

function busServer(service: string, config: CommonConfig): BusServer {
  // Each service is one queue group: its replicas share commands and events.
  return new BusServer(config.subjectPrefix, service, natsConnectionOptions(config, service));
}

/** Boots a service that only talks on the bus (publisher, transcoder, recorder). */
export async function startBusService(service: string, module: Type | object, config: CommonConfig): Promise<INestMicroservice> {
  await checkBackbone(service, config);
  const app = await NestFactory.createMicroservice(module as Type, { strategy: busServer(service, config) });
  app.enableShutdownHooks();
  await app.listen();
  new Logger(service).log(READY_LINE(service));
  return app;
}

/** Boots an HTTP service that also listens on the bus (the gateway). */
export async function attachBus(app: INestApplication, service: string, config: CommonConfig): Promise<void> {
  await checkBackbone(service, config);
  app.connectMicroservice({ strategy: busServer(service, config) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
}

/**
 * Runs `main`, and turns a configuration error into a readable message and exit code 78 (EX_CONFIG),
 * a refused or unreachable backbone server into its one sentence and its exit code.
 */
export function runMain(service: string, main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    if (error instanceof BackboneError) {
      console.error(error.message);
      process.exit(error.exitCode);
    }
    new Logger(service).error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
