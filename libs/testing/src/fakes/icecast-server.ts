import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { ICECAST_READER_USER } from '@streamcaster/contracts';
import { renderIcecastConfig } from '@streamcaster/stack';
import { SupervisedProcess } from '@streamcaster/supervisor';
import { freePort } from '../free-port.js';

export interface IcecastServerOptions {
  /**
   * The gateway's hook base (HOOK_URL, without /icecast): Icecast POSTs to `<base>/icecast/source`,
   * `/icecast/mount` and `/icecast/listener`, each with `?secret=<hookSecret>`. Without it, a hook
   * of the server's own lets every source in on /live/* and /test/*, and only the listener that
   * presents `readerCredentials`: what a service test needs that only wants audio to read.
   */
  hookBaseUrl?: string;
  /** The hooks' shared secret, sent as `?secret=`. */
  hookSecret?: string;
}

/**
 * One mount of `/status-json.xsl`, as Icecast 2.4.4 writes it. Byte counters (total_bytes_read, ...)
 * are only on the admin's `/admin/stats` (XML).
 */
export interface IcecastMountStatus {
  listenurl: string;
  listeners?: number;
  listener_peak?: number;
  /** Ogg Vorbis: the ARTIST comment of the current logical stream. */
  artist?: string;
  /** Ogg Vorbis: TITLE; MP3 and AAC: the `song` of the last /admin/metadata update. */
  title?: string;
  /** The source's Content-Type: audio/ogg, audio/mpeg, audio/aac. */
  server_type?: string;
  /** Ogg only: the codec (Vorbis, Opus). */
  subtype?: string;
  stream_start_iso8601?: string;
  [field: string]: unknown;
}

/**
 * The real icecast2 (Debian's 2.4.4) with StreamCaster's production configuration
 * (infra/icecast/icecast.xml.template, rendered by @streamcaster/stack), started as the container
 * starts it: by root, in the foreground, dropping to nobody:nogroup itself (`<changeowner>`; `npm
 * start` uses setpriv instead, see icecastProcess). Sources and listeners on /live/* and /test/* are
 * authenticated by the hooks at `hookBaseUrl`. Started by root, icecast keeps running when its parent is
 * SIGKILLed (changing user clears the kernel's parent-death signal): `stop()` it.
 */
export class IcecastServer {
  private constructor(
    private readonly icecast: SupervisedProcess,
    private readonly ownHook: Server | undefined,
    /** http://127.0.0.1:<port>: sources PUT to `${url}/live/<dj>`, listeners GET the same. */
    readonly url: string,
    readonly adminPassword: string,
    /** The user and password that the server's own hook lets listen (only without `hookBaseUrl`). */
    readonly readerCredentials: { user: string; password: string },
    /** Icecast's own log (loglevel 3: sources logging in, refusals). */
    readonly errorLog: string,
    readonly accessLog: string,
    readonly pidFile: string,
  ) {}

  static async start(directory: string, options: IcecastServerOptions = {}): Promise<IcecastServer> {
    const port = await freePort();
    const runDir = join(directory, 'run');
    const logDir = join(directory, 'logs');
    await mkdir(runDir, { recursive: true });
    await mkdir(logDir, { recursive: true });
    // Icecast opens its logs after it became nobody: it must reach the folder (the directory's own
    // parents must let others through too; mkdtemp makes its folder 700) and write in it.
    await chmod(directory, 0o711);
    await chmod(logDir, 0o777);

    // The transcoder's own listener name, so that a transcoder under test reads with its configured password.
    const readerCredentials = { user: ICECAST_READER_USER, password: randomBytes(12).toString('hex') };
    const hookSecret = options.hookSecret ?? randomBytes(12).toString('hex');
    let ownHook: Server | undefined;
    let hookBaseUrl = options.hookBaseUrl;
    if (!hookBaseUrl) {
      ownHook = await startPermissiveHook(hookSecret, readerCredentials);
      const address = ownHook.address();
      if (typeof address !== 'object' || !address) throw new Error('icecast: the hook has no address');
      hookBaseUrl = `http://127.0.0.1:${address.port}/api/hooks`;
    }

    const adminPassword = randomBytes(12).toString('hex');
    const rendered = renderIcecastConfig({
      root: resolve('.'),
      runDir,
      logDir,
      port,
      bindAddress: '127.0.0.1',
      hookUrl: hookBaseUrl,
      hookSecret,
      adminPassword,
      relayPassword: randomBytes(12).toString('hex'),
    });
    const config = join(directory, 'icecast.xml');
    // Mode 600: the rendered file holds the hooks' secret and the admin password.
    await writeFile(config, rendered, { mode: 0o600 });

    const icecast = new SupervisedProcess({
      name: 'icecast',
      command: 'icecast2',
      args: ['-c', config],
      restart: 'never',
      readiness: { kind: 'tcp', host: '127.0.0.1', port },
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 3_000,
    });
    try {
      await icecast.start();
    } catch (error) {
      ownHook?.close();
      throw error;
    }
    return new IcecastServer(
      icecast,
      ownHook,
      `http://127.0.0.1:${port}`,
      adminPassword,
      readerCredentials,
      join(logDir, 'icecast-error.log'),
      join(logDir, 'icecast-access.log'),
      join(runDir, 'icecast.pid'),
    );
  }

  get pid(): number | undefined {
    return this.icecast.pid;
  }

  /** Icecast's public status page, which the stats service and the gateway read. */
  statusUrl(): string {
    return `${this.url}/status-json.xsl`;
  }

  /**
   * The mounts a source feeds now. `/status-json.xsl` of 2.4.4 writes `source` as an object when there
   * is one mount, an array when there are more, and leaves it out when there is none.
   */
  async mounts(): Promise<IcecastMountStatus[]> {
    const response = await fetch(this.statusUrl());
    if (!response.ok) throw new Error(`icecast status: HTTP ${response.status}`);
    const body = (await response.json()) as { icestats?: { source?: IcecastMountStatus | IcecastMountStatus[] } };
    const source = body.icestats?.source;
    if (!source) return [];
    return Array.isArray(source) ? source : [source];
  }

  /** The status of one mount (`/live/dj-a`), or undefined while no source feeds it. */
  async mount(mount: string): Promise<IcecastMountStatus | undefined> {
    return (await this.mounts()).find((entry) => new URL(entry.listenurl).pathname === mount);
  }

  /**
   * Bytes Icecast has read from the mount's source so far (`/admin/stats`, with the admin's password;
   * Icecast refreshes the figure every 5 s), or undefined while no source feeds it.
   */
  async bytesRead(mount: string): Promise<number | undefined> {
    const response = await fetch(`${this.url}/admin/stats?mount=${encodeURIComponent(mount)}`, {
      headers: { authorization: `Basic ${Buffer.from(`admin:${this.adminPassword}`).toString('base64')}` },
    });
    if (!response.ok) throw new Error(`icecast admin stats: HTTP ${response.status}`);
    const xml = await response.text();
    const source = xml.split('<source mount="').find((part) => part.startsWith(`${mount}"`));
    const bytes = source && /<total_bytes_read>(\d+)<\/total_bytes_read>/.exec(source)?.[1];
    return bytes ? Number(bytes) : undefined;
  }

  async stop(): Promise<void> {
    await this.icecast.stop();
    await new Promise<void>((done) => (this.ownHook ? this.ownHook.close(() => done()) : done()));
  }
}

/** Lets every source in, and the one reader; the secret is checked as the gateway checks it. */
function startPermissiveHook(secret: string, reader: { user: string; password: string }): Promise<Server> {
  const server = createServer((request, response) => {
    void readIcecastHookForm(request).then((fields) => {
      const url = new URL(request.url ?? '/', 'http://hook');
      if (url.searchParams.get('secret') !== secret) {
        response.writeHead(403).end();
        return;
      }
      const action = fields.get('action');
      const admitted =
        action === 'stream_auth' ||
        action === 'mount_add' ||
        action === 'mount_remove' ||
        action === 'listener_remove' ||
        (action === 'listener_add' && fields.get('user') === reader.user && fields.get('pass') === reader.password);
      response.writeHead(200, admitted ? { 'icecast-auth-user': '1' } : { 'icecast-auth-message': 'not StreamCaster' }).end();
    });
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done(server));
  });
}

/** Icecast's hooks are `application/x-www-form-urlencoded` POSTs. */
export async function readIcecastHookForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
