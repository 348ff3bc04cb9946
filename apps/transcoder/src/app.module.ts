import { Module, type DynamicModule } from '@nestjs/common';
import { BusModule, ControlPlaneModule, controlPlaneMigration, DatabaseModule, MetricsModule, ServiceConfigModule, ServiceHealthModule } from '@streamcaster/service-kit';
import { TranscoderConfig } from './config/transcoder.config.js';
import { EncoderRegistry } from './encoders/encoder-registry.js';
import { VjScenes } from './vj/vj-scenes.js';
import { TranscoderInitial1764600200000 } from './migrations/1764600200000-transcoder-initial.js';
import { ProgramNowPlaying1797000200000 } from './migrations/1797000200000-program-now-playing.js';
import { ProgramEntity } from './programs/program.entity.js';
import { ProgramsRepository } from './programs/programs.repository.js';
import { ProgramWorkers } from './transcode/program-workers.service.js';
import { TranscodeNatsController } from './transcode/transcode.nats.controller.js';

export const SERVICE = 'transcoder';
const SCHEMA = 'transcoder';

/** The transcoder's state: the programs it was asked for, and the leases of the encoders it runs. */
@Module({})
export class TranscoderModule {
  static forRoot(config: TranscoderConfig): DynamicModule {
    return {
      module: TranscoderModule,
      imports: [
        ServiceConfigModule.forRoot(TranscoderConfig, config),
        BusModule.forRoot(SERVICE),
        MetricsModule.forRoot({ service: SERVICE, host: config.metricsHost, port: config.metricsPort }),
        DatabaseModule.forRootAsync({
          inject: [TranscoderConfig],
          useFactory: (transcoder: TranscoderConfig) => ({
            url: transcoder.databaseUrl,
            schema: SCHEMA,
            entities: [ProgramEntity],
            migrations: [controlPlaneMigration(SCHEMA), TranscoderInitial1764600200000, ProgramNowPlaying1797000200000],
          }),
        }),
        ControlPlaneModule.forRoot({ service: SERVICE, schema: SCHEMA }),
        ServiceHealthModule.forRoot(SERVICE),
      ],
      controllers: [TranscodeNatsController],
      providers: [EncoderRegistry, VjScenes, ProgramsRepository, ProgramWorkers],
    };
  }
}
