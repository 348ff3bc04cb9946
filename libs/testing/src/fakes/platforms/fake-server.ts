import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { parseRtmpStat } from '@streamcaster/service-kit';
import type { RtmpSink } from '../rtmp-sink.js';
import type { OAuthAuthority } from './oauth-authority.js';

/** The bytes in of each stream name that publishes at a fake's ingest now, as its /stat shows them. */
export type PublishingStreams = ReadonlyMap<string, number>;

export interface FakeServerOptions {
  /** The fake's ingest, started first and stopped last. */
  sink: RtmpSink;
  /** The fake's answer to every HTTP request. */
  route: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  /** How often the ingest's /stat is read (250 ms). */
  ingestPollMs?: number;
  /** What the platform makes of the streams publishing (a stream active, a channel live...). */
  onIngest: (publishing: PublishingStreams) => void;
}

/**
 * What a platform fake runs around its API (YouTube, Facebook, Kick; Twitch listens on its own
 * terms and uses the pieces below): its real ingest, one HTTP server on 127.0.0.1 at a free port,
 * and the reading of the ingest's /stat that drives the platform's state.
 */
export class FakeServer {
  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>`, without a trailing slash. */
    readonly baseUrl: string,
    private readonly sink: RtmpSink,
    private readonly poller: NodeJS.Timeout,
  ) {}

  static async start(options: FakeServerOptions): Promise<FakeServer> {
    await options.sink.start();
    const server = createServer((request, response) => void options.route(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return new FakeServer(server, baseUrl, options.sink, pollIngest(options.sink, options.ingestPollMs, options.onIngest));
  }

  async stop(): Promise<void> {
    clearInterval(this.poller);
    await closeServer(this.server);
    await this.sink.stop();
  }
}

/**
 * A platform fake served by one `FakeServer` (YouTube, Facebook, Kick): it keeps the server, the
 * ingest and the whole URLs of the OAuth endpoints; the platform answers every request (`route`)
 * and makes its state of what its ingest receives (`followIngest`).
 */
export abstract class LoopbackPlatformFake {
  private server: FakeServer | undefined;

  protected constructor(
    readonly oauth: OAuthAuthority,
    protected readonly sink: RtmpSink,
  ) {}

  /** The whole authorize page URL (the platform's `*_AUTH_URL`). */
  get authUrl(): string {
    return `${this.baseUrl}${this.oauth.authorizePath}`;
  }

  /** The whole token endpoint URL. */
  get tokenUrl(): string {
    return `${this.baseUrl}${this.oauth.tokenPath}`;
  }

  /** The fake's ingest, for tests that look at what was recorded. */
  get ingest(): RtmpSink {
    return this.sink;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  /** `http://127.0.0.1:<port>` once started. */
  protected get baseUrl(): string {
    return this.server?.baseUrl ?? '';
  }

  /** Starts the ingest and the server; the platform's static `start` calls it once constructed. */
  protected async serve(ingestPollMs: number | undefined): Promise<this> {
    this.server = await FakeServer.start({
      sink: this.sink,
      route: (request, response) => this.route(request, response),
      ingestPollMs,
      onIngest: (publishing) => this.followIngest(publishing),
    });
    return this;
  }

  protected abstract route(request: IncomingMessage, response: ServerResponse): Promise<void>;

  protected abstract followIngest(publishing: PublishingStreams): void;
}

/** Closes a fake's server now: a client's keep-alive connections would otherwise hold it open. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Reads the ingest's /stat every `everyMs` (250 ms by default) and hands the streams publishing to
 * `apply`. A read that gets no answer (nginx starting or stopping) is skipped.
 */
export function pollIngest(sink: RtmpSink, everyMs: number | undefined, apply: (publishing: PublishingStreams) => void): NodeJS.Timeout {
  const read = async (): Promise<void> => {
    let xml: string;
    try {
      xml = await (await fetch(sink.statUrl)).text();
    } catch {
      return;
    }
    apply(new Map(parseRtmpStat(xml).filter((stream) => stream.publishing).map((stream) => [stream.name, stream.bytesIn])));
  };
  return setInterval(() => void read(), everyMs ?? 250);
}

/** How many times a fake answered each of its calls, for tests that check what was sent (or not). */
export class CallCounter<Call extends string> {
  private readonly counts = new Map<Call, number>();

  count(call: Call): void {
    this.counts.set(call, this.of(call) + 1);
  }

  /** Calls answered so far, of one kind or all. */
  of(call?: Call): number {
    if (call !== undefined) return this.counts.get(call) ?? 0;
    return [...this.counts.values()].reduce((total, count) => total + count, 0);
  }
}
