import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { interpolateAll } from './interpolation.js';
import { OPERATOR_ENVIRONMENT } from './operator-environment.js';
import { at, isRecord, readYamlFile, scalarText, type YamlRecord } from './yaml-files.js';

const root = process.cwd();
export const deployDir = join(root, 'deploy');

/** A compose file as written (`raw`, interpolations unresolved) and as compose runs it (`resolved`). */
export interface ComposeFile {
  path: string;
  raw: YamlRecord;
  resolved: YamlRecord;
  /** The services as compose runs them, with deploy/.env = `variables`. */
  services: Map<string, YamlRecord>;
}

export function loadCompose(file: string, variables: Readonly<Record<string, string>> = OPERATOR_ENVIRONMENT): ComposeFile {
  const path = join(deployDir, file);
  assert.ok(existsSync(path), `${relative(root, path)} is missing`);
  const raw = readYamlFile(path);
  const resolved = interpolateAll(raw, variables);
  assert.ok(isRecord(resolved));
  const section = resolved['services'];
  assert.ok(isRecord(section), `${file} has no services mapping`);
  const services = new Map<string, YamlRecord>();
  for (const [name, service] of Object.entries(section)) {
    assert.ok(isRecord(service), `${file}: service ${name} is not a mapping`);
    services.set(name, service);
  }
  return { path, raw, resolved, services };
}

/** A service's environment as the container gets it (a bare key would inherit the host's value: null). */
export function environmentOf(definition: YamlRecord): Map<string, string | null> {
  const environment = new Map<string, string | null>();
  const section = definition['environment'];
  if (isRecord(section)) {
    for (const [key, value] of Object.entries(section)) {
      const text = value === null ? null : scalarText(value);
      assert.ok(text !== undefined, `environment ${key} must be a scalar`);
      environment.set(key, text);
    }
  } else if (Array.isArray(section)) {
    for (const item of section) {
      assert.ok(typeof item === 'string', 'environment entries must be KEY=value strings');
      const equals = item.indexOf('=');
      environment.set(equals < 0 ? item : item.slice(0, equals), equals < 0 ? null : item.slice(equals + 1));
    }
  } else {
    assert.equal(section ?? null, null, 'environment must be a mapping or a list');
  }
  return environment;
}

export interface PortMapping {
  host: string | null;
  container: number;
}

export function portsOf(definition: YamlRecord): PortMapping[] {
  const section = definition['ports'];
  if (section === undefined || section === null) return [];
  assert.ok(Array.isArray(section), 'ports must be a list');
  return section.map((entry: unknown) => {
    if (isRecord(entry)) return { host: scalarText(entry['published']) ?? null, container: Number(entry['target']) };
    const text = scalarText(entry);
    assert.ok(text !== undefined, `a port entry must be a string or a mapping: ${JSON.stringify(entry)}`);
    const parts = text.replace(/\/(tcp|udp)$/, '').split(':');
    const container = Number(parts.pop());
    return { host: parts.length > 0 ? (parts.pop() ?? null) : null, container };
  });
}

/** The ports a service opens to the other containers (`expose`). */
export function exposedOf(definition: YamlRecord): number[] {
  const section = definition['expose'];
  if (section === undefined || section === null) return [];
  assert.ok(Array.isArray(section), 'expose must be a list');
  return section.map((entry: unknown) => Number(String(entry).replace(/\/(tcp|udp)$/, '')));
}

export function dependenciesOf(definition: YamlRecord): Map<string, string | null> {
  const section = definition['depends_on'];
  const result = new Map<string, string | null>();
  if (Array.isArray(section)) {
    for (const name of section) {
      assert.ok(typeof name === 'string', 'depends_on entries must be service names');
      result.set(name, null);
    }
  } else if (isRecord(section)) {
    for (const [name, options] of Object.entries(section)) result.set(name, scalarText(at(options, 'condition')) ?? null);
  }
  return result;
}

export interface Mount {
  source: string;
  target: string;
}

export function volumesOf(definition: YamlRecord): Mount[] {
  const section = definition['volumes'];
  if (!Array.isArray(section)) return [];
  return section.map((entry: unknown) => {
    if (isRecord(entry)) return { source: scalarText(entry['source']) ?? '', target: scalarText(entry['target']) ?? '' };
    assert.ok(typeof entry === 'string', 'a volume entry must be a string or a mapping');
    const [source = '', target = ''] = entry.split(':');
    return { source, target };
  });
}

/** The fixed IPv4 address of a service on the default network, if it has one. */
export function fixedAddressOf(definition: YamlRecord): string | undefined {
  return scalarText(at(definition, 'networks', 'default', 'ipv4_address'));
}

/** The command of a service's health check, in compose's list form. */
export function healthcheckOf(definition: YamlRecord): string[] | undefined {
  const test = at(definition, 'healthcheck', 'test');
  if (typeof test === 'string') return ['CMD-SHELL', test];
  if (!Array.isArray(test)) return undefined;
  return test.map((part: unknown) => scalarText(part) ?? '');
}

/** The command a service runs (compose's `command`, as a list). */
export function commandOf(definition: YamlRecord): string[] {
  const command = definition['command'];
  if (typeof command === 'string') return command.split(/\s+/);
  return Array.isArray(command) ? command.map((part: unknown) => scalarText(part) ?? '') : [];
}

/** The value after a flag in a command line (`--pass x` or `--pass=x`). */
export function flagValue(command: readonly string[], ...flags: string[]): string | undefined {
  for (let i = 0; i < command.length; i++) {
    const part = command[i] ?? '';
    for (const flag of flags) {
      if (part === flag) return command[i + 1];
      if (part.startsWith(`${flag}=`)) return part.slice(flag.length + 1);
    }
  }
  return undefined;
}

/** Compose's build context and Dockerfile for a service, as absolute paths. */
export function buildOf(definition: YamlRecord, name: string): { context: string; dockerfile: string; definition: YamlRecord } {
  const build = definition['build'];
  if (typeof build === 'string') {
    const context = resolve(deployDir, build);
    return { context, dockerfile: join(context, 'Dockerfile'), definition: {} };
  }
  assert.ok(isRecord(build), `compose service ${name} has no build section`);
  const context = resolve(deployDir, scalarText(build['context']) ?? '.');
  return { context, dockerfile: resolve(context, scalarText(build['dockerfile']) ?? 'Dockerfile'), definition: build };
}

/** The fixed subnet and gateway address of the stack's default network. */
export function stackNetwork(compose: ComposeFile): { subnet: string; gateway: string } {
  const config = at(compose.resolved, 'networks', 'default', 'ipam', 'config');
  const first: unknown = Array.isArray(config) ? config[0] : undefined;
  const subnet = scalarText(at(first, 'subnet'));
  const gateway = scalarText(at(first, 'gateway'));
  assert.ok(subnet && gateway, 'the default network has no fixed subnet and gateway (networks.default.ipam.config)');
  return { subnet, gateway };
}

export function inSubnet(address: string, subnet: string): boolean {
  const [network = '', prefixLength = '32'] = subnet.split('/');
  const toNumber = (ip: string) => ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const hostSpan = 2 ** (32 - Number(prefixLength));
  return Math.floor(toNumber(address) / hostSpan) === Math.floor(toNumber(network) / hostSpan);
}
