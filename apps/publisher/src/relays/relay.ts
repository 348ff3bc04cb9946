import { EventEmitter } from 'node:events';
import type { FfmpegProgress, RelayState } from '@streamcaster/contracts';
import { describeExit, FfmpegProgressParser, SupervisedProcess, type BackoffPolicy } from '@streamcaster/supervisor';
import { buildRelayArgs, redactSecret } from './relay-args.js';

export interface RelayOptions {
  broadcastId: string;
  destinationId: string;
  destinationName: string;
  programUrl: string;
  pushUrl: string;
  /** The part of pushUrl to hide in messages. */
  secret: string;
  ffmpegPath: string;
  backoff: BackoffPolicy;
}

export interface RelayStatus {
  state: RelayState;
  reconnects: number;
  bitrateKbps: number | null;
  lastError: string | null;
  /** When bytes last started leaving for the platform; null while the relay is not live. */
  liveSince: Date | null;
}

interface RelayEvents {
  status: [status: RelayStatus];
  /** `sentBytes`: bytes that left for the platform since the previous report. */
  progress: [progress: FfmpegProgress, sentBytes: number];
}

/**
 * One destination's relay: its own ffmpeg, its own buffer, its own reconnect loop. Nothing here is
 * shared with another destination, so a slow or dead platform stalls only itself.
 */
export class Relay extends EventEmitter<RelayEvents> {
  private readonly process: SupervisedProcess;
  private current: RelayStatus = { state: 'pending', reconnects: 0, bitrateKbps: null, lastError: null, liveSince: null };
  private lastSize = 0;
  private lastProgressAt = 0;

  constructor(readonly options: RelayOptions) {
    super();
    this.process = new SupervisedProcess({
      name: `relay:${options.destinationName}`,
      command: options.ffmpegPath,
      args: buildRelayArgs({ programUrl: options.programUrl, pushUrl: options.pushUrl, ioTimeoutSeconds: 10 }),
      restart: 'always',
      backoff: options.backoff,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 3_000,
      repeatStopSignalAfterMs: 300,
    });
    const parser = new FfmpegProgressParser((progress) => this.onProgress(progress));
    this.process.on('line', (stream, line) => {
      if (stream === 'stdout') parser.pushLine(line);
    });
    this.process.on('state', (state) => {
      if (state === 'starting' && this.current.state !== 'reconnecting') this.update({ state: 'connecting' });
    });
    this.process.on('exit', (info) => {
      if (info.requested) return;
      // A clean end is the program's end (the DJ left, the encoder moved to another replica): not
      // the platform's fault, so no growing backoff; the relay waits on the program stream again.
      if (info.code === 0) this.process.resetBackoff();
      this.lastSize = 0;
      this.update({
        state: 'reconnecting',
        reconnects: this.current.reconnects + 1,
        bitrateKbps: null,
        lastError: redactSecret(describeExit(info), options.secret),
      });
    });
  }

  get status(): RelayStatus {
    return this.current;
  }

  async start(): Promise<void> {
    // The first attempt may fail (platform down): the supervisor keeps trying, that is the point.
    await this.process.start().catch(() => undefined);
  }

  /** The program is back: reconnect now if waiting for a retry. */
  retryNow(): void {
    this.process.resetBackoff();
    this.process.retryNow();
  }

  async stop(): Promise<void> {
    await this.process.stop();
    this.update({ state: 'stopped', bitrateKbps: null });
  }

  /** Gone at once, and silent: its lease (and the right to report) belongs to another replica now. */
  async kill(): Promise<void> {
    this.removeAllListeners('status');
    await this.process.kill();
  }

  private onProgress(progress: FfmpegProgress): void {
    // Bytes leaving for the platform are the proof that it receives; a connected but idle push is not live.
    const now = Date.now();
    const sentBytes = progress.totalSizeBytes - this.lastSize;
    const seconds = (now - this.lastProgressAt) / 1000;
    this.lastSize = progress.totalSizeBytes;
    this.lastProgressAt = now;
    const flowing = sentBytes > 0;
    if (flowing && this.current.state !== 'live') this.update({ state: 'live', lastError: null, liveSince: new Date() });
    // ffmpeg's own bitrate is the average since it started; the dashboard wants the current one.
    const bitrateKbps = flowing && seconds > 0 ? Math.round((sentBytes * 8) / 1000 / seconds) : 0;
    this.current = { ...this.current, bitrateKbps: this.current.state === 'live' ? bitrateKbps : null };
    this.emit('progress', progress, Math.max(sentBytes, 0));
  }

  private update(changes: Partial<RelayStatus>): void {
    const next = { ...this.current, ...changes };
    this.current = { ...next, liveSince: next.state === 'live' ? next.liveSince : null };
    this.emit('status', this.current);
  }
}
