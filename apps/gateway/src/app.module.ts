import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BusModule, ControlPlaneModule, controlPlaneMigration, DatabaseModule, MetricsModule, ServiceConfigModule, ServiceHealthModule } from '@streamcaster/service-kit';
import { AuthModule } from './auth/auth.module.js';
import { RefreshTokenEntity } from './auth/refresh-token.entity.js';
import { UserEntity } from './auth/user.entity.js';
import { BrandingHttpController } from './branding/branding.http.controller.js';
import { AssetStore } from './branding/asset-store.js';
import { BroadcastAccess } from './broadcasts/broadcast-access.js';
import { BroadcastsHttpController } from './broadcasts/broadcasts.http.controller.js';
import { GatewayConfig } from './config/gateway.config.js';
import { DestinationsHttpController } from './destinations/destinations.http.controller.js';
import { PlatformAccountsHttpController } from './platform-accounts/platform-accounts.http.controller.js';
import { DjEntity } from './djs/dj.entity.js';
import { DjsModule } from './djs/djs.module.js';
import { HealthModule } from './health/health.module.js';
import { HttpErrorFilter } from './http/http-exception.filter.js';
import { IngestSessionEntity } from './ingest/ingest-session.entity.js';
import { IngestModule } from './ingest/ingest.module.js';
import { LiveModule } from './live/live.module.js';
import { GatewayInitial1763920000000 } from './migrations/1763920000000-gateway-initial.js';
import { GatewayUsersSessions1796114880000 } from './migrations/1796114880000-gateway-users-sessions.js';
import { GatewayDjSlugIcecast1797000300000 } from './migrations/1797000300000-gateway-dj-slug-icecast.js';
import { PreviewHttpController } from './preview/preview.http.controller.js';
import { RecordingsHttpController } from './recordings/recordings.http.controller.js';

export const SERVICE = 'gateway';
const SCHEMA = 'gateway';

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ServiceConfigModule.forRoot(GatewayConfig, config),
        BusModule.forRoot(SERVICE),
        MetricsModule.forRoot({ service: SERVICE, host: config.metricsHost, port: config.metricsPort }),
        DatabaseModule.forRootAsync({
          inject: [GatewayConfig],
          useFactory: (gateway: GatewayConfig) => ({
            url: gateway.databaseUrl,
            schema: SCHEMA,
            entities: [UserEntity, RefreshTokenEntity, DjEntity, IngestSessionEntity],
            migrations: [GatewayInitial1763920000000, controlPlaneMigration(SCHEMA), GatewayUsersSessions1796114880000, GatewayDjSlugIcecast1797000300000],
          }),
        }),
        ControlPlaneModule.forRoot({ service: SERVICE, schema: SCHEMA }),
        AuthModule,
        DjsModule,
        IngestModule,
        HealthModule,
        LiveModule,
        // The gateway answers its own ping too: the readiness check's NATS round trip.
        ServiceHealthModule.forRoot(SERVICE),
      ],
      // These only forward to the service that owns the data, over the bus.
      controllers: [DestinationsHttpController, PlatformAccountsHttpController, BrandingHttpController, BroadcastsHttpController, PreviewHttpController, RecordingsHttpController],
      providers: [AssetStore, BroadcastAccess, { provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}
