import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { register } from 'prom-client';

export interface MetricsListenOptions {
  host: string;
  /** 0: any free port (the tests, several replicas on one machine); see `url` for the one taken. */
  port: number;
}

/**
 * A listener of its own for Prometheus (`GET /metrics`, nothing else), apart from any API: the bus
 * services have no HTTP server, and the gateway's public port need not show its internals.
 */
export class MetricsServer {
  private readonly logger = new Logger('Metrics');
  private server: Server | null = null;

  constructor(private readonly options: MetricsListenOptions) {}

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('only GET /metrics is served here\n');
        return;
      }
      register.metrics().then(
        (text) => response.writeHead(200, { 'content-type': register.contentType }).end(request.method === 'HEAD' ? undefined : text),
        (error: unknown) => {
          this.logger.error(`metrics could not be collected: ${(error as Error).message}`);
          response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics could not be collected; see the service log\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`the metrics listener cannot listen on ${this.options.host}:${this.options.port} (METRICS_HOST, METRICS_PORT): ${error.code ?? error.message}`)),
      );
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
    this.logger.log(`Prometheus metrics on ${this.url}`);
  }

  /** Where it listens, with the port the system chose when asked for 0. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the metrics listener is not running');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/metrics`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    // A scraper's keep-alive connection would hold close() open until it times out.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
