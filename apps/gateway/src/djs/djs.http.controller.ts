import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { UuidPipe } from '../http/uuid.pipe.js';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { djCreateSchema as createDjSchema, djViewSchema, djWithKeySchema } from '@streamcaster/contracts';
import { z } from 'zod';
import { CurrentUser, djScopeOf, Roles, type AuthenticatedUser } from '../auth/auth.decorators.js';
import { apiBody, openApiSchema, ZodPipe } from '../http/zod-http.js';
import { DjsService, type DjView } from './djs.service.js';

/** A user with role dj sees and rotates only its own DJ; every other id answers 404 for it. */
@ApiTags('djs')
@ApiBearerAuth()
@Controller('djs')
export class DjsHttpController {
  constructor(private readonly djs: DjsService) {}

  /** The stream key is in this response and in rotate-key's, nowhere else. */
  @Post()
  @Roles('admin')
  @ApiBody(apiBody(createDjSchema))
  @ApiCreatedResponse({ schema: openApiSchema(djWithKeySchema) })
  create(@Body(new ZodPipe(createDjSchema)) body: z.output<typeof createDjSchema>): Promise<DjView & { streamKey: string }> {
    return this.djs.create(body.name);
  }

  @Get()
  @Roles('admin', 'operator', 'dj')
  @ApiOkResponse({ schema: openApiSchema(z.array(djViewSchema)) })
  list(@CurrentUser() caller: AuthenticatedUser): Promise<DjView[]> {
    return this.djs.list(djScopeOf(caller));
  }

  @Get(':id')
  @Roles('admin', 'operator', 'dj')
  @ApiOkResponse({ schema: openApiSchema(djViewSchema) })
  get(@Param('id', new UuidPipe('DJ id')) id: string, @CurrentUser() caller: AuthenticatedUser): Promise<DjView> {
    return this.djs.get(id, djScopeOf(caller));
  }

  /** A key is a secret: admins rotate any, a dj its own, operators none. */
  @Post(':id/rotate-key')
  @HttpCode(200)
  @Roles('admin', 'dj')
  rotateKey(@Param('id', new UuidPipe('DJ id')) id: string, @CurrentUser() caller: AuthenticatedUser): Promise<{ streamKey: string }> {
    return this.djs.rotateKey(id, djScopeOf(caller));
  }
}
