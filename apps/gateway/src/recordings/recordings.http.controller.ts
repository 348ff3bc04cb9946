import { Controller, Get, HttpCode, Logger, NotFoundException, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  GetBroadcast,
  GetRecording,
  ListBroadcasts,
  ListRecordings,
  LocateRecordingFile,
  recordingFileUrlSchema,
  recordingViewSchema,
  type RecordingFileUrl,
  type RecordingView,
} from '@streamcaster/contracts';
import { BusClient, BusRequestError, DataPaths, VolumePathError } from '@streamcaster/service-kit';
import type { Response } from 'express';
import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { z } from 'zod';
import { AcceptsFileLink, CurrentUser, djScopeOf, Roles, type AuthenticatedUser } from '../auth/auth.decorators.js';
import { FileLinks } from '../auth/file-links.js';
import { UuidPipe } from '../http/uuid.pipe.js';
import { sendVolumeFile } from '../http/send-file.js';
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
  private readonly logger = new Logger(RecordingsHttpController.name);

  constructor(
    private readonly bus: BusClient,
    private readonly paths: DataPaths,
    private readonly fileLinks: FileLinks,
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
  async get(@Param('id', new UuidPipe('recording id')) id: string, @CurrentUser() caller: AuthenticatedUser): Promise<RecordingView> {
    const recording = await this.bus.request(GetRecording, { id });
    await this.assertVisible(recording, caller);
    return recording;
  }

  /**
   * A link to the MP4 that works without the bearer header for 10 minutes (for `<video src>` and
   * downloads), for a recording the caller may see and that has its file.
   */
  @Post(':id/file-url')
  @HttpCode(200)
  @Roles('admin', 'operator', 'dj')
  @ApiOkResponse({ schema: openApiSchema(recordingFileUrlSchema) })
  async fileUrl(@Param('id', new UuidPipe('recording id')) id: string, @CurrentUser() caller: AuthenticatedUser): Promise<RecordingFileUrl> {
    if (djScopeOf(caller)) await this.assertVisible(await this.bus.request(GetRecording, { id }), caller);
    const located = await this.bus.request(LocateRecordingFile, { id });
    await this.fileOnVolume(id, located.relativePath);
    return this.fileLinks.issue(caller, `/api/recordings/${id}/file`);
  }

  /** Streams the finished MP4 from the shared volume (with range requests, so players can seek). */
  @Get(':id/file')
  @Roles('admin', 'operator', 'dj')
  @AcceptsFileLink()
  @ApiProduces('video/mp4')
  async file(@Param('id', new UuidPipe('recording id')) id: string, @CurrentUser() caller: AuthenticatedUser, @Res() response: Response): Promise<void> {
    if (djScopeOf(caller)) await this.assertVisible(await this.bus.request(GetRecording, { id }), caller);
    const located = await this.bus.request(LocateRecordingFile, { id });
    const path = await this.fileOnVolume(id, located.relativePath);
    await sendVolumeFile(response, path, { 'Content-Type': 'video/mp4' }, () => new NotFoundException(`the file of recording ${id} is missing from the recordings volume`));
  }

  /**
   * The file's real path, refused unless it lies inside the recordings folder: the recorder's
   * answer is checked, by name and after symbolic links, before a byte is read.
   */
  private async fileOnVolume(id: string, relativePath: string): Promise<string> {
    const refused = (reason: string) => {
      this.logger.warn(`recording ${id}: refused to serve ${JSON.stringify(relativePath)}: ${reason}`);
      return new NotFoundException(`recording ${id} has no file on the recordings volume`);
    };
    let path: string;
    try {
      path = this.paths.recording(relativePath);
    } catch (error) {
      if (error instanceof VolumePathError) throw refused(error.message);
      throw error;
    }
    let real: string;
    let folder: string;
    try {
      [real, folder] = await Promise.all([realpath(path), realpath(this.paths.recordings)]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
        throw new NotFoundException(`the file of recording ${id} is missing from the recordings volume`);
      }
      throw error;
    }
    if (!real.startsWith(folder + sep)) throw refused(`it leads to ${real}, outside ${folder}`);
    return real;
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
