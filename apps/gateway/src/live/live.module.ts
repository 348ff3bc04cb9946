import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { LiveChannelOptions, LiveChannelServer } from './live-channel.server.js';
import { LiveEventsNatsController } from './live-events.nats.controller.js';
import { LiveTopicsService } from './live-topics.service.js';

/** The dashboard's live channel: the WebSocket at /api/live, its topics and what feeds them from the bus. */
@Module({
  imports: [AuthModule],
  controllers: [LiveEventsNatsController],
  providers: [LiveChannelServer, LiveTopicsService, { provide: LiveChannelOptions, useValue: new LiveChannelOptions() }],
})
export class LiveModule {}
