import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PlatformAccountsModule } from '../platform-accounts/platform-accounts.module.js';
import { DestinationEntity } from './destination.entity.js';
import { DestinationsNatsController } from './destinations.nats.controller.js';
import { DestinationsRepository } from './destinations.repository.js';
import { DestinationsService } from './destinations.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([DestinationEntity]), PlatformAccountsModule],
  controllers: [DestinationsNatsController],
  providers: [DestinationsService, DestinationsRepository],
  exports: [DestinationsService],
})
export class DestinationsModule {}
