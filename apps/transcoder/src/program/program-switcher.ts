import { Logger } from '@nestjs/common';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { describeExit, SupervisedProcess } from '@streamcaster/supervisor';
import { FlvFormatError, FlvTagReader } from './flv.js';
import { ProgramSplicer, type ProgramSource, type SlateLoop } from './program-splicer.js';

export interface ProgramSwitcherOptions {
  broadcastId: string;
  ffmpegPath: string;
  /** Where the program is published: rtmp://…/program/<broadcastId>. */
  programUrl: string;
  fps: number;
  stallMs: number;
  onSwitch: (source: Exclude<ProgramSource, 'none'>, reason: string) => void;
  /** The DJ's encoder went silent on air: restart it so that it picks the DJ up again. */
  onLiveStalled: () => void;
}

/** How often the splicer paces the slate and looks for a stall. */
const TICK_MS = 10;
/** A publisher this far behind is not keeping up (nginx gone): dropped, and it reconnects. */
const MAX_OUTPUT_BACKLOG_BYTES = 16 * 1024 * 1024;

/**
 * The one process-facing part of a program that never stops. The DJ's encoder writes FLV to the
 * live socket (one connection per encoder run); the splicer makes one continuous stream of it and of
 * the slate; one `ffmpeg -c copy` reads that from the output socket and publishes it as
 * `program/<broadcastId>` for the whole broadcast, so nginx-rtmp, the relays, the platforms and the
 * recorder see one publish, whatever the DJ does. Both sockets listen on 127.0.0.1 only.
 */
export class ProgramSwitcher {
  private readonly logger: Logger;
  private readonly splicer: ProgramSplicer;
  private liveServer: Server | null = null;
  private outputServer: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private publisher: SupervisedProcess | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: ProgramSwitcherOptions) {
    this.logger = new Logger(`program:${options.broadcastId.slice(0, 8)}`);
    this.splicer = new ProgramSplicer({
      frameMs: 1000 / options.fps,
      stallMs: options.stallMs,
      // At the start the DJ is there: the slate waits for their first picture a while.
      firstPictureWaitMs: 5_000,
      now: () => performance.now(),
      onSwitch: (source, reason) => {
        if (this.closed) return;
        this.logger.log(`program → ${source}: ${reason}`);
        options.onSwitch(source, reason);
      },
      onLiveStalled: () => {
        if (!this.closed) options.onLiveStalled();
      },
    });
  }

  get onAir(): ProgramSource {
    return this.splicer.onAir;
  }

  headersMatch(): { video: boolean; audio: boolean } | null {
    return this.splicer.headersMatch();
  }

  /** Opens the two sockets and starts the publisher; resolves with the URL the DJ's encoder writes to. */
  async start(): Promise<string> {
    this.liveServer = await listen((socket) => this.acceptLive(socket));
    this.outputServer = await listen((socket) => this.acceptOutput(socket));
    const outputPort = (this.outputServer.address() as AddressInfo).port;
    this.publisher = new SupervisedProcess({
      name: `program-publisher:${this.options.broadcastId}`,
      command: this.options.ffmpegPath,
      args: [
        '-hide_banner', '-nostdin', '-loglevel', 'warning',
        // The stream starts with both sequence headers: nothing to guess, nothing to wait for.
        '-fflags', '+nobuffer', '-analyzeduration', '1000000', '-fpsprobesize', '0',
        '-f', 'flv', '-i', `tcp://127.0.0.1:${outputPort}`,
        '-map', '0', '-c', 'copy',
        '-f', 'flv', '-flvflags', 'no_duration_filesize',
        this.options.programUrl,
      ],
      restart: 'always',
      backoff: { initialMs: 250, maxMs: 2_000, resetAfterMs: 10_000 },
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 5_000,
      repeatStopSignalAfterMs: 500,
    });
    this.publisher.on('line', (stream, line) => {
      if (stream === 'stderr' && line.trim()) this.logger.debug(line);
    });
    this.publisher.on('exit', (info) => {
      if (!info.requested) this.logger.warn(`the program publisher exited (${describeExit(info)}); it reconnects`);
    });
    await this.publisher.start();
    this.ticker = setInterval(() => this.splicer.tick(), TICK_MS);
    return `tcp://127.0.0.1:${(this.liveServer.address() as AddressInfo).port}`;
  }

  setSlate(slate: SlateLoop): void {
    if (!this.closed) this.splicer.setSlate(slate);
  }

  /**
   * The end: no more switching (the DJ's encoder stopping first must not put the slate on air), then
   * the publisher ends its stream properly, so that nginx-rtmp and the platforms see an end.
   */
  async stop(): Promise<void> {
    this.closeSplicing();
    const stopped = this.publisher?.stop();
    // The end of its input is what makes ffmpeg finish the stream (a signal may wait on a read).
    for (const socket of this.sockets) socket.end();
    await stopped;
    this.closeSockets();
  }

  /** Another replica owns the program now: gone at once. */
  async kill(): Promise<void> {
    this.closeSplicing();
    await this.publisher?.kill();
    this.closeSockets();
  }

  /** From now on the DJ's encoder ending is the end, not a drop. */
  closeSplicing(): void {
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.splicer.close();
  }

  private acceptLive(socket: Socket): void {
    this.track(socket);
    const feed = this.splicer.connectLive();
    const reader = new FlvTagReader((tag) => feed.tag(tag));
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        const reason = error instanceof FlvFormatError ? error.message : String(error);
        this.logger.error(`the DJ's encoder sent what is not FLV (${reason}); dropping that connection`);
        feed.end(reason);
        socket.destroy();
      }
    });
    socket.on('close', () => feed.end('its connection closed'));
  }

  private acceptOutput(socket: Socket): void {
    this.track(socket);
    const remove = this.splicer.addOutput({
      write: (chunk) => {
        if (socket.writableLength > MAX_OUTPUT_BACKLOG_BYTES) {
          this.logger.warn(`the program publisher is ${socket.writableLength} bytes behind; dropping it`);
          socket.destroy();
          return;
        }
        socket.write(chunk);
      },
    });
    socket.on('close', remove);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private closeSockets(): void {
    for (const socket of this.sockets) socket.destroy();
    this.liveServer?.close();
    this.outputServer?.close();
  }
}

function listen(onConnection: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ noDelay: true }, onConnection);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
