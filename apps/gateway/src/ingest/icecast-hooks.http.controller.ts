import { Body, Controller, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators.js';
import { GatewayConfig } from '../config/gateway.config.js';
import { ZodPipe } from '../http/zod-http.js';
import { HookCaller } from './hook-caller.js';
import { IcecastIngestService, type IcecastDecision } from './icecast-ingest.service.js';

/** Icecast's URL authentication posts forms; fields it leaves out (no Basic auth) arrive empty. */
const text = z.string().default('');
const sourceSchema = z.object({ action: z.literal('stream_auth'), mount: text, ip: text, user: text, pass: text, admin: text });
const mountSchema = z.object({ action: z.enum(['mount_add', 'mount_remove']), mount: z.string().min(1) });
const listenerSchema = z.object({ action: z.enum(['listener_add', 'listener_remove']), mount: text, user: text, pass: text });

/**
 * Icecast's hooks (infra/icecast/icecast.xml.template, docs/icecast.md), on the internal listener only
 * and with the shared secret (HookCaller). Icecast reads no status: it lets a source or a listener in
 * only when the answer carries the line `icecast-auth-user: 1`, and logs `icecast-auth-message` of a
 * refused listener. The notifications (mount_add, mount_remove, listener_remove) take any answer.
 */
@ApiExcludeController()
@Controller('hooks/icecast')
export class IcecastHooksHttpController {
  private readonly caller: HookCaller;

  constructor(
    private readonly icecast: IcecastIngestService,
    config: GatewayConfig,
  ) {
    this.caller = new HookCaller(config);
  }

  @Public()
  @Post('source')
  async source(
    @Req() request: Request,
    @Res() response: Response,
    @Query('secret') secret: unknown,
    @Body(new ZodPipe(sourceSchema)) body: z.output<typeof sourceSchema>,
  ): Promise<void> {
    this.caller.admit(request, secret);
    const metadataUpdate = body.admin === '1';
    // A title update (admin=1) is applied by Icecast right after this answer; IcecastTitles reads it.
    answer(response, await this.icecast.authorizeSource({ mount: body.mount, password: body.pass, address: body.ip, metadataUpdate }));
  }

  @Public()
  @Post('mount')
  async mount(
    @Req() request: Request,
    @Res() response: Response,
    @Query('secret') secret: unknown,
    @Body(new ZodPipe(mountSchema)) body: z.output<typeof mountSchema>,
  ): Promise<void> {
    this.caller.admit(request, secret);
    if (body.action === 'mount_add') await this.icecast.mountAdded(body.mount);
    else await this.icecast.mountRemoved(body.mount);
    response.status(200).end();
  }

  @Public()
  @Post('listener')
  listener(
    @Req() request: Request,
    @Res() response: Response,
    @Query('secret') secret: unknown,
    @Body(new ZodPipe(listenerSchema)) body: z.output<typeof listenerSchema>,
  ): void {
    this.caller.admit(request, secret);
    if (body.action === 'listener_remove') {
      response.status(200).end();
      return;
    }
    answer(response, this.icecast.authorizeListener(body.user, body.pass));
  }
}

function answer(response: Response, decision: IcecastDecision): void {
  if (decision.allow) {
    response.status(200).setHeader('icecast-auth-user', '1').end();
  } else {
    // A header value holds printable ASCII only (a DJ's name may not be); the body has it whole.
    response.status(403).setHeader('icecast-auth-message', decision.reason.replace(/[^\x20-\x7e]/g, '?')).json({ statusCode: 403, message: decision.reason });
  }
}
