import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { SupervisedProcess } from '@streamcaster/supervisor';
import { renderTemplate } from './render-template.js';

export const ICECAST_TEMPLATE = 'infra/icecast/icecast.xml.template';

/** Debian's nobody:nogroup, whom Icecast runs as (it refuses to run as root). */
const NOBODY = 65534;

export interface IcecastOptions {
  /** Repository root, where infra/ lies. */
  root: string;
  /** Icecast's own folder (config, pid file); made and handed to nobody when started as root. */
  runDir: string;
  /** Where icecast-error.log and icecast-access.log go; the same. */
  logDir: string;
  /** The one port: sources (Traktor), StreamCaster's reader, the status page. */
  port: number;
  bindAddress?: string;
  /** Base URL of the gateway's hooks, without /icecast (http://127.0.0.1:<hooks port>/api/hooks). */
  hookUrl: string;
  hookSecret: string;
  adminPassword: string;
  relayPassword: string;
}

/** Whether a user other than the owner can reach `path` (every folder above it lets others through). */
function traversable(path: string): boolean {
  for (let directory = dirname(resolve(path)); ; directory = dirname(directory)) {
    if (existsSync(directory) && (statSync(directory).mode & 0o001) === 0) return false;
    if (directory === dirname(directory)) return true;
  }
}

/**
 * nobody must reach Icecast's folders. Under a folder others cannot enter (the repository in /root, a
 * test's mkdtemp folder), they move to a folder of their own in the system's temporary directory
 * rather than opening the parents up.
 */
function reachableByNobody(options: IcecastOptions): IcecastOptions {
  if (traversable(options.runDir) && traversable(options.logDir)) return options;
  const own = join(tmpdir(), `streamcaster-icecast-${createHash('sha256').update(options.runDir).digest('hex').slice(0, 12)}`);
  mkdirSync(own, { recursive: true, mode: 0o700 });
  chownSync(own, NOBODY, NOBODY);
  return { ...options, runDir: join(own, 'run'), logDir: join(own, 'logs') };
}

/** Every value lands in XML text or an attribute. */
export function escapeXmlValues(values: Record<string, string>): Record<string, string> {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value.replace(/[&<>"']/g, (c) => entities[c] ?? c)]));
}

export function renderIcecastConfig(options: IcecastOptions): string {
  const template = readFileSync(join(options.root, ICECAST_TEMPLATE), 'utf8');
  return renderTemplate(
    template,
    escapeXmlValues({
      ICECAST_BIND_ADDRESS: options.bindAddress ?? '0.0.0.0',
      ICECAST_LISTEN_PORT: String(options.port),
      HOOK_URL: options.hookUrl,
      HOOK_QUERY: `?secret=${encodeURIComponent(options.hookSecret)}`,
      ICECAST_ADMIN_PASSWORD: options.adminPassword,
      ICECAST_RELAY_PASSWORD: options.relayPassword,
      RUN_DIR: options.runDir,
      LOG_DIR: options.logDir,
    }),
  );
}

/**
 * Renders the config and returns the supervised icecast2 (not started). As root, it is started as
 * nobody through `setpriv` (the user change first, then the parent-death signal), not by Icecast's own
 * `<changeowner>`: changing user clears the death signal, and an Icecast that dropped privileges itself
 * outlives a supervisor killed by SIGKILL (docs/icecast.md). Its folders and config then belong to
 * nobody, mode 700/600: the config holds the hooks' secret, and Icecast writes the secret into its
 * error log (the hook URL of each refused listener).
 */
export function icecastProcess(requested: IcecastOptions): SupervisedProcess {
  const asRoot = process.getuid?.() === 0;
  const options = asRoot ? reachableByNobody(requested) : requested;
  for (const directory of [options.runDir, options.logDir]) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    if (asRoot) chownSync(directory, NOBODY, NOBODY);
  }
  const configPath = join(options.runDir, 'icecast.xml');
  writeFileSync(configPath, renderIcecastConfig(options), { mode: 0o600 });
  if (asRoot) chownSync(configPath, NOBODY, NOBODY);
  const icecast = ['icecast2', '-c', configPath];
  return new SupervisedProcess({
    name: 'icecast',
    command: asRoot ? 'setpriv' : icecast[0]!,
    args: asRoot ? ['--reuid=nobody', '--regid=nogroup', '--init-groups', '--pdeathsig', 'KILL', '--', ...icecast] : icecast.slice(1),
    restart: 'always',
    readiness: { kind: 'tcp', host: '127.0.0.1', port: options.port },
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 5_000,
  });
}
