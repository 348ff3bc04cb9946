import { ForbiddenException, NotFoundException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { GatewayConfig } from '../config/gateway.config.js';

/**
 * The ingest servers' hooks (nginx-rtmp, Icecast) exist only on the gateway's internal listener
 * (INGEST_HOOKS_PORT): on the public port they are 404, whoever asks. Each call carries the shared
 * secret in its query (`?secret=`), which only the servers' rendered configs hold; a caller without
 * it gets 403.
 */
export class HookCaller {
  private readonly secret: Buffer;

  constructor(private readonly config: GatewayConfig) {
    this.secret = Buffer.from(config.ingestHooksSecret);
  }

  admit(request: Request, secret: unknown): void {
    // Not on this port: as if the route did not exist, so the public side reveals nothing.
    if (request.socket.localPort !== this.config.ingestHooksPort) throw new NotFoundException(`Cannot POST ${request.path}`);
    const given = Buffer.from(typeof secret === 'string' ? secret : '');
    if (given.length !== this.secret.length || !timingSafeEqual(given, this.secret)) {
      throw new ForbiddenException('ingest hook refused: missing or wrong secret');
    }
  }
}
