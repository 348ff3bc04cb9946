import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FfmpegProgress, IngestStream, TranscodeJob } from '@streamcaster/contracts';
import { describeExit, FfmpegProgressParser, SupervisedProcess } from '@streamcaster/supervisor';
import { renderNameCard } from '../composition/name-card.js';
import { layoutProgram } from '../composition/overlay-layout.js';
import type { EncoderChoice, ProgramProfile } from '../encoders/encoder-profile.js';
import { buildTranscodeArgs, type InputKind } from '../encoders/transcode-args.js';
import { vjLooks, type VjScene } from '../vj/vj-picture.js';
import type { ProgramSource } from '../program/program-splicer.js';
import { ProgramSwitcher } from '../program/program-switcher.js';
import { pictureText, renderSlate } from '../program/slate.js';
import { VjDirector } from '../vj/vj-director.js';
import { djInput, type DjInput, type DjInputServers } from './dj-input.js';

/** Probe of an encoder that joins a running stream: longer than a DJ's keyframe interval (2 s as platforms ask). */
const JOIN_PROBE_SECONDS = 4;

/** What ffmpeg says when the DJ's input has no video for the graph's `[0:v]`. */
const NO_PICTURE = /Stream specifier ':v' in filtergraph description .* matches no streams/;
/** What ffmpeg 5.1 says when the DJ's input has no sound to map. */
const NO_SOUND = /Stream map '0:a:0' matches no streams/;

/** A track change re-encodes the slate with its title after this calm (DJ software may send several at once). */
const SLATE_REFRESH_DELAY_MS = 2_000;

export interface TranscodeSessionOptions extends DjInputServers {
  job: TranscodeJob;
  encoder: EncoderChoice;
  profile: ProgramProfile;
  ffmpegPath: string;
  fontFile: string;
  scratchDir: string;
  logoPath: string | null;
  /** The DJ's encoder silent this long → the slate. */
  stallMs: number;
  /**
   * The automated VJ's scene for an encoder that starts now, among those the branding allows (the
   * machine's choice may come later).
   */
  vjScene: (allowed: readonly VjScene[]) => VjScene;
  /** "Artist – Title" of the track playing when the program starts (a program taken over mid-set). */
  nowPlaying: string | null;
  /** Played under the slate; silence when null. */
  slateAudioPath: string | null;
  /** The broadcast's encoded slates on the shared volume (kept for a replica that takes over). */
  slateCacheDir: string;
  onProgress: (progress: FfmpegProgress) => void;
  onSourceChanged: (source: Exclude<ProgramSource, 'none'>, reason: string) => void;
}

/**
 * One broadcast's program, from its start to the broadcast's end (run by whichever transcoder replica
 * holds the program's lease): the DJ's encoder, the slate, and the switcher that splices them into a
 * program that never stops. The DJ's encoder ends whenever the DJ's input ends, and is killed when
 * it goes silent (a stalled input, which ffmpeg would wait on for ever); either way it is restarted
 * at once and waits on the DJ's stream name, so a returning DJ needs nobody to do anything. The
 * slate covers the gap, and an encoder crash the same way.
 */
export class TranscodeSession {
  private readonly logger: Logger;
  private process: SupervisedProcess | null = null;
  private switcher: ProgramSwitcher | null = null;
  /** Follows the beat of a sound-only input and changes the VJ's looks on it. */
  private director: VjDirector | null = null;
  /** The VJ scene of the encoder running now (the director's commands are for its filters). */
  private sceneOnAir: VjScene;
  private layout: ReturnType<typeof layoutProgram> | null = null;
  private logoPath: string | null = null;
  private nowPlaying: string | null;
  private slateRefresh: NodeJS.Timeout | null = null;
  private slateRendering: Promise<void> = Promise.resolve();
  /** Where the DJ is read from, and what it carries as far as known before opening it. */
  private input: DjInput;
  /** The DJ's stream this program reads (the job's, or the one the DJ came back through). */
  private stream: IngestStream;
  /** Found out from the DJ's input: ffmpeg refuses a graph on a picture that is not there. */
  private inputKind: InputKind;
  /** Found out from the DJ's input: a picture without sound is encoded with silence. */
  private silentInput = false;
  /** The next encoder run joins a stream that is already running (after a stall): a longer probe. */
  private joinsRunningStream = false;
  /** Set while the encoder is killed for a stall, so that its exit is not taken for the DJ leaving. */
  private restartedForStall = false;
  /** Set by stop(), checked after every await of start(): a stop during start-up wins. */
  private stopped = false;
  private finished!: () => void;
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  constructor(private readonly options: TranscodeSessionOptions) {
    this.logger = new Logger(`transcode:${options.job.broadcastId.slice(0, 8)}`);
    this.nowPlaying = options.nowPlaying;
    this.stream = options.job.input;
    this.input = djInput(options.job.input, options);
    this.inputKind = this.input.kind;
    this.sceneOnAir = options.vjScene(options.job.vj.scenes);
  }

  private get nowPlayingFile(): string {
    return join(this.options.scratchDir, 'now-playing.txt');
  }

  /** Whether this program reads the DJ from that stream. */
  reads(stream: IngestStream): boolean {
    return sameStream(this.stream, stream);
  }

  /**
   * The DJ came back to the broadcast through another input (OBS before, Traktor now): the encoder,
   * waiting on the old one, is restarted at once on the new one; the slate covers the cut as for
   * any return. Nothing happens when it is the input already read.
   */
  follow(stream: IngestStream): void {
    if (this.stopped || sameStream(this.stream, stream)) return;
    this.logger.log(`the DJ is back through ${stream.protocol ?? 'rtmp'} (${stream.app}/${stream.streamName}): reading that from now on`);
    this.stream = stream;
    this.input = djInput(stream, this.options);
    this.inputKind = this.input.kind;
    this.silentInput = false;
    this.joinsRunningStream = false;
    // Our own kill, like a stall's: its exit is not the DJ leaving.
    this.restartedForStall = this.process?.restartNow() ?? false;
  }

  /**
   * A new track: the picture shows it from the next frame (the encoder reads the file at every
   * frame; it is replaced whole, by a rename, so it is never read half written), and the slate is
   * encoded again with it as the last track.
   */
  setNowPlaying(line: string): void {
    if (this.stopped || line === this.nowPlaying) return;
    this.nowPlaying = line;
    void this.writeNowPlaying().catch((error: unknown) => this.logger.error(`now playing not drawn: ${String(error)}`));
    if (this.slateRefresh) clearTimeout(this.slateRefresh);
    this.slateRefresh = setTimeout(() => {
      this.slateRefresh = null;
      this.slateRendering = this.slateRendering.then(() => this.prepareSlate());
    }, SLATE_REFRESH_DELAY_MS);
  }

  private async writeNowPlaying(): Promise<void> {
    const staging = `${this.nowPlayingFile}.next`;
    await writeFile(staging, this.nowPlaying ? pictureText(this.nowPlaying, 90) : '', 'utf8');
    await rename(staging, this.nowPlayingFile);
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
    this.layout = layout;
    this.logoPath = logoPath;
    await this.writeNowPlaying();
    const switcher = new ProgramSwitcher({
      broadcastId: job.broadcastId,
      ffmpegPath: this.options.ffmpegPath,
      programUrl: `${this.options.rtmpInternalUrl}/program/${job.broadcastId}`,
      fps: profile.fps,
      stallMs: this.options.stallMs,
      onSwitch: (source, reason) => this.options.onSourceChanged(source, reason),
      onLiveStalled: () => {
        this.logger.warn("the DJ's input stalled; restarting the encoder to wait for it afresh");
        // The DJ's connection may still be open: the new encoder joins their stream mid-GOP.
        this.joinsRunningStream = true;
        this.restartedForStall = this.process?.restartNow() ?? false;
      },
    });
    this.switcher = switcher;
    const liveUrl = await switcher.start();
    if (this.stopped) return;
    // Listening from the start even for a picture: an RTMP input may turn out to carry sound alone.
    const director = new VjDirector({
      scene: () => this.sceneOnAir,
      looks: vjLooks(job.vj.palette),
      beatsPerPhrase: job.vj.phraseBeats,
      send: (text) => this.process?.write(text) ?? false,
      onEvent: (event) => {
        if (event.kind === 'tempo') this.logger.log(`VJ: beat ${event.change}${event.bpm ? ` at ${event.bpm.toFixed(1)} BPM` : ''}`);
        else this.logger.debug(`VJ: look ${event.look} from ${event.at.toFixed(2)} s${event.beat !== null ? ` (beat ${event.beat})` : ' (no beat)'}`);
      },
    });
    this.director = director;
    const directorUrl = await director.listen().catch((error: Error) => {
      if (this.stopped) return null;
      throw error;
    });
    if (this.stopped || directorUrl === null) return;
    const args = () => {
      // The scene the machine's probe chose may come after an earlier run: each run takes the current one.
      this.sceneOnAir = this.options.vjScene(job.vj.scenes);
      return buildTranscodeArgs({
      encoder: this.options.encoder,
      inputKind: this.inputKind,
      vjScene: this.inputKind === 'audio-only' ? this.sceneOnAir : undefined,
      vjLook: director.currentLook(),
      vjDirectorUrl: directorUrl,
      silentInput: this.silentInput,
      probeSeconds: this.joinsRunningStream ? JOIN_PROBE_SECONDS : undefined,
      profile,
      inputUrl: this.input.url,
      inputHeaders: this.input.headers,
      outputUrl: liveUrl,
      layout,
      logoPath,
      nameCardPath,
      nowPlaying: { file: this.nowPlayingFile, fontFile: this.options.fontFile },
      });
    };

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
      if (info.requested) return;
      if (this.restartedForStall) {
        // Our own kill: what the input is stays as it was, and the next run joins mid-stream.
        this.restartedForStall = false;
        return;
      }
      if (this.inputKind === 'picture' && info.stderrTail.some((line) => NO_PICTURE.test(line))) {
        if (!this.joinsRunningStream) {
          // Maybe the picture's next keyframe was further away than the short probe: look longer once.
          this.joinsRunningStream = true;
        } else {
          // Sound alone (OBS audio only, a hardware encoder): the VJ makes the picture from now on.
          this.inputKind = 'audio-only';
          this.logger.log('the DJ sends sound without a picture: the automated VJ makes the picture');
        }
        process.retryNow();
        return;
      }
      if (!this.silentInput && info.stderrTail.some((line) => NO_SOUND.test(line))) {
        // A picture without sound (a camera feed, a misconfigured OBS): silence keeps the program's
        // sound track, which the slate has too.
        this.silentInput = true;
        this.logger.warn('the DJ sends a picture without sound: the program carries silence');
        process.retryNow();
        return;
      }
      // The next connection may bring a picture or sound again: it is looked at afresh (Icecast never has a picture).
      this.inputKind = this.input.kind;
      this.silentInput = false;
      this.joinsRunningStream = false;
      this.logger.log(`encoder exited (${describeExit(info)}); waiting for the DJ's input again`);
    });
    this.logger.log(`encoding ${this.input.label} → program/${job.broadcastId} with ${this.options.encoder.kind}${this.inputKind === 'audio-only' ? ' (sound only: the automated VJ makes the picture)' : ''}`);
    await process.start();
    // In the background: the DJ is on air meanwhile, and the slate is only needed once they drop.
    this.slateRendering = this.prepareSlate();
  }

  private async prepareSlate(): Promise<void> {
    const { job } = this.options;
    if (this.stopped || !this.layout) return;
    try {
      const slate = await renderSlate({
        encoder: this.options.encoder,
        profile: this.options.profile,
        layout: this.layout,
        logoPath: this.logoPath,
        fontFile: this.options.fontFile,
        audioLoopPath: this.options.slateAudioPath,
        ffmpegPath: this.options.ffmpegPath,
        directory: this.options.scratchDir,
        cacheDirectory: this.options.slateCacheDir,
        text: {
          organizationName: job.slate.organizationName,
          message: job.slate.message || `${job.djName} will be right back`,
          lastTrack: this.nowPlaying,
        },
      });
      if (this.stopped) return;
      this.switcher?.setSlate(slate);
      const match = this.switcher?.headersMatch();
      this.logger.log(`slate ready: ${(slate.durationMs / 1000).toFixed(1)} s loop${match ? `, sequence headers ${match.video && match.audio ? 'match' : 'DIFFER'} the DJ encode's` : ''}`);
    } catch (error) {
      if (!this.stopped) this.logger.error(`no slate for this broadcast: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** No graceful flush: another replica owns the program now. */
  async kill(reason: string): Promise<void> {
    this.logger.warn(`killing the encoder: ${reason}`);
    const process = this.process;
    this.stopped = true;
    if (this.slateRefresh) clearTimeout(this.slateRefresh);
    this.process = null;
    this.switcher?.closeSplicing();
    await process?.kill();
    await this.switcher?.kill();
    await this.director?.close();
    await rm(this.options.scratchDir, { recursive: true, force: true }).catch(() => undefined);
    this.finished();
  }

  async stop(reason: string): Promise<void> {
    if (this.stopped) return this.done;
    this.stopped = true;
    if (this.slateRefresh) clearTimeout(this.slateRefresh);
    const process = this.process;
    this.process = null;
    this.logger.log(`stopping: ${reason}`);
    this.switcher?.closeSplicing();
    await process?.stop();
    await this.switcher?.stop();
    await this.director?.close();
    await rm(this.options.scratchDir, { recursive: true, force: true });
    // The broadcast's program is over (a kill, by contrast, leaves them to the replica taking over).
    await rm(this.options.slateCacheDir, { recursive: true, force: true });
    this.finished();
  }
}

/** Per lease token: an owner that lost the program cleaning up never touches its successor's files. */
export function scratchDirectory(root: string, broadcastId: string, token: number): string {
  return join(root, 'transcoder', `${broadcastId}-${token}`);
}

function sameStream(a: IngestStream, b: IngestStream): boolean {
  return a.app === b.app && a.streamName === b.streamName && (a.protocol ?? 'rtmp') === (b.protocol ?? 'rtmp');
}
