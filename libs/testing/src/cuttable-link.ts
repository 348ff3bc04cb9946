import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './free-port.js';

/**
 * A TCP link to a real server (NATS, PostgreSQL) that a test can cut and restore: cut, every open
 * connection is reset and the port refuses new ones, as when the server is down or the network
 * between is gone; restored, the same port forwards again. Clients see a real outage and reconnect
 * by themselves.
 */
export class CuttableLink {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A link on a free local port to `target` (host:port). */
  static async open(target: { host: string; port: number }): Promise<CuttableLink> {
    const link = new CuttableLink(await freePort(), target.host, target.port);
    await link.restore();
    return link;
  }

  /** e.g. nats://127.0.0.1:<port> for a link to NATS. */
  url(scheme: string): string {
    return `${scheme}://127.0.0.1:${this.port}`;
  }

  get isUp(): boolean {
    return this.server !== null;
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.resetAndDestroy();
    await closed;
  }
}
