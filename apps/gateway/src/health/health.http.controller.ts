import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { ReadinessService } from './readiness.service.js';
import type { CheckState } from './readiness.js';

export type ReadinessBody =
  | { status: 'ready'; checks: Record<string, CheckState> }
  | { statusCode: 503; status: 'not ready'; checks: Record<string, CheckState>; message: string };

const checksSchema = { type: 'object', additionalProperties: { type: 'string', enum: ['ok', 'not answering'] } };

/** For load balancers, orchestrators and `npm start`: public, and never cached. */
@ApiTags('health')
@Controller('health')
export class HealthHttpController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: answers as long as the process does, whatever is behind it. */
  @Public()
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: 200 only when PostgreSQL, Redis, NATS, nginx-rtmp and every service answer. */
  @Public()
  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', enum: ['ready'] }, checks: checksSchema } } })
  @ApiServiceUnavailableResponse({
    schema: {
      type: 'object',
      properties: { statusCode: { type: 'number' }, status: { type: 'string', enum: ['not ready'] }, checks: checksSchema, message: { type: 'string' } },
    },
  })
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessBody> {
    const report = await this.readiness.check();
    if (report.ready) return { status: 'ready', checks: report.checks };
    response.status(503);
    return { statusCode: 503, status: 'not ready', checks: report.checks, message: report.message };
  }
}
