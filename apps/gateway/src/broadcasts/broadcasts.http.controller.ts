import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  broadcastPatchSchema,
  broadcastViewSchema,
  GetStatsHistory,
  ListBroadcasts,
  ListTracks,
  nowPlayingSchema,
  SetNowPlaying,
  trackViewSchema,
  type TrackView,
  statsHistoryQuerySchema,
  statsHistorySchema,
  StopBroadcast,
  UpdateBroadcast,
  type BroadcastUpdateResult,
  type BroadcastView,
  type StatsHistory,
} from '@streamcaster/contracts';
import { BusClient } from '@streamcaster/service-kit';
import { z } from 'zod';
import { CurrentUser, djScopeOf, Roles, type AuthenticatedUser } from '../auth/auth.decorators.js';
import { UuidPipe } from '../http/uuid.pipe.js';
import { apiBody, openApiSchema, ZodPipe } from '../http/zod-http.js';
import { BroadcastAccess } from './broadcast-access.js';

/** The publisher's list filters, as a query string carries them (text: `running=true`, `limit=20`). */
const listQuerySchema = ListBroadcasts.request.extend({
  running: z.enum(['true', 'false'], { message: 'running must be true or false' }).transform((value) => value === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** A user with role dj sees only its DJ's broadcasts; another's answers 404, as if it did not exist. */
@ApiTags('broadcasts')
@ApiBearerAuth()
@Controller('broadcasts')
export class BroadcastsHttpController {
  constructor(
    private readonly bus: BusClient,
    private readonly access: BroadcastAccess,
  ) {}

  /** Newest first. The On air page asks `running=true&environment=…`, the History page the dates and the DJ. */
  @Get()
  @Roles('admin', 'operator', 'dj')
  @ApiQuery({ name: 'environment', required: false, enum: ['live', 'test'] })
  @ApiQuery({ name: 'djId', required: false, description: "one DJ's broadcasts (a dj user gets only its own anyway)" })
  @ApiQuery({ name: 'from', required: false, description: 'started at or after (ISO 8601)' })
  @ApiQuery({ name: 'to', required: false, description: 'started before (ISO 8601)' })
  @ApiQuery({ name: 'running', required: false, enum: ['true', 'false'], description: 'only starting, live or interrupted ones' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, 100 when not given' })
  @ApiOkResponse({ schema: openApiSchema(z.array(broadcastViewSchema)) })
  async list(@Query(new ZodPipe(listQuerySchema)) query: z.output<typeof listQuerySchema>, @CurrentUser() caller: AuthenticatedUser): Promise<BroadcastView[]> {
    const scope = djScopeOf(caller);
    // Another DJ's broadcasts are not there for a dj user: an empty list, as for a DJ without any.
    if (scope && query.djId && query.djId !== scope) return [];
    return this.bus.request(ListBroadcasts, { ...query, ...(scope ? { djId: scope } : {}) });
  }

  @Get(':id')
  @Roles('admin', 'operator', 'dj')
  @ApiOkResponse({ schema: openApiSchema(broadcastViewSchema) })
  get(@Param('id', new UuidPipe('broadcast id')) id: string, @CurrentUser() caller: AuthenticatedUser): Promise<BroadcastView> {
    return this.access.visible(id, caller);
  }

  /** One title and description for the broadcast (the publisher announces the change on the bus). */
  @Patch(':id')
  @Roles('admin', 'operator')
  @ApiBody(apiBody(broadcastPatchSchema))
  @ApiOkResponse({ schema: openApiSchema(broadcastViewSchema) })
  update(
    @Param('id', new UuidPipe('broadcast id')) id: string,
    @Body(new ZodPipe(broadcastPatchSchema)) patch: z.output<typeof broadcastPatchSchema>,
  ): Promise<BroadcastUpdateResult> {
    return this.bus.request(UpdateBroadcast, { id, patch });
  }

  /** The broadcast's stats over time (1 s points for the last hour, 10 s buckets before), from the stats service. */
  @Get(':id/stats')
  @Roles('admin', 'operator', 'dj')
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601; the broadcast start when not given' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601; now when not given' })
  @ApiOkResponse({ schema: openApiSchema(statsHistorySchema) })
  async stats(
    @Param('id', new UuidPipe('broadcast id')) id: string,
    @Query(new ZodPipe(statsHistoryQuerySchema)) query: z.output<typeof statsHistoryQuerySchema>,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<StatsHistory> {
    await this.access.assertVisible(id, caller);
    return this.bus.request(GetStatsHistory, { broadcastId: id, ...query });
  }

  /**
   * What plays now, for DJ software on RTMP (a source's own metadata does the same by itself): drawn
   * on the picture, kept in the tracklist. The broadcast's own DJ user may tell it too.
   */
  @Post(':id/now-playing')
  @HttpCode(201)
  @Roles('admin', 'operator', 'dj')
  @ApiBody(apiBody(nowPlayingSchema))
  @ApiOkResponse({ schema: openApiSchema(trackViewSchema) })
  async nowPlaying(
    @Param('id', new UuidPipe('broadcast id')) id: string,
    @Body(new ZodPipe(nowPlayingSchema)) track: z.output<typeof nowPlayingSchema>,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<TrackView> {
    await this.access.assertVisible(id, caller);
    return this.bus.request(SetNowPlaying, { broadcastId: id, artist: track.artist || null, title: track.title, source: 'api' });
  }

  /** The broadcast's tracklist, oldest first, with when each track started. */
  @Get(':id/tracks')
  @Roles('admin', 'operator', 'dj')
  @ApiOkResponse({ schema: openApiSchema(z.array(trackViewSchema)) })
  async tracks(@Param('id', new UuidPipe('broadcast id')) id: string, @CurrentUser() caller: AuthenticatedUser): Promise<TrackView[]> {
    await this.access.assertVisible(id, caller);
    return this.bus.request(ListTracks, { broadcastId: id });
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
