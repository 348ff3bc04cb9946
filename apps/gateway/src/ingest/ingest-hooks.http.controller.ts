import { Body, Controller, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators.js';
import { GatewayConfig } from '../config/gateway.config.js';
import { ZodPipe } from '../http/zod-http.js';
import { HookCaller } from './hook-caller.js';
import { IngestService } from './ingest.service.js';

/** The fields nginx-rtmp posts (application/x-www-form-urlencoded) with on_publish / on_publish_done. */
const hookSchema = z.object({
  app: z.string().min(1),
  name: z.string().default(''),
  clientid: z.string().min(1),
  addr: z.string().default(''),
});

/**
 * nginx-rtmp's notify hooks, on the gateway's internal listener only and with the shared secret
 * (HookCaller). Public to the JWT guard (nginx has no token). nginx-rtmp reads only
 * the status: 2xx allows, 3xx renames the stream to the Location, anything else refuses.
 */
@ApiExcludeController()
@Controller('hooks/nginx-rtmp')
export class IngestHooksHttpController {
  private readonly caller: HookCaller;

  constructor(
    private readonly ingest: IngestService,
    config: GatewayConfig,
  ) {
    this.caller = new HookCaller(config);
  }

  @Public()
  @Post('publish')
  async publish(
    @Req() request: Request,
    @Res() response: Response,
    @Query('secret') secret: unknown,
    @Body(new ZodPipe(hookSchema)) body: z.output<typeof hookSchema>,
  ): Promise<void> {
    this.admit(request, secret);
    const decision = await this.ingest.onPublish({ app: body.app, name: body.name, clientId: body.clientid, remoteAddress: body.addr });
    if (!decision.allow) {
      response.status(403).json({ statusCode: 403, message: decision.reason });
    } else if (decision.renameTo) {
      response.status(302).setHeader('Location', decision.renameTo).end();
    } else {
      response.status(200).end();
    }
  }

  @Public()
  @Post('publish-done')
  @HttpCode(200)
  async publishDone(@Req() request: Request, @Query('secret') secret: unknown, @Body(new ZodPipe(hookSchema)) body: z.output<typeof hookSchema>): Promise<void> {
    this.admit(request, secret);
    await this.ingest.onPublishDone({ app: body.app, name: body.name, clientId: body.clientid, remoteAddress: body.addr });
  }

  /** nginx-rtmp refuses a play on anything but 2xx: always allowed, nginx's own rules restrict players. */
  @Public()
  @Post('play')
  @HttpCode(200)
  async play(@Req() request: Request, @Query('secret') secret: unknown, @Body(new ZodPipe(hookSchema)) body: z.output<typeof hookSchema>): Promise<void> {
    this.admit(request, secret);
    await this.ingest.onPlay(body.app, body.name, true);
  }

  @Public()
  @Post('play-done')
  @HttpCode(200)
  async playDone(@Req() request: Request, @Query('secret') secret: unknown, @Body(new ZodPipe(hookSchema)) body: z.output<typeof hookSchema>): Promise<void> {
    this.admit(request, secret);
    await this.ingest.onPlay(body.app, body.name, false);
  }

  private admit(request: Request, secret: unknown): void {
    this.caller.admit(request, secret);
  }
}
