import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { broadcastViewSchema, environmentSchema, GetBroadcast, ListBroadcasts, StopBroadcast, type BroadcastView } from '@streamcaster/contracts';
import { BusClient } from '@streamcaster/service-kit';
import { z } from 'zod';
import { CurrentUser, djScopeOf, Roles, type AuthenticatedUser } from '../auth/auth.decorators.js';
import { UuidPipe } from '../http/uuid.pipe.js';
import { openApiSchema, ZodPipe } from '../http/zod-http.js';

const listQuerySchema = z.object({ environment: environmentSchema.optional() });

/** A user with role dj sees only its DJ's broadcasts; another's answers 404, as if it did not exist. */
@ApiTags('broadcasts')
@ApiBearerAuth()
@Controller('broadcasts')
export class BroadcastsHttpController {
  constructor(private readonly bus: BusClient) {}

  @Get()
  @Roles('admin', 'operator', 'dj')
  @ApiOkResponse({ schema: openApiSchema(z.array(broadcastViewSchema)) })
  list(@Query(new ZodPipe(listQuerySchema)) query: z.output<typeof listQuerySchema>, @CurrentUser() caller: AuthenticatedUser): Promise<BroadcastView[]> {
    const djId = djScopeOf(caller);
    return this.bus.request(ListBroadcasts, { ...query, ...(djId ? { djId } : {}) });
  }

  @Get(':id')
  @Roles('admin', 'operator', 'dj')
  @ApiOkResponse({ schema: openApiSchema(broadcastViewSchema) })
  async get(@Param('id', new UuidPipe('broadcast id')) id: string, @CurrentUser() caller: AuthenticatedUser): Promise<BroadcastView> {
    const broadcast = await this.bus.request(GetBroadcast, { id });
    const djId = djScopeOf(caller);
    if (djId && broadcast.djId !== djId) throw new NotFoundException(`no broadcast with id ${id}`);
    return broadcast;
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
