import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.cwd();
export const ICECAST_TEMPLATE = join(root, 'infra', 'icecast', 'icecast.xml.template');
export const ICECAST_ENTRYPOINT = join(root, 'docker', 'icecast-entrypoint.sh');

export interface RenderedIcecast {
  /** The entrypoint's exit code: 0, or 78 when a placeholder's variable is unset or empty. */
  code: number | null;
  stderr: string;
  config: string;
  /** The permission bits of the rendered file (null when none was written). */
  mode: number | null;
}

/**
 * Runs docker/icecast-entrypoint.sh as the container does, with the variables the deployment gives
 * Icecast, on infra/icecast/icecast.xml.template: the configuration icecast2 would read.
 */
export function runIcecastEntrypoint(environment: ReadonlyMap<string, string>): RenderedIcecast {
  const dir = mkdtempSync(join(tmpdir(), 'streamcaster-icecast-render-'));
  try {
    const target = join(dir, 'icecast.xml');
    const result = spawnSync('sh', [ICECAST_ENTRYPOINT, 'true'], {
      env: { PATH: process.env.PATH, ...Object.fromEntries(environment), ICECAST_TEMPLATE, ICECAST_CONF: target },
      encoding: 'utf8',
    });
    let config = '';
    let mode: number | null = null;
    try {
      config = readFileSync(target, 'utf8');
      mode = statSync(target).mode & 0o777;
    } catch {
      // not rendered: the entrypoint refused, see code and stderr
    }
    return { code: result.status, stderr: result.stderr, config, mode };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML text or an attribute value as a parser reads it. */
export function decodeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_entity, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? '';
  });
}

/** What Icecast reads: the configuration without its comments. */
const withoutComments = (config: string) => config.replace(/<!--[\s\S]*?-->/g, '');

/** Ampersands that start no entity: a value the entrypoint failed to escape (libxml2 refuses the file). */
export function unescapedAmpersands(config: string): string[] {
  return [...withoutComments(config).matchAll(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)[^\s<]{0,20}/g)].map((match) => match[0]);
}

/** The text of every `<name>` element outside comments, decoded. */
export function elementTexts(config: string, name: string): string[] {
  return [...withoutComments(config).matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((match) => decodeXml(match[1] ?? ''));
}

/** Where Icecast listens: each `<listen-socket>`'s port and bind address. */
export function icecastListens(config: string): Array<{ port: string; bindAddress: string | null }> {
  return [...withoutComments(config).matchAll(/<listen-socket>([\s\S]*?)<\/listen-socket>/g)].map((match) => ({
    port: elementTexts(match[1] ?? '', 'port')[0] ?? '',
    bindAddress: elementTexts(match[1] ?? '', 'bind-address')[0] ?? null,
  }));
}

/** The URLs Icecast calls: every option of each mount's URL authentication that names a hook. */
export function icecastHookCalls(config: string): Array<{ mount: string; action: string; url: string }> {
  return [...withoutComments(config).matchAll(/<mount\b[^>]*>([\s\S]*?)<\/mount>/g)].flatMap((match) => {
    const body = match[1] ?? '';
    const mount = elementTexts(body, 'mount-name')[0] ?? '';
    const authentication = /<authentication\s+type="url"\s*>([\s\S]*?)<\/authentication>/.exec(body)?.[1] ?? '';
    return [...authentication.matchAll(/<option\s+name="([^"]*)"\s+value="([^"]*)"\s*\/>/g)]
      .map((option) => ({ mount, action: decodeXml(option[1] ?? ''), url: decodeXml(option[2] ?? '') }))
      .filter((option) => /^(?:stream_auth|mount_add|mount_remove|listener_add|listener_remove)$/.test(option.action));
  });
}
