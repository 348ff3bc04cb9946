import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataPaths } from '@streamcaster/service-kit';
import { TranscoderConfig } from '../config/transcoder.config.js';
import { EncoderRegistry } from '../encoders/encoder-registry.js';
import type { VjScene } from './vj-picture.js';
import { chooseVjScene, describeFigures, probeVjScenes, VJ_PREFERENCE } from './vj-probe.js';

/**
 * The automated VJ's scene, chosen as the encoder is: by what this machine sustains. The probe runs
 * once, at worker start, in the background at the lowest priority: before any program, so that it
 * neither takes from one nor is slowed by one (run beside the first sound-only program, it delayed
 * that program's picture). A program that starts meanwhile uses the preferred scene; every encoder
 * start after the probe uses its choice. TRANSCODER_VJ_SCENE forces one (no probe).
 */
@Injectable()
export class VjScenes implements OnApplicationBootstrap {
  private readonly logger = new Logger(VjScenes.name);
  private chosen: VjScene | null = null;
  private probing: Promise<void> | null = null;

  constructor(
    private readonly config: TranscoderConfig,
    private readonly encoders: EncoderRegistry,
    private readonly paths: DataPaths,
  ) {
    if (config.vjScene !== 'auto') this.chosen = config.vjScene;
  }

  onApplicationBootstrap(): void {
    if (!this.chosen) this.probing ??= this.probe();
  }

  /** The scene for an encoder starting now. */
  current(): VjScene {
    return this.chosen ?? VJ_PREFERENCE[0]!;
  }

  private async probe(): Promise<void> {
    try {
      const results = await probeVjScenes({
        ffmpegPath: this.config.ffmpegPath,
        encoder: await this.encoders.choice(),
        profile: this.encoders.profile,
        fontFile: this.config.fontFile,
        scratchDir: join(this.paths.scratch, 'transcoder'),
      });
      const choice = chooseVjScene(results, { maxCores: this.config.vjMaxCores, machineCores: availableParallelism() });
      for (const result of results) {
        if (!result.ok) this.logger.warn(`VJ scene ${result.scene} does not work here: ${result.reason}`);
        else this.logger.log(`VJ scene probe: ${describeFigures(result.figures)}`);
      }
      this.logger.log(`the automated VJ uses ${choice.scene} (${choice.reason})`);
      this.chosen = choice.scene;
    } catch (error) {
      this.logger.error(`VJ scenes not probed (${(error as Error).message}); using ${VJ_PREFERENCE[0]}`);
      this.chosen = VJ_PREFERENCE[0]!;
    }
  }
}
