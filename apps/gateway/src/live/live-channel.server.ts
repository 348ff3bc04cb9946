import { Injectable, Logger, UnauthorizedException, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LIVE_AUTH_TIMEOUT_MS, LIVE_CHANNEL_PATH, LIVE_CLOSE, LIVE_HEARTBEAT_MS, LIVE_MAX_CLIENT_MESSAGE_BYTES } from '@streamcaster/contracts';
import { BusRequestError } from '@streamcaster/service-kit';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { AccessTokenVerifier } from '../auth/access-tokens.js';
import { liveClients, liveSlowClientsDropped } from '../metrics/live.metrics.js';
import { LiveSession, LiveTokenRefused } from './live-session.js';
import { LiveTopicsService } from './live-topics.service.js';
import { systemClock } from './topic-coalescer.js';

/** The live channel's limits; the defaults are the protocol's (libs/contracts live-channel.ts). */
export class LiveChannelOptions {
  heartbeatMs = LIVE_HEARTBEAT_MS;
  authTimeoutMs = LIVE_AUTH_TIMEOUT_MS;
  coalesceMs = 1_000;
  /** Far above what a client that keeps up ever has queued (a second of every topic), far below harm. */
  maxBufferedBytes = 1024 * 1024;
  /** How long a closing socket may take to say goodbye at shutdown before it is cut. */
  shutdownGraceMs = 1_000;
}

interface Client {
  socket: WebSocket;
  session: LiveSession;
  /** Answered the last ping. */
  alive: boolean;
}

/**
 * The WebSocket of `/api/live` on the gateway's public HTTP server (not on the hooks' listener, which
 * refuses every upgrade). Sockets, heartbeat and shutdown live here; the protocol is LiveSession's.
 */
@Injectable()
export class LiveChannelServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LiveChannelServer.name);
  private readonly clients = new Set<Client>();
  private readonly sockets = new WebSocketServer({
    noServer: true,
    // Larger frames are refused with 1009 before they are read.
    maxPayload: LIVE_MAX_CLIENT_MESSAGE_BYTES,
    // Compression costs CPU per client and message; the states are small and sent to many.
    perMessageDeflate: false,
  });
  private server: Server | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly tokens: AccessTokenVerifier,
    private readonly topics: LiveTopicsService,
    private readonly options: LiveChannelOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Before the HTTP server closes: it would otherwise wait for every open socket. */
  async beforeApplicationShutdown(): Promise<void> {
    this.server?.off('upgrade', this.onUpgrade);
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.session.close(LIVE_CLOSE.goingAway, 'the gateway is shutting down; reconnect');
    const deadline = Date.now() + this.options.shutdownGraceMs;
    while (this.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const client of this.clients) client.socket.terminate();
    await new Promise<void>((resolve) => this.sockets.close(() => resolve()));
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(request.url ?? '/', 'http://gateway').pathname;
    if (path !== LIVE_CHANNEL_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.sockets.handleUpgrade(request, socket, head, (webSocket) => this.accept(webSocket));
  }

  private accept(socket: WebSocket): void {
    const session = new LiveSession(socket, {
      verify: (token) => this.verify(token),
      topics: this.topics,
      authTimeoutMs: this.options.authTimeoutMs,
      coalesceMs: this.options.coalesceMs,
      maxBufferedBytes: this.options.maxBufferedBytes,
      clock: systemClock,
      describeError: (error) => (error instanceof BusRequestError ? error.message : 'the gateway could not answer; try again'),
      onInternalError: (error) => this.logger.error(`live channel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
      onDropped: () => liveSlowClientsDropped.inc(),
    });
    const client: Client = { socket, session, alive: true };
    this.clients.add(client);
    liveClients.inc();
    socket.on('message', (frame, isBinary) => session.receive(frame, isBinary));
    socket.on('pong', () => (client.alive = true));
    // ws closes the socket itself after an error (1009 for an oversized frame, 1002 for a broken one).
    socket.on('error', (error) => this.logger.debug(`live channel socket: ${error.message}`));
    socket.on('close', () => {
      session.ended();
      if (this.clients.delete(client)) liveClients.dec();
    });
  }

  private async verify(token: string) {
    try {
      const { user, expiresAt } = await this.tokens.verifyWithExpiry(token);
      return { user: { id: user.id, role: user.role, djId: user.djId }, expiresAt };
    } catch (error) {
      if (error instanceof UnauthorizedException) throw new LiveTokenRefused(error.message);
      throw error;
    }
  }

  /** A client that did not answer the previous ping is gone (a dead network does not close sockets). */
  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }
}
