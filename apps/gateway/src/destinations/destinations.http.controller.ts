import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  CreateDestination,
  DeleteDestination,
  destinationCreateSchema,
  destinationPatchSchema,
  destinationViewSchema,
  environmentSchema,
  ListDestinations,
  UpdateDestination,
  type DestinationView,
} from '@streamcaster/contracts';
import { BusClient } from '@streamcaster/service-kit';
import { z } from 'zod';
import { Roles } from '../auth/auth.decorators.js';
import { UuidPipe } from '../http/uuid.pipe.js';
import { apiBody, openApiSchema, ZodPipe } from '../http/zod-http.js';

const listQuerySchema = z.object({ environment: environmentSchema.optional() });

/** Destinations belong to the publisher; the gateway validates and forwards. */
@ApiTags('destinations')
@ApiBearerAuth()
@Controller('destinations')
export class DestinationsHttpController {
  constructor(private readonly bus: BusClient) {}

  @Post()
  @Roles('admin')
  @ApiBody(apiBody(destinationCreateSchema))
  @ApiCreatedResponse({ schema: openApiSchema(destinationViewSchema) })
  create(@Body(new ZodPipe(destinationCreateSchema)) body: z.output<typeof destinationCreateSchema>): Promise<DestinationView> {
    return this.bus.request(CreateDestination, body);
  }

  @Get()
  @Roles('admin', 'operator')
  @ApiOkResponse({ schema: openApiSchema(z.array(destinationViewSchema)) })
  list(@Query(new ZodPipe(listQuerySchema)) query: z.output<typeof listQuerySchema>): Promise<DestinationView[]> {
    return this.bus.request(ListDestinations, query);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiBody(apiBody(destinationPatchSchema))
  update(
    @Param('id', new UuidPipe('destination id')) id: string,
    @Body(new ZodPipe(destinationPatchSchema)) patch: z.output<typeof destinationPatchSchema>,
  ): Promise<DestinationView> {
    return this.bus.request(UpdateDestination, { id, patch });
  }

  @Delete(':id')
  @Roles('admin')
  remove(@Param('id', new UuidPipe('destination id')) id: string): Promise<{ id: string }> {
    return this.bus.request(DeleteDestination, { id });
  }
}
