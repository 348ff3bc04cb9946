import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Roles } from '../auth/auth.decorators.js';
import { apiBody, openApiSchema, ZodPipe } from '../http/zod-http.js';
import { DjsService, type DjView } from './djs.service.js';

const createDjSchema = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(100, 'name is longer than 100 characters'),
});
const djWithKeySchema = z.object({ id: z.uuid(), name: z.string(), streamKey: z.string() });

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
  @Roles('admin', 'operator')
  list(): Promise<DjView[]> {
    return this.djs.list();
  }

  @Post(':id/rotate-key')
  @HttpCode(200)
  @Roles('admin')
  rotateKey(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<{ streamKey: string }> {
    return this.djs.rotateKey(id);
  }
}
