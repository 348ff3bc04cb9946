import { Module } from '@nestjs/common';
import { ProgressNatsController } from './progress.nats.controller.js';
import { ProgressStore } from './progress-store.js';

@Module({
  controllers: [ProgressNatsController],
  providers: [ProgressStore],
  exports: [ProgressStore],
})
export class ProgressModule {}
