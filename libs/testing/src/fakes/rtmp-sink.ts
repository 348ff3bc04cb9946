import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderTemplate } from '@streamcaster/stack';
import { freePort } from '../free-port.js';
import { runOnce, SupervisedProcess } from '@streamcaster/supervisor';

/** nginx-rtmp's publish notifications, as a platform's ingest tells its backend who starts and stops. */
export interface RtmpSinkHooks {
  /**
   * `on_publish`: nginx POSTs the publish as a form (`name` without its query, `clientid`, `tcurl`,
   * ..., then every parameter of the stream name's query, such as `bandwidthtest=true`); a 2xx answer
   * lets the publisher in, any other refuses it.
   */
  onPublish: string;
  /** `on_publish_done`: the same form once the publisher has gone. */
  onPublishDone: string;
}

/**
 * A platform's RTMP ingest, for the tests: a real nginx-rtmp that records everything published to
 * it, and for RTMPS a real stunnel in front of it terminating TLS, as the platforms' edges do.
 * Only a publish to `<url>/<streamKey>` counts as received: a wrong key lands in another file.
 */
export class RtmpSink {
  readonly streamKey = `key_${randomBytes(8).toString('hex')}`;
  private readonly processes: SupervisedProcess[] = [];
  private rtmpPort = 0;
  private tlsPort = 0;
  private statPort = 0;

  constructor(
    readonly name: string,
    private readonly directory: string,
    private readonly tls = false,
    private readonly hooks?: RtmpSinkHooks,
  ) {}

  get url(): string {
    return this.tls ? `rtmps://127.0.0.1:${this.tlsPort}/app` : `rtmp://127.0.0.1:${this.rtmpPort}/app`;
  }

  /** The plain RTMP address, also when the sink has RTMPS in front (a platform hands out both). */
  get rtmpUrl(): string {
    return `rtmp://127.0.0.1:${this.rtmpPort}/app`;
  }

  /** nginx-rtmp's statistics page: which stream names publish now and how many bytes came in. */
  get statUrl(): string {
    return `http://127.0.0.1:${this.statPort}/stat`;
  }

  get recordDirectory(): string {
    return join(this.directory, 'records');
  }

  /** Picks the ports without listening yet, so that a destination can point at a sink that is down. */
  async reservePorts(): Promise<void> {
    this.rtmpPort ||= await freePort();
    this.statPort ||= await freePort();
    if (this.tls) this.tlsPort ||= await freePort();
  }

  async start(): Promise<void> {
    await this.reservePorts();
    mkdirSync(this.recordDirectory, { recursive: true });
    // nginx's worker (nobody) writes the recordings.
    chmodSync(this.recordDirectory, 0o777);
    const config = join(this.directory, 'nginx.conf');
    writeFileSync(
      config,
      [
        'daemon off;',
        `pid ${join(this.directory, 'nginx.pid')};`,
        `error_log ${join(this.directory, 'nginx.log')} info;`,
        'load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;',
        'events { worker_connections 256; }',
        'rtmp { server {',
        `  listen 127.0.0.1:${this.rtmpPort};`,
        '  application app {',
        '    live on;',
        `    record all; record_path ${this.recordDirectory}; record_unique on;`,
        ...(this.hooks ? [`    on_publish ${this.hooks.onPublish};`, `    on_publish_done ${this.hooks.onPublishDone};`] : []),
        '  }',
        '} }',
        'http {',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(this.directory, kind)};`),
        `  server { listen 127.0.0.1:${this.statPort}; location /stat { rtmp_stat all; } }`,
        '}',
      ].join('\n'),
    );
    const nginx = new SupervisedProcess({
      name: `sink-${this.name}`,
      command: 'nginx',
      args: ['-c', config, '-p', this.directory, '-e', join(this.directory, 'nginx.log')],
      restart: 'never',
      readiness: { kind: 'tcp', host: '127.0.0.1', port: this.rtmpPort },
      stopSignal: 'SIGQUIT',
    });
    this.processes.push(nginx);
    await nginx.start();
    if (this.tls) await this.startTlsTerminator();
  }

  async stop(): Promise<void> {
    for (const process of this.processes.reverse()) await process.stop();
    this.processes.length = 0;
  }

  /** FLV files recorded for the right stream key, largest first. */
  recordings(): string[] {
    return this.files()
      .filter((name) => name.startsWith(`${this.streamKey}-`))
      .map((name) => join(this.recordDirectory, name))
      .sort((a, b) => statSync(b).size - statSync(a).size);
  }

  /** Bytes received under any stream key: a sink that must get nothing must have 0 here. */
  bytesReceived(): number {
    return this.files().reduce((total, name) => total + statSync(join(this.recordDirectory, name)).size, 0);
  }

  private files(): string[] {
    try {
      return readdirSync(this.recordDirectory).filter((name) => name.endsWith('.flv'));
    } catch {
      return [];
    }
  }

  private async startTlsTerminator(): Promise<void> {
    const cert = join(this.directory, 'cert.pem');
    const key = join(this.directory, 'key.pem');
    const made = await runOnce('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost']);
    if (made.code !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
    const config = join(this.directory, 'stunnel.conf');
    const template = readFileSync(resolve('infra/stunnel/stunnel.conf.template'), 'utf8');
    writeFileSync(
      config,
      renderTemplate(template, { ACCEPT: `127.0.0.1:${this.tlsPort}`, CONNECT: `127.0.0.1:${this.rtmpPort}`, CERT_FILE: cert, KEY_FILE: key }),
    );
    const stunnel = new SupervisedProcess({
      name: `sink-${this.name}-tls`,
      command: 'stunnel4',
      args: [config],
      restart: 'never',
      readiness: { kind: 'tcp', host: '127.0.0.1', port: this.tlsPort },
    });
    this.processes.push(stunnel);
    await stunnel.start();
  }
}
