import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.cwd();

export interface RenderedNginx {
  /** The entrypoint's exit code: 0, or 78 when a placeholder's variable is unset. */
  code: number | null;
  stderr: string;
  config: string;
}

/**
 * Runs docker/nginx-rtmp-entrypoint.sh as the container does, with the variables the deployment gives
 * nginx-rtmp, on infra/nginx-rtmp/nginx.conf.template: the configuration nginx would read.
 */
export function renderNginxConfig(environment: ReadonlyMap<string, string>): RenderedNginx {
  const dir = mkdtempSync(join(tmpdir(), 'streamcaster-nginx-render-'));
  try {
    const target = join(dir, 'nginx.conf');
    const result = spawnSync('sh', [join(root, 'docker', 'nginx-rtmp-entrypoint.sh'), 'true'], {
      env: {
        PATH: process.env.PATH,
        ...Object.fromEntries(environment),
        NGINX_TEMPLATE: join(root, 'infra', 'nginx-rtmp', 'nginx.conf.template'),
        NGINX_CONF: target,
      },
      encoding: 'utf8',
    });
    let config = '';
    try {
      config = readFileSync(target, 'utf8');
    } catch {
      // not rendered: the entrypoint refused, see code and stderr
    }
    return { code: result.status, stderr: result.stderr, config };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The URLs nginx-rtmp calls: every on_* directive of the rendered configuration. */
export function hookCalls(config: string): Array<{ directive: string; url: string }> {
  return [...config.matchAll(/^\s*(on_[a-z_]+)\s+(\S+?);/gm)].map((match) => ({ directive: match[1] ?? '', url: match[2] ?? '' }));
}

/** The ports nginx listens on: `listen` directives of the rendered configuration. */
export function nginxListens(config: string): string[] {
  return [...config.matchAll(/^\s*listen\s+(\S+?);/gm)].map((match) => match[1] ?? '');
}
