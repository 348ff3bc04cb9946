import { Module, type DynamicModule } from '@nestjs/common';
import { BusModule, ControlPlaneModule, controlPlaneMigration, DatabaseModule, MetricsModule, ServiceConfigModule, ServiceHealthModule } from '@streamcaster/service-kit';
import { RecorderConfig } from './config/recorder.config.js';
import { RecorderInitial1763920200000 } from './migrations/1763920200000-recorder-initial.js';
import { RecordingLease1763920400000 } from './migrations/1763920400000-recording-lease.js';
import { RecordingLeasesMoved1764600300000 } from './migrations/1764600300000-recording-leases-moved.js';
import { RecordingEntity } from './recordings/recording.entity.js';
import { RecordingsModule } from './recordings/recordings.module.js';

export const SERVICE = 'recorder';
const SCHEMA = 'recorder';

@Module({})
export class RecorderModule {
  static forRoot(config: RecorderConfig): DynamicModule {
    return {
      module: RecorderModule,
      imports: [
        ServiceConfigModule.forRoot(RecorderConfig, config),
        BusModule.forRoot(SERVICE),
        MetricsModule.forRoot({ service: SERVICE, host: config.metricsHost, port: config.metricsPort }),
        DatabaseModule.forRootAsync({
          inject: [RecorderConfig],
          useFactory: (recorder: RecorderConfig) => ({
            url: recorder.databaseUrl,
            schema: SCHEMA,
            entities: [RecordingEntity],
            migrations: [RecorderInitial1763920200000, RecordingLease1763920400000, controlPlaneMigration(SCHEMA), RecordingLeasesMoved1764600300000],
          }),
        }),
        ControlPlaneModule.forRoot({ service: SERVICE, schema: SCHEMA }),
        RecordingsModule,
        ServiceHealthModule.forRoot(SERVICE),
      ],
    };
  }
}
