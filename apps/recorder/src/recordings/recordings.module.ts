import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FinalizeProcessor } from './finalize.processor.js';
import { RecordingEntity } from './recording.entity.js';
import { RecordingsNatsController } from './recordings.nats.controller.js';
import { RecordingsRepository } from './recordings.repository.js';
import { RecordingsService } from './recordings.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([RecordingEntity])],
  controllers: [RecordingsNatsController],
  providers: [RecordingsService, RecordingsRepository, FinalizeProcessor],
})
export class RecordingsModule {}
