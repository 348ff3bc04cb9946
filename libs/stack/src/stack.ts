import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { SupervisedProcess } from '@streamcaster/supervisor';
import { ensureDatabase } from './database.js';
import { CONSOLE_ONLY_MARKER } from '@streamcaster/service-kit';
import { icecastProcess } from './icecast.js';
import { nginxRtmpProcess } from './nginx-rtmp.js';

/** The servers DJs send to; their hooks must reach the gateway until they are gone. */
const INGEST_SERVERS = ['nginx-rtmp', 'icecast'];

export const SERVICES = ['gateway', 'publisher', 'transcoder', 'recorder', 'stats'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface StackOptions {
  /** Repository root (dist/ and infra/ are found from it). */
  root: string;
  /** Where logs, rendered configs and pid files go. */
  runDir: string;
  dataDir: string;
  gatewayPort: number;
  rtmpPort: number;
  rtmpStatPort: number;
  databaseUrl: string;
  natsUrl: string;
  redisUrl: string;
  subjectPrefix: string;
  queuePrefix: string;
  jwtSecret: string;
  secretKey: string;
  /** The internal listener of the gateway's ingest hooks, and the secret nginx and Icecast send them. */
  hooksPort: number;
  hooksSecret: string;
  /**
   * Icecast, the ingest of audio-only DJs (Traktor): its port, the password of the one listener it
   * lets in (the transcoder's reader), and its admin's and relay's passwords.
   */
  icecast: { port: number; readerPassword: string; adminPassword: string; relayPassword: string };
  /** Replicas of each bus service (the fault tests run two); the gateway runs once. */
  replicas?: Partial<Record<Exclude<ServiceName, 'gateway'>, number>>;
  /**
   * The services' metrics listeners: each on its own default port (9464...; a second replica on any
   * free one), or all on free ports (the tests, which run beside `npm start`).
   */
  metricsPorts?: 'defaults' | 'free';
  /** Variables for every service (admin, grace period, encoder profile...). */
  env?: NodeJS.ProcessEnv;
  /** nginx-rtmp's log level; see NginxRtmpOptions.logLevel. */
  nginxLogLevel?: 'notice' | 'info';
  /** Called with each line a service or nginx prints, e.g. to echo it on the console. */
  onLine?: (source: string, line: string) => void;
}

/**
 * The whole system on one machine: nginx-rtmp, Icecast and the five services, each supervised (restarted if
 * it dies), each logging to runDir/logs/<name>.log. Used by `npm start` and by the end-to-end tests.
 */
export class Stack {
  private readonly processes: Array<{ name: string; process: SupervisedProcess }> = [];
  private readonly logs: WriteStream[] = [];

  constructor(readonly options: StackOptions) {}

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.options.gatewayPort}`;
  }

  get logDir(): string {
    return join(this.options.runDir, 'logs');
  }

  async start(): Promise<void> {
    const { options } = this;
    mkdirSync(this.logDir, { recursive: true });
    mkdirSync(options.dataDir, { recursive: true });
    await ensureDatabase(options.databaseUrl);

    // The gateway first: it migrates its schema and creates the first admin, and nginx's hooks need it.
    await this.launch('gateway', this.serviceProcess('gateway'));
    await this.launch(
      'nginx-rtmp',
      nginxRtmpProcess({
        root: options.root,
        runDir: join(options.runDir, 'nginx-rtmp'),
        logDir: this.logDir,
        rtmpPort: options.rtmpPort,
        statPort: options.rtmpStatPort,
        hookUrl: `http://127.0.0.1:${options.hooksPort}/api/hooks/nginx-rtmp`,
        hookSecret: options.hooksSecret,
        previewDir: join(options.dataDir, 'preview'),
        logLevel: options.nginxLogLevel,
      }),
    );
    await this.launch(
      'icecast',
      icecastProcess({
        root: options.root,
        runDir: join(options.runDir, 'icecast'),
        logDir: join(this.logDir, 'icecast'),
        port: options.icecast.port,
        hookUrl: `http://127.0.0.1:${options.hooksPort}/api/hooks`,
        hookSecret: options.hooksSecret,
        adminPassword: options.icecast.adminPassword,
        relayPassword: options.icecast.relayPassword,
      }),
    );
    const replicas = (['publisher', 'transcoder', 'recorder', 'stats'] as const).flatMap((service) =>
      Array.from({ length: options.replicas?.[service] ?? 1 }, (_, index) => ({ service, name: index === 0 ? service : `${service}-${index + 1}` })),
    );
    await Promise.all(replicas.map(({ service, name }) => this.launch(name, this.serviceProcess(service, name))));
    await this.waitUntilReady();
  }

  /**
   * Resolves once the gateway's readiness check passes (PostgreSQL, Redis, NATS, nginx-rtmp and every
   * service answer); throws with what is still missing after `timeoutMs`.
   */
  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'the gateway did not answer';
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${this.gatewayUrl}/api/health/ready`, { signal: AbortSignal.timeout(3_000) });
        if (response.ok) return;
        last = ((await response.json()) as { message?: string }).message ?? `HTTP ${response.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`StreamCaster is not ready after ${timeoutMs} ms: ${last}`);
  }

  /**
   * Stops the ingest servers (nginx-rtmp, Icecast) first, so that every DJ's on_publish_done or
   * mount_remove still reaches a running gateway and publisher (their broadcasts then end after the
   * grace period, from Redis, even across a restart), then the services in reverse order of start.
   * Resolves when no process is left.
   */
  async stop(): Promise<void> {
    const ingest = (name: string) => Number(INGEST_SERVERS.includes(name));
    const order = [...this.processes].reverse().sort((a, b) => ingest(b.name) - ingest(a.name));
    for (const { name, process } of order) {
      await process.stop();
      // Let the hooks the server sent on its way out travel through gateway and bus.
      if (INGEST_SERVERS.includes(name)) await new Promise((settle) => setTimeout(settle, 1_000));
    }
    this.processes.length = 0;
    await Promise.all(this.logs.map((log) => new Promise((resolve) => log.end(resolve))));
    this.logs.length = 0;
  }

  process(name: string): SupervisedProcess | undefined {
    return this.processes.find((entry) => entry.name === name)?.process;
  }

  /** Every process of one service, replicas included (`publisher`, `publisher-2`...). */
  replicasOf(service: ServiceName): SupervisedProcess[] {
    return this.processes.filter((entry) => entry.name === service || entry.name.startsWith(`${service}-`)).map((entry) => entry.process);
  }

  private serviceProcess(service: ServiceName, name: string = service): SupervisedProcess {
    const { options } = this;
    return new SupervisedProcess({
      name,
      command: process.execPath,
      // A 2 MB young generation instead of 16: these are control-plane services, and it keeps each
      // one's idle RSS near 120 MB instead of 160 (see bench/README.md).
      args: ['--max-semi-space-size=2', join(options.root, 'dist/apps', service, 'src/main.js')],
      cwd: options.root,
      env: {
        ...process.env,
        ...options.env,
        NO_COLOR: '1',
        DATABASE_URL: options.databaseUrl,
        NATS_URL: options.natsUrl,
        NATS_SUBJECT_PREFIX: options.subjectPrefix,
        REDIS_URL: options.redisUrl,
        QUEUE_PREFIX: options.queuePrefix,
        STREAMCASTER_DATA_DIR: options.dataDir,
        RTMP_INTERNAL_URL: `rtmp://127.0.0.1:${options.rtmpPort}`,
        RTMP_STAT_URL: `http://127.0.0.1:${options.rtmpStatPort}/stat`,
        GATEWAY_PORT: String(options.gatewayPort),
        INGEST_HOOKS_PORT: String(options.hooksPort),
        INGEST_HOOKS_SECRET: options.hooksSecret,
        ICECAST_INTERNAL_URL: `http://127.0.0.1:${options.icecast.port}`,
        ICECAST_READER_PASSWORD: options.icecast.readerPassword,
        JWT_SECRET: options.jwtSecret,
        STREAMCASTER_SECRET_KEY: options.secretKey,
        // One METRICS_PORT for every service would make all but the first fail to listen.
        METRICS_PORT: options.metricsPorts === 'free' || name !== service ? '0' : '',
      },
      restart: 'always',
      readiness: { kind: 'line', pattern: new RegExp(`${service} is ready`) },
      readyTimeoutMs: 60_000,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 10_000,
    });
  }

  private async launch(name: string, process: SupervisedProcess): Promise<void> {
    const log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    this.logs.push(log);
    process.on('line', (_stream, line) => {
      // A line meant for the operator's eyes only (the generated first-admin password) never
      // reaches a log file.
      if (!line.includes(CONSOLE_ONLY_MARKER)) log.write(`${line}\n`);
      this.options.onLine?.(name, line);
    });
    process.on('exit', (info) => {
      if (!info.requested) this.options.onLine?.(name, `exited unexpectedly (${info.signal ?? `code ${info.code}`}); restarting`);
    });
    this.processes.push({ name, process });
    try {
      await process.start();
    } catch (error) {
      throw new Error(`${name} did not start: ${(error as Error).message} (see ${join(this.logDir, `${name}.log`)})`);
    }
  }
}
