import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DjsModule } from '../djs/djs.module.js';
import { IngestHooksHttpController } from './ingest-hooks.http.controller.js';
import { IngestSessionEntity } from './ingest-session.entity.js';
import { IngestSessionsRepository } from './ingest-sessions.repository.js';
import { IngestService } from './ingest.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([IngestSessionEntity]), DjsModule],
  controllers: [IngestHooksHttpController],
  providers: [IngestService, IngestSessionsRepository],
})
export class IngestModule {}
