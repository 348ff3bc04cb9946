import { Module, type DynamicModule } from '@nestjs/common';
import { BusModule, ControlPlaneModule, controlPlaneMigration, DatabaseModule, MetricsModule, SecretBox, ServiceConfigModule, ServiceHealthModule } from '@streamcaster/service-kit';
import { BrandingEntity } from './branding/branding.entity.js';
import { BrandingModule } from './branding/branding.module.js';
import { BroadcastDestinationEntity } from './broadcasts/broadcast-destination.entity.js';
import { BroadcastTrackEntity } from './broadcasts/broadcast-track.entity.js';
import { BroadcastEntity } from './broadcasts/broadcast.entity.js';
import { BroadcastsModule } from './broadcasts/broadcasts.module.js';
import { PublisherConfig } from './config/publisher.config.js';
import { DestinationEntity } from './destinations/destination.entity.js';
import { DestinationsModule } from './destinations/destinations.module.js';
import { PublisherInitial1763920100000 } from './migrations/1763920100000-publisher-initial.js';
import { BroadcastCurrentIngest1763920300000 } from './migrations/1763920300000-broadcast-current-ingest.js';
import { BroadcastInterruptedAt1764600100000 } from './migrations/1764600100000-broadcast-interrupted-at.js';
import { BroadcastDestinationPlatformLiveSince1796200000000 } from './migrations/1796200000000-broadcast-destination-platform-live-since.js';
import { SecretKeyGuard } from './destinations/secret-key.guard.js';
import { BroadcastInputProtocol1797000400000 } from './migrations/1797000400000-broadcast-input-protocol.js';
import { BrandingVj1797000500000 } from './migrations/1797000500000-branding-vj.js';
import { BroadcastTracks1797000100000 } from './migrations/1797000100000-broadcast-tracks.js';
import { BrandingSlateTemplate1797000000000 } from './migrations/1797000000000-branding-slate-template.js';
import { PlatformAccounts1796900000000 } from './migrations/1796900000000-platform-accounts.js';
import { OAuthAttemptEntity } from './platform-accounts/oauth-attempt.entity.js';
import { PlatformAccountEntity } from './platform-accounts/platform-account.entity.js';
import { PlatformAccountsModule } from './platform-accounts/platform-accounts.module.js';
import { QuotaUsageEntity } from './platform-accounts/quota-usage.entity.js';

export const SERVICE = 'publisher';
const SCHEMA = 'publisher';

@Module({})
export class PublisherModule {
  static forRoot(config: PublisherConfig): DynamicModule {
    return {
      module: PublisherModule,
      imports: [
        ServiceConfigModule.forRoot(PublisherConfig, config, [{ provide: SecretBox, useValue: new SecretBox(config.secretKey) }]),
        BusModule.forRoot(SERVICE),
        MetricsModule.forRoot({ service: SERVICE, host: config.metricsHost, port: config.metricsPort }),
        DatabaseModule.forRootAsync({
          inject: [PublisherConfig],
          useFactory: (publisher: PublisherConfig) => ({
            url: publisher.databaseUrl,
            schema: SCHEMA,
            entities: [DestinationEntity, BrandingEntity, BroadcastEntity, BroadcastDestinationEntity, BroadcastTrackEntity, PlatformAccountEntity, OAuthAttemptEntity, QuotaUsageEntity],
            migrations: [
              PublisherInitial1763920100000,
              BroadcastCurrentIngest1763920300000,
              controlPlaneMigration(SCHEMA),
              BroadcastInterruptedAt1764600100000,
              BroadcastDestinationPlatformLiveSince1796200000000,
              PlatformAccounts1796900000000,
              BrandingSlateTemplate1797000000000,
              BroadcastTracks1797000100000,
              BroadcastInputProtocol1797000400000,
              BrandingVj1797000500000,
            ],
          }),
        }),
        ControlPlaneModule.forRoot({ service: SERVICE, schema: SCHEMA }),
        PlatformAccountsModule,
        DestinationsModule,
        BrandingModule,
        BroadcastsModule,
        ServiceHealthModule.forRoot(SERVICE),
      ],
      providers: [SecretKeyGuard],
    };
  }
}
