import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  PayloadTooLargeException,
  Put,
  Res,
  UploadedFile,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { brandingSchema, brandingUpdateSchema, GetBranding, SetBrandingLogo, UpdateBranding, type Branding } from '@streamcaster/contracts';
import { BusClient, DataPaths } from '@streamcaster/service-kit';
import { catchError, type Observable } from 'rxjs';
import type { z } from 'zod';
import { Roles } from '../auth/auth.decorators.js';
import { sendVolumeFile } from '../http/send-file.js';
import { apiBody, openApiSchema, ZodPipe } from '../http/zod-http.js';
import { AssetStore } from './asset-store.js';
import { probeImage } from './image-probe.js';

export const MAX_LOGO_BYTES = 2 * 1024 * 1024;

/** Multer's own "File too large" says neither what the limit is nor which field. */
class LogoLimitInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (error instanceof PayloadTooLargeException) throw new PayloadTooLargeException('logo file is larger than 2 MB');
        throw error;
      }),
    );
  }
}

@ApiTags('branding')
@ApiBearerAuth()
@Controller('branding')
export class BrandingHttpController {
  constructor(
    private readonly bus: BusClient,
    private readonly assets: AssetStore,
    private readonly paths: DataPaths,
  ) {}

  @Get()
  @Roles('admin', 'operator')
  @ApiOkResponse({ schema: openApiSchema(brandingSchema) })
  get(): Promise<Branding> {
    return this.bus.request(GetBranding, {});
  }

  /** The current logo itself (for the dashboard's preview); 404 when none is set. */
  @Get('logo')
  @Roles('admin', 'operator')
  @ApiProduces('image/png', 'image/jpeg')
  async logo(@Res() response: Response): Promise<void> {
    const { logo } = await this.bus.request(GetBranding, {});
    if (!logo) throw new NotFoundException('no logo is set');
    // The name is the content's hash: the same name always means the same bytes.
    await sendVolumeFile(response, this.paths.asset(logo.assetName), { 'Content-Type': logo.mimeType, 'Cache-Control': 'private, no-cache' }, () => new NotFoundException('the logo file is missing from the data volume'));
  }

  @Put()
  @Roles('admin')
  @ApiBody(apiBody(brandingUpdateSchema))
  update(@Body(new ZodPipe(brandingUpdateSchema)) body: z.output<typeof brandingUpdateSchema>): Promise<Branding> {
    return this.bus.request(UpdateBranding, body);
  }

  /** Multipart field `file`: a PNG or JPEG up to 2 MB, recognised by its content. */
  @Put('logo')
  @Roles('admin')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @UseInterceptors(LogoLimitInterceptor, FileInterceptor('file', { limits: { fileSize: MAX_LOGO_BYTES, files: 1 } }))
  async setLogo(@UploadedFile() file: Express.Multer.File | undefined): Promise<Branding> {
    if (!file) throw new BadRequestException('multipart field "file" with the logo is missing');
    const image = probeImage(file.buffer);
    if ('problem' in image) throw new BadRequestException(`logo rejected: ${image.problem}`);
    const assetName = await this.assets.put(file.buffer, image.extension);
    return this.bus.request(SetBrandingLogo, {
      assetName,
      mimeType: image.mimeType,
      width: image.width,
      height: image.height,
      sizeBytes: file.size,
    });
  }
}
