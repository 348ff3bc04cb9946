import { Module, type DynamicModule } from '@nestjs/common';
import { BusModule, ControlPlaneModule, controlPlaneMigration, DatabaseModule, MetricsModule, ServiceConfigModule, ServiceHealthModule } from '@streamcaster/service-kit';
import { StatsConfig } from './config/stats.config.js';
import { HistoryModule } from './history/history.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { StatsInitial1765000000000 } from './migrations/1765000000000-stats-initial.js';
import { HistoryViewers1796900100000 } from './migrations/1796900100000-history-viewers.js';
import { ProgressModule } from './progress/progress.module.js';
import { SnapshotsModule } from './snapshots/snapshots.module.js';

export const SERVICE = 'stats';
const SCHEMA = 'stats';

@Module({})
export class StatsModule {
  static forRoot(config: StatsConfig): DynamicModule {
    return {
      module: StatsModule,
      imports: [
        ServiceConfigModule.forRoot(StatsConfig, config),
        BusModule.forRoot(SERVICE),
        DatabaseModule.forRootAsync({
          inject: [StatsConfig],
          useFactory: (stats: StatsConfig) => ({
            url: stats.databaseUrl,
            schema: SCHEMA,
            entities: [],
            migrations: [controlPlaneMigration(SCHEMA), StatsInitial1765000000000, HistoryViewers1796900100000],
          }),
        }),
        ControlPlaneModule.forRoot({ service: SERVICE, schema: SCHEMA }),
        LifecycleModule,
        ProgressModule,
        HistoryModule,
        SnapshotsModule,
        ServiceHealthModule.forRoot(SERVICE),
        MetricsModule.forRoot({ service: SERVICE, host: config.metricsHost, port: config.metricsPort }),
      ],
    };
  }
}
