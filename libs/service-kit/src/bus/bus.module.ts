import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { BusClient } from './bus.client.js';
import { COMMON_CONFIG, type CommonConfig } from '../config/common.config.js';

/** Provides the BusClient of this service, connected at init and closed at shutdown. */
@Global()
@Module({})
export class BusModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(BusClient) private readonly bus: BusClient) {}

  static forRoot(serviceName: string): DynamicModule {
    return {
      module: BusModule,
      providers: [
        {
          provide: BusClient,
          inject: [COMMON_CONFIG],
          useFactory: (config: CommonConfig) => new BusClient(serviceName, config.subjectPrefix, config.natsUrl),
        },
      ],
      exports: [BusClient],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.bus.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
