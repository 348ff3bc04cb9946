import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  apiPlatformSchema,
  ChoosePlatformPage,
  choosePageRequestSchema,
  CompletePlatformConnect,
  DeletePlatformAccount,
  environmentSchema,
  ListPlatformAccounts,
  ListPlatformSetups,
  platformAccountViewSchema,
  platformConnectRequestSchema,
  platformSetupViewSchema,
  StartPlatformConnect,
  type ApiPlatform,
  type PlatformAccountView,
  type PlatformSetupView,
} from '@streamcaster/contracts';
import { BusClient } from '@streamcaster/service-kit';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentUser, Public, Roles, type AuthenticatedUser } from '../auth/auth.decorators.js';
import { UuidPipe } from '../http/uuid.pipe.js';
import { apiBody, openApiSchema, ZodPipe } from '../http/zod-http.js';

const listQuerySchema = z.object({ environment: environmentSchema.optional() });

/** What a platform's redirect back may carry; anything longer than a platform ever sends is cut off. */
const callbackQuerySchema = z.object({
  state: z.string().max(2048).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

/**
 * Platform accounts belong to the publisher; the gateway validates and forwards. The OAuth callback
 * is the one public route here: the signed, single-use state is its proof, and it always answers
 * with a redirect to the dashboard's Destinations page carrying the outcome.
 */
@ApiTags('platform accounts')
@ApiBearerAuth()
@Controller()
export class PlatformAccountsHttpController {
  constructor(private readonly bus: BusClient) {}

  @Get('platforms')
  @Roles('admin', 'operator')
  @ApiOkResponse({ schema: openApiSchema(z.array(platformSetupViewSchema)) })
  setups(): Promise<PlatformSetupView[]> {
    return this.bus.request(ListPlatformSetups, {});
  }

  @Get('platform-accounts')
  @Roles('admin', 'operator')
  @ApiOkResponse({ schema: openApiSchema(z.array(platformAccountViewSchema)) })
  list(@Query(new ZodPipe(listQuerySchema)) query: z.output<typeof listQuerySchema>): Promise<PlatformAccountView[]> {
    return this.bus.request(ListPlatformAccounts, query);
  }

  @Post('platform-accounts')
  @Roles('admin')
  @ApiBody(apiBody(platformConnectRequestSchema))
  @ApiCreatedResponse({ schema: openApiSchema(z.object({ authorizeUrl: z.string() })) })
  connect(
    @Body(new ZodPipe(platformConnectRequestSchema)) body: z.output<typeof platformConnectRequestSchema>,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<{ authorizeUrl: string }> {
    return this.bus.request(StartPlatformConnect, { ...body, userId: caller.id });
  }

  @Get('platform-accounts/callback/:platform')
  @Public()
  async callback(
    @Param('platform', new ZodPipe(apiPlatformSchema)) platform: ApiPlatform,
    @Query(new ZodPipe(callbackQuerySchema)) query: z.output<typeof callbackQuerySchema>,
    @Res() response: Response,
  ): Promise<void> {
    const outcome = await this.bus.request(CompletePlatformConnect, {
      platform,
      state: query.state,
      code: query.code,
      error: query.error,
      errorDescription: query.error_description,
    });
    const target = new URLSearchParams({ connect: outcome.outcome, platform, message: outcome.message });
    if (outcome.environment) target.set('environment', outcome.environment);
    if (outcome.accountId) target.set('accountId', outcome.accountId);
    // The code is spent either way; nothing of it is kept in the browser's history.
    response.setHeader('cache-control', 'no-store');
    response.redirect(303, `/destinations?${target.toString()}`);
  }

  @Post('platform-accounts/:id/page')
  @Roles('admin')
  @HttpCode(200)
  @ApiBody(apiBody(choosePageRequestSchema))
  choosePage(
    @Param('id', new UuidPipe('platform account id')) id: string,
    @Body(new ZodPipe(choosePageRequestSchema)) body: z.output<typeof choosePageRequestSchema>,
  ): Promise<PlatformAccountView> {
    return this.bus.request(ChoosePlatformPage, { id, ...body });
  }

  @Delete('platform-accounts/:id')
  @Roles('admin')
  remove(@Param('id', new UuidPipe('platform account id')) id: string): Promise<{ id: string; revoked: boolean; message: string }> {
    return this.bus.request(DeletePlatformAccount, { id });
  }
}
