import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DjsModule } from '../djs/djs.module.js';
import { IcecastHooksHttpController } from './icecast-hooks.http.controller.js';
import { IcecastIngestService } from './icecast-ingest.service.js';
import { IcecastStatus } from './icecast-status.js';
import { IcecastTitles } from './icecast-titles.service.js';
import { IngestReconciler } from './ingest-reconciler.service.js';
import { IngestHooksHttpController } from './ingest-hooks.http.controller.js';
import { IngestSessionEntity } from './ingest-session.entity.js';
import { IngestSessionsRepository } from './ingest-sessions.repository.js';
import { IngestNatsController } from './ingest.nats.controller.js';
import { IngestService } from './ingest.service.js';
import { IngestServerStatus } from './ingest-server-status.js';
import { StreamListeners } from './stream-listeners.js';

@Module({
  imports: [TypeOrmModule.forFeature([IngestSessionEntity]), DjsModule],
  controllers: [IngestHooksHttpController, IcecastHooksHttpController, IngestNatsController],
  providers: [
    IngestService,
    IngestSessionsRepository,
    StreamListeners,
    IngestServerStatus,
    IngestReconciler,
    IcecastStatus,
    IcecastIngestService,
    IcecastTitles,
  ],
})
export class IngestModule {}
