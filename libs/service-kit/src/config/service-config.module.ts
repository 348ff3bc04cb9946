import { Module, type Abstract, type DynamicModule, type Provider } from '@nestjs/common';
import { DataPaths } from '../storage/data-paths.js';
import { COMMON_CONFIG, type CommonConfig } from './common.config.js';

/**
 * Makes a service's validated config injectable everywhere in it: by its own class token
 * (`constructor(config: PublisherConfig)`), as CommonConfig for the shared modules, plus the data
 * volume's paths and any extra providers that derive from the config.
 */
@Module({})
export class ServiceConfigModule {
  static forRoot<C extends CommonConfig>(token: Abstract<unknown>, config: C, extra: Provider[] = []): DynamicModule {
    const providers: Provider[] = [
      { provide: token, useValue: config },
      { provide: COMMON_CONFIG, useValue: config },
      { provide: DataPaths, useValue: new DataPaths(config.dataDir) },
      ...extra,
    ];
    return {
      module: ServiceConfigModule,
      global: true,
      providers,
      exports: providers.map((provider) => ('provide' in provider ? provider.provide : provider)),
    };
  }
}
