import { join } from 'node:path';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataPaths } from '@streamcaster/service-kit';
import { TranscoderConfig } from '../config/transcoder.config.js';
import { probeEncoders } from './encoder-probe.js';
import type { EncoderChoice, ProgramProfile } from './encoder-profile.js';

/**
 * Probes the encoders once at worker start, each with the command a job would run (see
 * encoder-probe.ts); every job then uses the result.
 */
@Injectable()
export class EncoderRegistry implements OnModuleInit {
  private readonly logger = new Logger(EncoderRegistry.name);
  private chosen: Promise<EncoderChoice> | null = null;
  readonly profile: ProgramProfile;

  constructor(
    private readonly config: TranscoderConfig,
    private readonly paths: DataPaths,
  ) {
    this.profile = {
      width: config.width,
      height: config.height,
      fps: config.fps,
      videoBitrateKbps: config.videoBitrateKbps,
      audioBitrateKbps: config.audioBitrateKbps,
      keyframeSeconds: config.keyframeSeconds,
      x264Preset: config.x264Preset,
    };
  }

  async onModuleInit(): Promise<void> {
    await this.choice();
  }

  choice(): Promise<EncoderChoice> {
    this.chosen ??= probeEncoders(this.config.encoder, {
      ffmpegPath: this.config.ffmpegPath,
      vaapiDevice: this.config.vaapiDevice,
      profile: this.profile,
      scratchDir: join(this.paths.scratch, 'transcoder'),
    }).then(
      (report) => {
        for (const skipped of report.skipped) this.logger.log(`encoder ${skipped.kind} not usable: ${skipped.reason}`);
        const { width, height, fps, videoBitrateKbps } = this.profile;
        this.logger.log(`encoding with ${report.choice.kind}: ${width}x${height}@${fps} ${videoBitrateKbps} kb/s`);
        return report.choice;
      },
    );
    return this.chosen;
  }
}
