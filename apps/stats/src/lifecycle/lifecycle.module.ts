import { Module } from '@nestjs/common';
import { BroadcastReconciler } from './broadcast-reconciler.js';
import { LifecycleNatsController } from './lifecycle.nats.controller.js';
import { TrackedBroadcastsRepository } from './tracked-broadcasts.repository.js';

@Module({
  controllers: [LifecycleNatsController],
  providers: [TrackedBroadcastsRepository, BroadcastReconciler],
  exports: [TrackedBroadcastsRepository, BroadcastReconciler],
})
export class LifecycleModule {}
