import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BrandingEntity } from './branding.entity.js';
import { BrandingNatsController } from './branding.nats.controller.js';
import { BrandingRepository } from './branding.repository.js';
import { BrandingService } from './branding.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([BrandingEntity])],
  controllers: [BrandingNatsController],
  providers: [BrandingService, BrandingRepository],
  exports: [BrandingService],
})
export class BrandingModule {}
