import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  GetBroadcast,
  GetRecording,
  ListBroadcasts,
  ListRecordings,
  LocateRecordingFile,
  recordingViewSchema,
  type RecordingView,
} from '@streamcaster/contracts';
import { BusClient, BusRequestError, DataPaths } from '@streamcaster/service-kit';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentUser, djScopeOf, Roles, type AuthenticatedUser } from '../auth/auth.decorators.js';
import { openApiSchema } from '../http/zod-http.js';

/** The most broadcasts the publisher lists at once: a DJ sees the recordings of its latest 500. */
const DJ_BROADCASTS_LISTED = 500;

/**
 * A user with role dj sees only the recordings of its DJ's broadcasts (the recorder knows broadcasts,
 * the publisher knows whose they are); another's answers 404, as if it did not exist.
 */
@ApiTags('recordings')
@ApiBearerAuth()
@Controller('recordings')
export class RecordingsHttpController {
  constructor(
    private readonly bus: BusClient,
    private readonly paths: DataPaths,
  ) {}

  @Get()
  @Roles('admin', 'operator', 'dj')
  @ApiOkResponse({ schema: openApiSchema(z.array(recordingViewSchema)) })
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<RecordingView[]> {
    const djId = djScopeOf(caller);
    if (!djId) return this.bus.request(ListRecordings, {});
    const broadcasts = await this.bus.request(ListBroadcasts, { djId, limit: DJ_BROADCASTS_LISTED });
    return this.bus.request(ListRecordings, { broadcastIds: broadcasts.map((broadcast) => broadcast.id) });
  }

  @Get(':id')
  @Roles('admin', 'operator', 'dj')
  @ApiOkResponse({ schema: openApiSchema(recordingViewSchema) })
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthenticatedUser): Promise<RecordingView> {
    const recording = await this.bus.request(GetRecording, { id });
    await this.assertVisible(recording, caller);
    return recording;
  }

  /** Streams the finished MP4 from the shared volume (with range requests, so players can seek). */
  @Get(':id/file')
  @Roles('admin', 'operator', 'dj')
  @ApiProduces('video/mp4')
  async file(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthenticatedUser, @Res() response: Response): Promise<void> {
    if (djScopeOf(caller)) await this.assertVisible(await this.bus.request(GetRecording, { id }), caller);
    const located = await this.bus.request(LocateRecordingFile, { id });
    const path = this.paths.recording(located.relativePath);
    await new Promise<void>((resolve, reject) =>
      response.sendFile(path, { headers: { 'Content-Type': 'video/mp4' }, dotfiles: 'deny' }, (error) =>
        error && !response.headersSent ? reject(error) : resolve(),
      ),
    );
  }

  private async assertVisible(recording: RecordingView, caller: AuthenticatedUser): Promise<void> {
    const djId = djScopeOf(caller);
    if (!djId) return;
    const broadcast = await this.bus.request(GetBroadcast, { id: recording.broadcastId }).catch((error: unknown) => {
      if (error instanceof BusRequestError && error.code === 'not_found') return undefined;
      throw error;
    });
    if (broadcast?.djId !== djId) throw new NotFoundException(`no recording with id ${recording.id}`);
  }
}
