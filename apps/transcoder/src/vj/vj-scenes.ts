import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataPaths } from '@streamcaster/service-kit';
import { TranscoderConfig } from '../config/transcoder.config.js';
import { EncoderRegistry } from '../encoders/encoder-registry.js';
import type { VjScene } from './vj-picture.js';
import { chooseVjScene, describeFigures, probeVjScenes, VJ_PREFERENCE, type VjProbeResult } from './vj-probe.js';

/**
 * The automated VJ's scene, chosen as the encoder is: by what this machine sustains. The probe runs
 * once, at worker start, in the background at the lowest priority: before any program, so that it
 * neither takes from one nor is slowed by one (run beside the first sound-only program, it delayed
 * that program's picture). A program that starts meanwhile uses the first scene its branding allows;
 * every encoder start after the probe chooses among the allowed scenes by the probe's figures.
 * TRANSCODER_VJ_SCENE forces one (no probe), whatever the branding allows.
 */
@Injectable()
export class VjScenes implements OnApplicationBootstrap {
  private readonly logger = new Logger(VjScenes.name);
  /** TRANSCODER_VJ_SCENE: the deployment's choice, whatever the branding allows. */
  private readonly forced: VjScene | null;
  private results: VjProbeResult[] | null = null;
  private probing: Promise<void> | null = null;

  constructor(
    private readonly config: TranscoderConfig,
    private readonly encoders: EncoderRegistry,
    private readonly paths: DataPaths,
  ) {
    this.forced = config.vjScene === 'auto' ? null : config.vjScene;
  }

  onApplicationBootstrap(): void {
    if (!this.forced) this.probing ??= this.probe();
  }

  /**
   * The scene for an encoder starting now: of the scenes the branding allows, the first the machine
   * sustains (before the probe has finished, the first allowed).
   */
  current(allowed: readonly VjScene[]): VjScene {
    if (this.forced) return this.forced;
    if (this.results) return chooseVjScene(this.results, this.limits(), allowed).scene;
    return VJ_PREFERENCE.find((scene) => allowed.includes(scene)) ?? VJ_PREFERENCE[0]!;
  }

  private limits() {
    return { maxCores: this.config.vjMaxCores, machineCores: availableParallelism() };
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
      const choice = chooseVjScene(results, this.limits());
      for (const result of results) {
        if (!result.ok) this.logger.warn(`VJ scene ${result.scene} does not work here: ${result.reason}`);
        else this.logger.log(`VJ scene probe: ${describeFigures(result.figures)}`);
      }
      this.logger.log(`the automated VJ uses ${choice.scene} when the branding allows every scene (${choice.reason})`);
      this.results = results;
    } catch (error) {
      // Without figures, every program takes the first scene it allows.
      this.logger.error(`VJ scenes not probed (${(error as Error).message}); the first scene each program allows is used`);
    }
  }
}
