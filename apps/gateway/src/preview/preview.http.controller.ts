import { BadRequestException, Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DataPaths } from '@streamcaster/service-kit';
import type { Response } from 'express';
import { join } from 'node:path';
import { CurrentUser, Roles, type AuthenticatedUser } from '../auth/auth.decorators.js';
import { BroadcastAccess } from '../broadcasts/broadcast-access.js';
import { sendVolumeFile } from '../http/send-file.js';
import { UuidPipe } from '../http/uuid.pipe.js';

const PLAYLIST = 'index.m3u8';
/** nginx-rtmp's segment names (`hls_fragment_naming sequential`): a number, nothing else. */
const SEGMENT = /^[0-9]{1,20}\.ts$/;

/**
 * The program's preview: the HLS that nginx-rtmp writes of `program/<id>` into the data volume
 * (`preview/<id>/index.m3u8` and its segments), served only to a user who may see the broadcast. Only
 * those two kinds of names are served, so nothing else of the volume (nor a listing) can be asked for.
 * The player (hls.js) sends the bearer token with every request.
 */
@ApiTags('broadcasts')
@ApiBearerAuth()
@Controller('broadcasts')
export class PreviewHttpController {
  constructor(
    private readonly access: BroadcastAccess,
    private readonly paths: DataPaths,
  ) {}

  @Get(':id/preview/:file')
  @Roles('admin', 'operator', 'dj')
  @ApiProduces('application/vnd.apple.mpegurl', 'video/mp2t')
  async file(
    @Param('id', new UuidPipe('broadcast id')) id: string,
    @Param('file') file: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Res() response: Response,
  ): Promise<void> {
    const playlist = file === PLAYLIST;
    if (!playlist && !SEGMENT.test(file)) throw new BadRequestException('preview file must be index.m3u8 or a segment <number>.ts');
    await this.access.assertVisible(id, caller);
    const headers = playlist
      ? // The playlist changes with every segment: always ask again.
        { 'Content-Type': 'application/vnd.apple.mpegurl', 'Cache-Control': 'no-cache' }
      : // A segment name comes back when the program restarts: cached by nobody but the player, briefly.
        { 'Content-Type': 'video/mp2t', 'Cache-Control': 'private, max-age=10' };
    await sendVolumeFile(response, join(this.paths.preview, id, file), headers, () =>
      playlist ? new NotFoundException(`broadcast ${id} has no preview (its program is not running)`) : new NotFoundException(`no preview segment ${file} of broadcast ${id}`),
    );
  }
}
