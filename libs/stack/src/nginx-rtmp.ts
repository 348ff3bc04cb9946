import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SupervisedProcess } from '@streamcaster/supervisor';
import { renderTemplate } from './render-template.js';

export interface NginxRtmpOptions {
  /** Repository root, where infra/ lies. */
  root: string;
  runDir: string;
  logDir: string;
  rtmpPort: number;
  statPort: number;
  /** Base URL of the gateway's nginx-rtmp hooks (its internal listener). */
  hookUrl: string;
  /** Sent with every hook (`?secret=`): the gateway refuses a hook without it. */
  hookSecret: string;
  /**
   * Where nginx-rtmp writes the HLS of each program for the dashboard's preview: the data volume's
   * `preview` folder (DataPaths.preview), which the gateway reads.
   */
  previewDir: string;
  /** Extra addresses (CIDR) that may publish to `program` and play streams: the internal network. */
  internalNetworks?: string[];
  bindAddress?: string;
  /**
   * nginx's error_log level. Keep `notice` in production: at `info`, nginx-rtmp logs every publish
   * with the DJ's stream key in it. Tests that need nginx-rtmp's access decisions ask for `info`.
   */
  logLevel?: 'notice' | 'info';
}

export const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

export function renderNginxRtmpConfig(options: NginxRtmpOptions): string {
  const template = readFileSync(join(options.root, 'infra/nginx-rtmp/nginx.conf.template'), 'utf8');
  const networks = options.internalNetworks ?? [];
  const bind = options.bindAddress ?? '0.0.0.0';
  return renderTemplate(template, {
    RUN_DIR: options.runDir,
    LOG_DIR: options.logDir,
    RTMP_MODULE,
    LOG_LEVEL: options.logLevel ?? 'notice',
    RTMP_LISTEN: `${bind}:${options.rtmpPort}`,
    STAT_LISTEN: `127.0.0.1:${options.statPort}`,
    HOOK_URL: options.hookUrl,
    HOOK_QUERY: `?secret=${encodeURIComponent(options.hookSecret)}`,
    INTERNAL_PUBLISH_RULES: networks.map((network) => `allow publish ${network};`).join(' '),
    INTERNAL_PLAY_RULES: networks.map((network) => `allow play ${network};`).join(' '),
    PREVIEW_DIR: options.previewDir,
  });
}

/** Renders the config into the run directory and returns the supervised nginx (not started). */
export function nginxRtmpProcess(options: NginxRtmpOptions): SupervisedProcess {
  mkdirSync(options.runDir, { recursive: true });
  mkdirSync(options.logDir, { recursive: true });
  mkdirSync(options.previewDir, { recursive: true });
  const configPath = join(options.runDir, 'nginx-rtmp.conf');
  // Mode 600: the rendered file holds the hooks' secret.
  writeFileSync(configPath, renderNginxRtmpConfig(options), { mode: 0o600 });
  return new SupervisedProcess({
    name: 'nginx-rtmp',
    command: 'nginx',
    args: ['-c', configPath, '-p', options.runDir, '-e', join(options.logDir, 'nginx-rtmp.log')],
    restart: 'always',
    readiness: { kind: 'tcp', host: '127.0.0.1', port: options.rtmpPort },
    // QUIT: nginx's graceful shutdown.
    stopSignal: 'SIGQUIT',
    stopTimeoutMs: 5_000,
  });
}
