import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BrandingModule } from '../branding/branding.module.js';
import { DestinationsModule } from '../destinations/destinations.module.js';
import { PublisherMetrics } from '../metrics/publisher-metrics.service.js';
import { PlatformAccountsModule } from '../platform-accounts/platform-accounts.module.js';
import { PlatformSessions } from '../platform-sessions/platform-sessions.service.js';
import { ReconcilerService } from '../reconciler/reconciler.service.js';
import { RelayWorkers } from '../relays/relay-workers.service.js';
import { RelaysNatsController } from '../relays/relays.nats.controller.js';
import { BroadcastDestinationEntity } from './broadcast-destination.entity.js';
import { BroadcastEndProcessor } from './broadcast-end.processor.js';
import { BroadcastEntity } from './broadcast.entity.js';
import { BroadcastQueues } from './broadcast-queues.js';
import { BroadcastsNatsController } from './broadcasts.nats.controller.js';
import { BroadcastsRepository } from './broadcasts.repository.js';
import { BroadcastsService } from './broadcasts.service.js';
import { BroadcastTrackEntity } from './broadcast-track.entity.js';
import { TracksService } from './tracks.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([BroadcastEntity, BroadcastDestinationEntity, BroadcastTrackEntity]), DestinationsModule, BrandingModule, PlatformAccountsModule],
  controllers: [BroadcastsNatsController, RelaysNatsController],
  providers: [BroadcastsService, TracksService, BroadcastsRepository, BroadcastQueues, BroadcastEndProcessor, RelayWorkers, PlatformSessions, ReconcilerService, PublisherMetrics],
})
export class BroadcastsModule {}
