import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { UuidPipe } from '../http/uuid.pipe.js';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Roles } from '../auth/auth.decorators.js';
import { apiBody, openApiSchema, ZodPipe } from '../http/zod-http.js';
import { createdUserSchema, userCreateSchema, userPatchSchema, userViewSchema, type CreatedUser, type UserCreate, type UserPatch, type UserView } from '@streamcaster/contracts';
import { UsersService } from './users.service.js';

/** Users and their roles: admins only. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
@Roles('admin')
export class UsersHttpController {
  constructor(private readonly users: UsersService) {}

  /** Without `password`, one is generated and returned in this response, once. */
  @Post()
  @ApiBody(apiBody(userCreateSchema))
  @ApiCreatedResponse({ schema: openApiSchema(createdUserSchema) })
  create(@Body(new ZodPipe(userCreateSchema)) body: UserCreate): Promise<CreatedUser> {
    return this.users.create(body);
  }

  @Get()
  @ApiOkResponse({ schema: openApiSchema(z.array(userViewSchema)) })
  list(): Promise<UserView[]> {
    return this.users.list();
  }

  @Patch(':id')
  @ApiBody(apiBody(userPatchSchema))
  @ApiOkResponse({ schema: openApiSchema(userViewSchema) })
  update(@Param('id', new UuidPipe('user id')) id: string, @Body(new ZodPipe(userPatchSchema)) patch: UserPatch): Promise<UserView> {
    return this.users.update(id, patch);
  }

  @Delete(':id')
  @ApiOkResponse({ schema: openApiSchema(z.object({ id: z.uuid() })) })
  remove(@Param('id', new UuidPipe('user id')) id: string): Promise<{ id: string }> {
    return this.users.remove(id);
  }
}
