import { Controller, Get, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { GetRecording, ListRecordings, LocateRecordingFile, recordingViewSchema, type RecordingView } from '@streamcaster/contracts';
import { BusClient, DataPaths } from '@streamcaster/service-kit';
import type { Response } from 'express';
import { z } from 'zod';
import { Roles } from '../auth/auth.decorators.js';
import { openApiSchema } from '../http/zod-http.js';

@ApiTags('recordings')
@ApiBearerAuth()
@Controller('recordings')
export class RecordingsHttpController {
  constructor(
    private readonly bus: BusClient,
    private readonly paths: DataPaths,
  ) {}

  @Get()
  @Roles('admin', 'operator')
  @ApiOkResponse({ schema: openApiSchema(z.array(recordingViewSchema)) })
  list(): Promise<RecordingView[]> {
    return this.bus.request(ListRecordings, {});
  }

  @Get(':id')
  @Roles('admin', 'operator')
  @ApiOkResponse({ schema: openApiSchema(recordingViewSchema) })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<RecordingView> {
    return this.bus.request(GetRecording, { id });
  }

  /** Streams the finished MP4 from the shared volume (with range requests, so players can seek). */
  @Get(':id/file')
  @Roles('admin', 'operator')
  @ApiProduces('video/mp4')
  async file(@Param('id', new ParseUUIDPipe()) id: string, @Res() response: Response): Promise<void> {
    const located = await this.bus.request(LocateRecordingFile, { id });
    const path = this.paths.recording(located.relativePath);
    await new Promise<void>((resolve, reject) =>
      response.sendFile(path, { headers: { 'Content-Type': 'video/mp4' }, dotfiles: 'deny' }, (error) =>
        error && !response.headersSent ? reject(error) : resolve(),
      ),
    );
  }
}
