import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FfmpegProgress, TranscodeJob } from '@streamcaster/contracts';
import { describeExit, FfmpegProgressParser, SupervisedProcess } from '@streamcaster/supervisor';
import { renderNameCard } from '../composition/name-card.js';
import { layoutProgram } from '../composition/overlay-layout.js';
import type { EncoderChoice, ProgramProfile } from '../encoders/encoder-profile.js';
import { buildTranscodeArgs } from '../encoders/transcode-args.js';

export interface TranscodeSessionOptions {
  job: TranscodeJob;
  encoder: EncoderChoice;
  profile: ProgramProfile;
  rtmpInternalUrl: string;
  ffmpegPath: string;
  fontFile: string;
  scratchDir: string;
  logoPath: string | null;
  onProgress: (progress: FfmpegProgress) => void;
}

/**
 * One broadcast's encoder, from the program's start to the broadcast's end (run by whichever
 * transcoder replica holds the program's lease). The ffmpeg process ends
 * whenever the DJ's input ends; it is restarted at once and waits on the DJ's stream name until the
 * DJ is back, so a reconnecting DJ needs nobody to do anything.
 */
export class TranscodeSession {
  private readonly logger: Logger;
  private process: SupervisedProcess | null = null;
  /** Set by stop(), checked after every await of start(): a stop during start-up wins. */
  private stopped = false;
  private finished!: () => void;
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  constructor(private readonly options: TranscodeSessionOptions) {
    this.logger = new Logger(`transcode:${options.job.broadcastId.slice(0, 8)}`);
  }

  async start(): Promise<void> {
    const { job, profile } = this.options;
    await mkdir(this.options.scratchDir, { recursive: true });
    if (this.stopped) return;
    const logoPath = this.options.logoPath && existsSync(this.options.logoPath) ? this.options.logoPath : null;
    if (this.options.logoPath && !logoPath) this.logger.warn(`logo ${this.options.logoPath} is missing; encoding without it`);
    const logoSize = logoPath && job.logo ? { width: job.logo.width, height: job.logo.height } : null;
    const layout = layoutProgram({ width: profile.width, height: profile.height }, logoSize, job.logo?.position ?? 'top-right');
    const nameCardPath = await renderNameCard({
      ffmpegPath: this.options.ffmpegPath,
      fontFile: this.options.fontFile,
      djName: job.djName,
      layout,
      directory: this.options.scratchDir,
    });
    if (this.stopped) return;
    const args = buildTranscodeArgs({
      encoder: this.options.encoder,
      profile,
      inputUrl: `${this.options.rtmpInternalUrl}/${job.input.app}/${job.input.streamName}`,
      outputUrl: `${this.options.rtmpInternalUrl}/program/${job.broadcastId}`,
      layout,
      logoPath,
      nameCardPath,
    });

    const process = new SupervisedProcess({
      name: `transcoder:${job.broadcastId}`,
      command: this.options.ffmpegPath,
      args,
      restart: 'always',
      // Short: the DJ's return should reach the platforms within a second.
      backoff: { initialMs: 250, maxMs: 2_000, resetAfterMs: 10_000 },
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 5_000,
      repeatStopSignalAfterMs: 300,
    });
    this.process = process;
    const parser = new FfmpegProgressParser((progress) => this.options.onProgress(progress));
    process.on('line', (stream, line) => {
      if (stream === 'stdout') parser.pushLine(line);
      else if (line.trim()) this.logger.debug(line);
    });
    process.on('exit', (info) => {
      if (!info.requested) this.logger.log(`encoder exited (${describeExit(info)}); waiting for the DJ's input again`);
    });
    this.logger.log(`encoding ${job.input.app}/${job.input.streamName} → program/${job.broadcastId} with ${this.options.encoder.kind}`);
    await process.start();
  }

  /** No graceful flush: another replica owns the program now. */
  async kill(reason: string): Promise<void> {
    this.logger.warn(`killing the encoder: ${reason}`);
    const process = this.process;
    this.stopped = true;
    this.process = null;
    await process?.kill();
    await rm(this.options.scratchDir, { recursive: true, force: true }).catch(() => undefined);
    this.finished();
  }

  async stop(reason: string): Promise<void> {
    if (this.stopped) return this.done;
    this.stopped = true;
    const process = this.process;
    this.process = null;
    this.logger.log(`stopping: ${reason}`);
    await process?.stop();
    await rm(this.options.scratchDir, { recursive: true, force: true });
    this.finished();
  }
}

/** Per lease token: an owner that lost the program cleaning up never touches its successor's files. */
export function scratchDirectory(root: string, broadcastId: string, token: number): string {
  return join(root, 'transcoder', `${broadcastId}-${token}`);
}
