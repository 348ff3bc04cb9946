import { Module } from '@nestjs/common';
import { HealthHttpController } from './health.http.controller.js';
import { ReadinessService } from './readiness.service.js';
import { RedisProbe } from './redis-probe.js';

/** `GET /api/health` and `GET /api/health/ready`. */
@Module({
  controllers: [HealthHttpController],
  providers: [ReadinessService, RedisProbe],
})
export class HealthModule {}
