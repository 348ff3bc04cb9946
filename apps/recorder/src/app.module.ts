import { Module, type DynamicModule } from '@nestjs/common';
import { BusModule, DatabaseModule, ServiceConfigModule, ServiceHealthModule } from '@streamcaster/service-kit';
import { RecorderConfig } from './config/recorder.config.js';
import { RecorderInitial1763920200000 } from './migrations/1763920200000-recorder-initial.js';
import { RecordingLease1763920400000 } from './migrations/1763920400000-recording-lease.js';
import { RecordingEntity } from './recordings/recording.entity.js';
import { RecordingsModule } from './recordings/recordings.module.js';

export const SERVICE = 'recorder';

@Module({})
export class RecorderModule {
  static forRoot(config: RecorderConfig): DynamicModule {
    return {
      module: RecorderModule,
      imports: [
        ServiceConfigModule.forRoot(RecorderConfig, config),
        BusModule.forRoot(SERVICE),
        DatabaseModule.forRootAsync({
          inject: [RecorderConfig],
          useFactory: (recorder: RecorderConfig) => ({
            url: recorder.databaseUrl,
            schema: 'recorder',
            entities: [RecordingEntity],
            migrations: [RecorderInitial1763920200000, RecordingLease1763920400000],
          }),
        }),
        RecordingsModule,
        ServiceHealthModule.forRoot(SERVICE),
      ],
    };
  }
}
