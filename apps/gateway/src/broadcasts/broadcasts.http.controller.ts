import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { broadcastViewSchema, environmentSchema, GetBroadcast, ListBroadcasts, StopBroadcast, type BroadcastView } from '@streamcaster/contracts';
import { BusClient } from '@streamcaster/service-kit';
import { z } from 'zod';
import { Roles } from '../auth/auth.decorators.js';
import { UuidPipe } from '../http/uuid.pipe.js';
import { openApiSchema, ZodPipe } from '../http/zod-http.js';

const listQuerySchema = z.object({ environment: environmentSchema.optional() });

@ApiTags('broadcasts')
@ApiBearerAuth()
@Controller('broadcasts')
export class BroadcastsHttpController {
  constructor(private readonly bus: BusClient) {}

  @Get()
  @Roles('admin', 'operator')
  @ApiOkResponse({ schema: openApiSchema(z.array(broadcastViewSchema)) })
  list(@Query(new ZodPipe(listQuerySchema)) query: z.output<typeof listQuerySchema>): Promise<BroadcastView[]> {
    return this.bus.request(ListBroadcasts, query);
  }

  @Get(':id')
  @Roles('admin', 'operator')
  @ApiOkResponse({ schema: openApiSchema(broadcastViewSchema) })
  get(@Param('id', new UuidPipe('broadcast id')) id: string): Promise<BroadcastView> {
    return this.bus.request(GetBroadcast, { id });
  }

  /** Ends the broadcast now, everywhere, without waiting for the DJ's grace period. */
  @Post(':id/stop')
  @HttpCode(200)
  @Roles('admin', 'operator')
  stop(@Param('id', new UuidPipe('broadcast id')) id: string): Promise<BroadcastView> {
    // Stopping waits for relays and the encoder to wind down, which takes a few seconds.
    return this.bus.request(StopBroadcast, { id }, 30_000);
  }
}
