import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DjEntity } from './dj.entity.js';
import { DjsHttpController } from './djs.http.controller.js';
import { DjsRepository } from './djs.repository.js';
import { DjsService } from './djs.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([DjEntity])],
  controllers: [DjsHttpController],
  providers: [DjsService, DjsRepository],
  exports: [DjsService],
})
export class DjsModule {}
