import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceName } from '@streamcaster/contracts';
import { servicePingController } from './service-ping.nats.controller.js';

/** Makes a service answer its ping on the bus (`health.<service>.ping.v1`). One line per service. */
@Module({})
export class ServiceHealthModule {
  static forRoot(service: ServiceName): DynamicModule {
    return { module: ServiceHealthModule, controllers: [servicePingController(service)] };
  }
}
