// The deployment files (docker/, infra/ffmpeg, deploy/) cannot be built or run on a machine without a
// Docker engine, so this test reads them and checks that they agree with the code and with each other:
// every service has an image and a compose service, the images run what the build produces, the ports,
// addresses and variables on both sides of each connection match, and .env.example documents every
// variable the stack sets. It parses the files itself (a strict YAML subset, Dockerfile instructions)
// and refuses what it does not understand, rather than passing on a misreading.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.cwd();
const deployDir = join(root, 'deploy');

/** The services that exist or are being written; apps/ may hold more (each with src/main.ts). */
const MINIMUM_SERVICES = ['gateway', 'publisher', 'transcoder', 'recorder'];
/** Variables that must never have a default in compose: a default secret is a published secret. */
const SECRETS = ['JWT_SECRET', 'STREAMCASTER_SECRET_KEY', 'POSTGRES_PASSWORD'];
/** Wiring variables whose URL must name another container of the stack. */
const WIRING_URLS = ['NATS_URL', 'REDIS_URL', 'DATABASE_URL', 'RTMP_INTERNAL_URL', 'HOOK_URL'];
const NGINX_TEMPLATE = join(root, 'infra', 'nginx-rtmp', 'nginx.conf.template');
/** What `npm ci` and `node tools/build.mjs` read, and so what a `COPY . .` build context must hold. */
const WORKSPACE_BUILD_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.base.json', 'tsconfig.build.json', 'tools/build.mjs', 'apps', 'libs'];

function backendServices(): string[] {
  const appsDir = join(root, 'apps');
  const found = existsSync(appsDir)
    ? readdirSync(appsDir).filter((name) => existsSync(join(appsDir, name, 'src', 'main.ts')))
    : [];
  return [...new Set([...MINIMUM_SERVICES, ...found])].sort();
}

// ---------------------------------------------------------------------------------------------------
// YAML, the subset compose files are written in: block mappings and sequences, flow sequences of
// scalars, plain and quoted scalars, comments, anchors, aliases and merge keys (<<). Anything else
// (block scalars, flow mappings, tags, multi-line plain scalars, tabs) is an error, not a guess.

type Yaml = string | null | Yaml[] | YamlMap;
interface YamlMap {
  [key: string]: Yaml;
}

interface Line {
  indent: number;
  text: string;
  number: number;
}

class YamlError extends Error {}

function isMap(value: Yaml | undefined): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Index where a quote starting at `start` closes, honouring '' in single and \" in double quotes. */
function closingQuote(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') {
      i++;
    } else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

/** A quote opens a quoted scalar only where a scalar starts; inside a plain scalar (it's) it is text. */
function opensScalar(text: string, index: number): boolean {
  const before = text.slice(0, index).trimEnd();
  if (before === '' || /[:\-[,{]$/.test(before)) return true;
  const lastToken = before.split(/\s+/).pop() ?? '';
  return lastToken.startsWith('&');
}

function stripComment(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if ((char === '"' || char === "'") && opensScalar(text, i)) {
      const end = closingQuote(text, i);
      if (end < 0) return text; // reported by the scalar parser, with its line
      i = end;
    } else if (char === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      return text.slice(0, i);
    }
  }
  return text;
}

/** `key: rest` or `key:` at the start of a line; null when the text is not a mapping entry. */
function splitKey(text: string): { key: string; rest: string } | null {
  if (text.startsWith('[') || text.startsWith('{')) return null;
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = closingQuote(text, 0);
    if (end < 0) return null;
    const after = text.slice(end + 1);
    if (!/^\s*:(\s|$)/.test(after)) return null;
    return { key: parseScalar(text.slice(0, end + 1)) ?? '', rest: after.replace(/^\s*:/, '').trim() };
  }
  const match = /^([^\s].*?)\s*:(?:\s+(.*))?$/.exec(text);
  if (!match) return null;
  return { key: match[1] ?? '', rest: (match[2] ?? '').trim() };
}

function parseScalar(text: string): string | null {
  if (text.startsWith('"')) {
    if (closingQuote(text, 0) !== text.length - 1) throw new YamlError(`bad double-quoted scalar: ${text}`);
    try {
      return JSON.parse(text) as string;
    } catch {
      throw new YamlError(`unsupported escape in ${text}`);
    }
  }
  if (text.startsWith("'")) {
    if (closingQuote(text, 0) !== text.length - 1) throw new YamlError(`bad single-quoted scalar: ${text}`);
    return text.slice(1, -1).replaceAll("''", "'");
  }
  if (/^[|>!%@`]/.test(text)) throw new YamlError(`unsupported YAML construct: ${text}`);
  if (text === '' || text === '~' || text === 'null') return null;
  return text;
}

function splitFlowItems(inner: string): string[] {
  const items: string[] = [];
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i];
    if (char === '"' || char === "'") {
      const end = closingQuote(inner, i);
      if (end < 0) throw new YamlError(`unclosed quote in [${inner}]`);
      i = end;
    } else if (char === '[' || char === '{') {
      throw new YamlError(`nested flow collections are not supported: [${inner}]`);
    } else if (char === ',') {
      items.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = inner.slice(start).trim();
  if (last !== '') items.push(last);
  return items;
}

function parseYaml(source: string, name: string): YamlMap {
  const anchors = new Map<string, Yaml>();
  const lines: Line[] = [];
  source.split('\n').forEach((raw, index) => {
    const number = index + 1;
    if (/^\s*\t/.test(raw)) throw new YamlError(`${name}:${number}: tab indentation`);
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '' || (index === 0 && text === '---')) return;
    lines.push({ indent: text.length - text.trimStart().length, text: text.trimStart(), number });
  });
  let pos = 0;
  const fail = (line: Line | undefined, message: string): never => {
    throw new YamlError(`${name}:${line?.number ?? 'end'}: ${message}`);
  };
  const isSequenceItem = (text: string) => text === '-' || text.startsWith('- ');

  const inlineValue = (text: string, line: Line): Yaml => {
    let rest = text;
    let anchor: string | null = null;
    const anchored = /^&([^\s[\]{},]+)\s*(.*)$/.exec(rest);
    if (anchored) {
      anchor = anchored[1] ?? '';
      rest = anchored[2] ?? '';
    }
    let value: Yaml;
    if (rest.startsWith('*')) {
      const alias = rest.slice(1);
      if (!anchors.has(alias)) fail(line, `unknown alias *${alias}`);
      value = anchors.get(alias) ?? null;
    } else if (rest.startsWith('[')) {
      if (!rest.endsWith(']')) fail(line, `flow sequence must close on its line: ${rest}`);
      value = splitFlowItems(rest.slice(1, -1)).map((item) => inlineValue(item, line));
    } else if (rest === '{}') {
      value = {};
    } else if (rest.startsWith('{')) {
      return fail(line, `flow mappings are not supported: ${rest}`);
    } else {
      try {
        value = parseScalar(rest);
      } catch (error: unknown) {
        return fail(line, (error as Error).message);
      }
    }
    if (anchor !== null) anchors.set(anchor, value);
    return value;
  };

  const parseBlock = (indent: number): Yaml => {
    const line = lines[pos];
    if (!line || line.indent < indent) return null;
    return isSequenceItem(line.text) ? parseSequence(line.indent) : parseMapping(line.indent);
  };

  /** The value after `key:` or `-` with nothing else on the line: a nested block, or nothing. */
  const nestedValue = (indent: number, allowCompactSequence: boolean): Yaml => {
    const next = lines[pos];
    if (next && next.indent > indent) return parseBlock(next.indent);
    if (allowCompactSequence && next && next.indent === indent && isSequenceItem(next.text)) return parseSequence(indent);
    return null;
  };

  const parseMapping = (indent: number): YamlMap => {
    const result: YamlMap = {};
    const merged: YamlMap[] = [];
    for (let line = lines[pos]; line && line.indent === indent; line = lines[pos]) {
      if (isSequenceItem(line.text)) fail(line, 'a sequence item where a mapping entry was expected');
      const entry = splitKey(line.text);
      if (!entry) return fail(line, `expected "key: value", found ${line.text}`);
      pos++;
      let value: Yaml;
      const anchorOnly = /^&([^\s[\]{},]+)$/.exec(entry.rest);
      if (entry.rest === '') {
        value = nestedValue(indent, true);
      } else if (anchorOnly) {
        value = nestedValue(indent, true);
        anchors.set(anchorOnly[1] ?? '', value);
      } else {
        value = inlineValue(entry.rest, line);
      }
      if (entry.key === '<<') {
        const sources = Array.isArray(value) ? value : [value];
        for (const source of sources) {
          if (!isMap(source)) fail(line, 'a merge key (<<) needs a mapping');
          merged.push(source as YamlMap);
        }
        continue;
      }
      if (Object.hasOwn(result, entry.key)) fail(line, `duplicate key ${entry.key}`);
      result[entry.key] = value;
    }
    // YAML merge semantics: keys written out win over merged ones, earlier merged maps over later ones.
    for (const source of merged) {
      for (const [key, value] of Object.entries(source)) {
        if (!Object.hasOwn(result, key)) result[key] = value;
      }
    }
    const next = lines[pos];
    if (next && next.indent > indent) fail(next, 'unexpected indentation (multi-line scalars are not supported)');
    return result;
  };

  const parseSequence = (indent: number): Yaml[] => {
    const items: Yaml[] = [];
    for (let line = lines[pos]; line && line.indent === indent && isSequenceItem(line.text); line = lines[pos]) {
      const rest = line.text.slice(1).trimStart();
      const offset = line.text.length - rest.length;
      if (rest === '') {
        pos++;
        items.push(nestedValue(indent, false));
      } else if (isSequenceItem(rest) || splitKey(rest)) {
        // "- key: value" opens a mapping (or "- - x" a sequence) whose column is that of its first key.
        lines[pos] = { indent: indent + offset, text: rest, number: line.number };
        items.push(parseBlock(indent + offset));
      } else {
        pos++;
        items.push(inlineValue(rest, line));
      }
    }
    const next = lines[pos];
    if (next && next.indent > indent) fail(next, 'unexpected indentation');
    return items;
  };

  const document = parseBlock(0);
  if (pos < lines.length) fail(lines[pos], 'unexpected content');
  if (!isMap(document)) throw new YamlError(`${name}: the document is not a mapping`);
  return document;
}

// ---------------------------------------------------------------------------------------------------
// Compose

interface ComposeFile {
  path: string;
  doc: YamlMap;
  services: Map<string, YamlMap>;
}

function loadCompose(file: string): ComposeFile {
  const path = join(deployDir, file);
  assert.ok(existsSync(path), `${relative(root, path)} is missing`);
  const doc = parseYaml(readFileSync(path, 'utf8'), relative(root, path));
  const services = new Map<string, YamlMap>();
  const section = doc['services'];
  assert.ok(isMap(section), `${file} has no services mapping`);
  for (const [name, service] of Object.entries(section)) {
    assert.ok(isMap(service), `${file}: service ${name} is not a mapping`);
    services.set(name, service);
  }
  return { path, doc, services };
}

let composeCache: ComposeFile | undefined;
const compose = (): ComposeFile => (composeCache ??= loadCompose('compose.yaml'));

function service(name: string): YamlMap {
  const found = compose().services.get(name);
  assert.ok(found, `deploy/compose.yaml has no service "${name}" (it has: ${[...compose().services.keys()].join(', ')})`);
  return found;
}

function stringAt(map: YamlMap, ...path: string[]): string | undefined {
  let value: Yaml | undefined = map;
  for (const key of path) value = isMap(value) ? value[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** A service's environment as written (values unresolved); a bare key inherits the host's value. */
function environmentOf(definition: YamlMap): Map<string, string | null> {
  const environment = new Map<string, string | null>();
  const section = definition['environment'];
  if (isMap(section)) {
    for (const [key, value] of Object.entries(section)) {
      assert.ok(typeof value === 'string' || value === null, `environment ${key} must be a scalar`);
      environment.set(key, value);
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

interface PortMapping {
  host: string | null;
  container: number;
}

function portsOf(definition: YamlMap): PortMapping[] {
  const section = definition['ports'];
  if (section === undefined || section === null) return [];
  assert.ok(Array.isArray(section), 'ports must be a list');
  return section.map((entry) => {
    if (isMap(entry)) {
      return { host: stringAt(entry, 'published') ?? null, container: Number(stringAt(entry, 'target')) };
    }
    assert.ok(typeof entry === 'string', `a port entry must be a string or a mapping: ${JSON.stringify(entry)}`);
    const parts = entry.replace(/\/(tcp|udp)$/, '').split(':');
    const container = Number(parts.pop());
    return { host: parts.length > 0 ? (parts.pop() ?? null) : null, container };
  });
}

function dependenciesOf(definition: YamlMap): Map<string, string | null> {
  const section = definition['depends_on'];
  const result = new Map<string, string | null>();
  if (Array.isArray(section)) {
    for (const name of section) {
      assert.ok(typeof name === 'string', 'depends_on entries must be service names');
      result.set(name, null);
    }
  } else if (isMap(section)) {
    for (const [name, options] of Object.entries(section)) result.set(name, isMap(options) ? (stringAt(options, 'condition') ?? null) : null);
  }
  return result;
}

interface Mount {
  source: string;
  target: string;
}

function volumesOf(definition: YamlMap): Mount[] {
  const section = definition['volumes'];
  if (!Array.isArray(section)) return [];
  return section.map((entry) => {
    if (isMap(entry)) return { source: stringAt(entry, 'source') ?? '', target: stringAt(entry, 'target') ?? '' };
    assert.ok(typeof entry === 'string', 'a volume entry must be a string or a mapping');
    const [source = '', target = ''] = entry.split(':');
    return { source, target };
  });
}

interface Interpolation {
  name: string;
  /** null, or one of - :- ? :? + :+ */
  operator: string | null;
  start: number;
  end: number;
}

/** Compose's interpolations in one value: ${NAME}, ${NAME:-default} (nested too), $NAME; $$ is a literal $. */
function interpolationsIn(value: string, nested = false): Interpolation[] {
  const found: Interpolation[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '$') continue;
    if (value[i + 1] === '$') {
      i++;
    } else if (value[i + 1] === '{') {
      let depth = 1;
      let j = i + 2;
      for (; j < value.length && depth > 0; j++) {
        if (value[j] === '{') depth++;
        else if (value[j] === '}') depth--;
      }
      assert.equal(depth, 0, `unclosed \${ in ${value}`);
      const body = value.slice(i + 2, j - 1);
      const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
      assert.ok(match, `compose cannot read the interpolation \${${body}}`);
      found.push({ name: match[1] ?? '', operator: match[2] ?? null, start: i, end: j });
      if (match[3]) found.push(...interpolationsIn(match[3], true));
      i = j - 1;
    } else {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i + 1));
      if (match) {
        found.push({ name: match[0], operator: null, start: i, end: i + 1 + match[0].length });
        i += match[0].length;
      }
    }
  }
  return nested ? found.map((item) => ({ ...item, start: -1, end: -1 })) : found;
}

/** The value with each top-level interpolation replaced by a stand-in, for checks on its shape. */
function withoutInterpolations(value: string): string {
  let result = '';
  let last = 0;
  for (const item of interpolationsIn(value).filter((found) => found.start >= 0)) {
    result += value.slice(last, item.start) + 'interpolated';
    last = item.end;
  }
  return result + value.slice(last);
}

function allStrings(value: Yaml, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((item) => allStrings(item, into));
  else if (isMap(value)) Object.values(value).forEach((item) => allStrings(item, into));
  return into;
}

// ---------------------------------------------------------------------------------------------------
// .env.example, .dockerignore

function envExampleNames(): Set<string> | null {
  const path = join(root, '.env.example');
  if (!existsSync(path)) return null;
  const names = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    // A commented-out assignment documents an optional variable just as well.
    const match = /^\s*(?:#\s*)?(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (match?.[1]) names.add(match[1]);
  }
  return names;
}

function assertDocumented(names: Iterable<string>, what: string): void {
  const documented = envExampleNames();
  const wanted = [...new Set(names)].sort();
  assert.ok(documented, `.env.example does not exist, so it documents none of ${what}: ${wanted.join(', ')}`);
  const missing = wanted.filter((name) => !documented.has(name));
  assert.deepEqual(missing, [], `.env.example does not list ${what}: ${missing.join(', ')}`);
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? '';
    if (pattern.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Docker's rule: a path is excluded when the last pattern matching it or one of its folders excludes it. */
function dockerIgnored(ignoreFile: string | null, path: string): boolean {
  if (!ignoreFile) return false;
  const rules = readFileSync(ignoreFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = posix.normalize((negated ? line.slice(1) : line).trim()).replace(/^\/+/, '');
      return { negated, matcher: globToRegExp(pattern) };
    });
  const segments = posix.normalize(path).split('/');
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.matcher.test(candidate))) ignored = !rule.negated;
  }
  return ignored;
}

// ---------------------------------------------------------------------------------------------------
// Dockerfiles

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  name: string | null;
  /** The image the stage starts from, with ARG defaults applied; a stage name when it builds on one. */
  from: string;
  instructions: Instruction[];
  /** The stage's source text from its FROM line up to the next FROM. */
  text: string;
}

interface Dockerfile {
  path: string;
  stages: Stage[];
}

function readDockerfile(path: string): Dockerfile {
  assert.ok(existsSync(path), `${relative(root, path)} is missing`);
  const sourceLines = readFileSync(path, 'utf8').split('\n');
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  let current: Stage | null = null;
  let stageStartLine = 0;
  const closeStage = (endLine: number) => {
    if (!current) return;
    // Comments just above the next FROM introduce that stage, not this one.
    const text = sourceLines.slice(stageStartLine, endLine);
    while (text.length > 0 && /^\s*(#.*)?$/.test(text.at(-1) ?? '')) text.pop();
    current.text = text.join('\n');
  };
  for (let i = 0; i < sourceLines.length; i++) {
    const first = sourceLines[i] ?? '';
    if (/^\s*(#.*)?$/.test(first)) continue;
    // Continuation lines end with a backslash; comment lines inside a continuation are dropped.
    let logical = first;
    const start = i;
    while (/\\\s*$/.test(logical) && i + 1 < sourceLines.length) {
      logical = logical.replace(/\\\s*$/, ' ');
      i++;
      const next = sourceLines[i] ?? '';
      if (!/^\s*#/.test(next)) logical += next;
    }
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(logical);
    assert.ok(match, `${relative(root, path)}:${start + 1}: cannot read ${logical}`);
    const keyword = (match[1] ?? '').toUpperCase();
    const args = (match[2] ?? '').trim();
    if (keyword === 'FROM') {
      closeStage(start);
      const words = args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const image = (words[0] ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
        return globalArgs.get(braced ?? bare ?? '') ?? whole;
      });
      const name = words[1]?.toUpperCase() === 'AS' ? (words[2] ?? null) : null;
      current = { name, from: image, instructions: [], text: '' };
      stages.push(current);
      stageStartLine = start;
    } else if (keyword === 'ARG' && !current) {
      const [name = '', value = ''] = args.split('=');
      globalArgs.set(name.trim(), value.trim().replace(/^"(.*)"$/, '$1'));
    } else {
      assert.ok(current, `${relative(root, path)}:${start + 1}: ${keyword} before the first FROM`);
      current.instructions.push({ keyword, args, line: start + 1 });
    }
  }
  closeStage(sourceLines.length);
  assert.ok(stages.length > 0, `${relative(root, path)} has no FROM`);
  return { path, stages };
}

function finalStage(dockerfile: Dockerfile): Stage {
  const last = dockerfile.stages.at(-1);
  assert.ok(last);
  return last;
}

function stageNamed(dockerfile: Dockerfile, name: string): Stage | undefined {
  return dockerfile.stages.find((stage) => stage.name === name);
}

/** The image a stage ultimately starts from, following FROM <earlier stage>. */
function baseImage(dockerfile: Dockerfile, stage: Stage): string {
  const parent = stageNamed(dockerfile, stage.from);
  return parent && parent !== stage ? baseImage(dockerfile, parent) : stage.from;
}

const isNode24Image = (image: string) => /^(?:docker\.io\/)?(?:library\/)?node:24(?:[.-]|$)/.test(image);

function instructions(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** Exec form (JSON array) of CMD or ENTRYPOINT; shell form is refused: it would make sh PID 1. */
function execForm(instruction: Instruction | undefined, what: string): string[] {
  assert.ok(instruction, `no ${what}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(instruction.args);
  } catch {
    assert.fail(`${what} must be in exec form (a JSON array), found: ${instruction.args}`);
  }
  assert.ok(Array.isArray(parsed) && parsed.every((item): item is string => typeof item === 'string'), `${what} must be an array of strings`);
  return parsed;
}

interface Copy {
  from: string | null;
  sources: string[];
  destination: string;
  line: number;
}

function copies(stage: Stage): Copy[] {
  return [...instructions(stage, 'COPY'), ...instructions(stage, 'ADD')].map((instruction) => {
    if (instruction.args.startsWith('[')) {
      const parts = JSON.parse(instruction.args) as string[];
      return { from: null, sources: parts.slice(0, -1), destination: parts.at(-1) ?? '', line: instruction.line };
    }
    const words = instruction.args.split(/\s+/);
    const flags = words.filter((word) => word.startsWith('--'));
    const paths = words.filter((word) => !word.startsWith('--'));
    const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length) ?? null;
    return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '', line: instruction.line };
  });
}

/** WORKDIR in force at an instruction's line (absolute, or relative to the previous one). */
function workdirAt(stage: Stage, line: number): string {
  let workdir = '/';
  for (const instruction of instructions(stage, 'WORKDIR')) {
    if (instruction.line < line) workdir = posix.resolve(workdir, instruction.args);
  }
  return workdir;
}

/** Where a single-source COPY puts its source inside the image. */
function copyTarget(stage: Stage, copy: Copy, source: string): string {
  const base = posix.resolve(workdirAt(stage, copy.line), copy.destination);
  return copy.destination.endsWith('/') || copy.destination === '.' ? posix.join(base, posix.basename(source)) : base;
}

function envOfStage(stage: Stage): Map<string, string> {
  const environment = new Map<string, string>();
  for (const instruction of instructions(stage, 'ENV')) {
    const pairs = instruction.args.match(/[A-Za-z_][A-Za-z0-9_]*=(?:"(?:[^"\\]|\\.)*"|\S*)/g);
    if (pairs) {
      for (const pair of pairs) {
        const equals = pair.indexOf('=');
        environment.set(pair.slice(0, equals), pair.slice(equals + 1).replace(/^"(.*)"$/, '$1'));
      }
    } else {
      const [key = '', ...value] = instruction.args.split(/\s+/); // legacy "ENV KEY value"
      environment.set(key, value.join(' '));
    }
  }
  return environment;
}

function exposedPorts(stage: Stage): number[] {
  return instructions(stage, 'EXPOSE').flatMap((instruction) =>
    instruction.args.split(/\s+/).map((port) => Number(port.replace(/\/(tcp|udp)$/, ''))),
  );
}

const dockerfilePath = (name: string) => join(root, 'docker', `${name}.Dockerfile`);

/** Compose's build context and Dockerfile for a service, as absolute paths. */
function buildOf(name: string): { context: string; dockerfile: string; definition: YamlMap } {
  const build = service(name)['build'];
  if (typeof build === 'string') {
    const context = resolve(deployDir, build);
    return { context, dockerfile: join(context, 'Dockerfile'), definition: {} };
  }
  assert.ok(isMap(build), `compose service ${name} has no build section`);
  const context = resolve(deployDir, stringAt(build, 'context') ?? '.');
  return { context, dockerfile: resolve(context, stringAt(build, 'dockerfile') ?? 'Dockerfile'), definition: build };
}

/** The port part of nginx-rtmp's RTMP_LISTEN ("1935" or "address:1935"). */
function rtmpListenPort(): string | undefined {
  return environmentOf(service('nginx-rtmp')).get('RTMP_LISTEN')?.split(':').pop();
}

/** The fixed subnet and gateway address of the stack's default network. */
function stackNetwork(): { subnet: string; gateway: string } {
  const networks = compose().doc['networks'];
  const ipam = isMap(networks) && isMap(networks['default']) ? networks['default']['ipam'] : undefined;
  const config = isMap(ipam) ? ipam['config'] : undefined;
  const first = Array.isArray(config) ? config[0] : undefined;
  const subnet = isMap(first) ? stringAt(first, 'subnet') : undefined;
  const gateway = isMap(first) ? stringAt(first, 'gateway') : undefined;
  assert.ok(subnet && gateway, 'the default network has no fixed subnet and gateway (networks.default.ipam.config)');
  return { subnet, gateway };
}

function inSubnet(address: string, subnet: string): boolean {
  const [network = '', prefixLength = '32'] = subnet.split('/');
  const toNumber = (ip: string) => ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const hostSpan = 2 ** (32 - Number(prefixLength));
  return Math.floor(toNumber(address) / hostSpan) === Math.floor(toNumber(network) / hostSpan);
}

function typeScriptFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * The variables a service reads: the `env` of every field in its config module's `*ConfigFields`
 * exports (apps/<service>/src/config/<service>.config.ts), loaded from the compiled workspace.
 */
async function variablesRead(name: string): Promise<Set<string>> {
  const compiled = new URL(`../../apps/${name}/src/config/${name}.config.js`, import.meta.url);
  assert.ok(existsSync(fileURLToPath(compiled)), `apps/${name}/src/config/${name}.config.ts does not exist (or was not built)`);
  const module = (await import(compiled.href)) as Record<string, unknown>;
  const names = new Set<string>();
  for (const [exported, fields] of Object.entries(module)) {
    if (!exported.endsWith('ConfigFields') || typeof fields !== 'object' || fields === null) continue;
    for (const field of Object.values(fields)) {
      const env = typeof field === 'object' && field !== null ? (field as { env?: unknown }).env : undefined;
      if (typeof env === 'string') names.add(env);
    }
  }
  assert.ok(names.size > 0, `apps/${name}/src/config/${name}.config.ts exports no *ConfigFields`);
  return names;
}

// ---------------------------------------------------------------------------------------------------

describe('deployment: service images', () => {
  const services = backendServices();

  for (const name of services) {
    it(`${name}: docker/${name}.Dockerfile builds with Node 24 and runs dist/apps/${name}/src/main.js`, () => {
      const dockerfile = readDockerfile(dockerfilePath(name));
      const build = stageNamed(dockerfile, 'build');
      assert.ok(build, 'no stage named "build"');
      assert.ok(isNode24Image(baseImage(dockerfile, build)), `the build stage starts from ${build.from}, not a node:24 image`);
      for (const stage of dockerfile.stages) {
        const image = baseImage(dockerfile, stage);
        if (/^(?:docker\.io\/)?(?:library\/)?node:/.test(image)) assert.ok(isNode24Image(image), `stage ${stage.name} uses ${image}`);
      }
      const runs = instructions(build, 'RUN').map((run) => run.args).join('\n');
      for (const step of ['npm ci', 'node tools/build.mjs', 'npm prune --omit=dev']) {
        assert.ok(runs.includes(step), `the build stage does not run "${step}"`);
      }

      const runtime = finalStage(dockerfile);
      assert.notEqual(runtime, build, 'the image must not ship the build stage (compilers, dev dependencies)');
      // A runtime stage on another base (the transcoder's ffmpeg image) brings Node in by copying it.
      const nodeCopied = copies(runtime).some((copy) => {
        if (copy.from === null || !copy.sources.includes('/usr/local/bin/node')) return false;
        const stage = stageNamed(dockerfile, copy.from);
        return isNode24Image(stage ? baseImage(dockerfile, stage) : copy.from);
      });
      assert.ok(
        isNode24Image(baseImage(dockerfile, runtime)) || nodeCopied,
        'the runtime stage neither starts from node:24 nor copies node from a node:24 stage',
      );

      const command = execForm(instructions(runtime, 'CMD').at(-1), 'CMD');
      assert.equal(command[0], 'node', `CMD runs ${command[0]}, not node`);
      assert.equal(command.at(-1), `dist/apps/${name}/src/main.js`);

      // The entry point resolves @streamcaster/* through dist/node_modules and loads as ESM because of the
      // root package.json: the runtime needs dist/, the production node_modules and package.json, all
      // from the build stage and side by side in the folder CMD runs from.
      const workdir = workdirAt(runtime, Number.MAX_SAFE_INTEGER);
      for (const wanted of ['dist', 'node_modules', 'package.json']) {
        const copied = copies(runtime).find(
          (copy) =>
            copy.from === 'build' &&
            copy.sources.length === 1 &&
            posix.basename(copy.sources[0] ?? '') === wanted &&
            copyTarget(runtime, copy, copy.sources[0] ?? '') === posix.join(workdir, wanted),
        );
        assert.ok(copied, `the runtime stage does not copy ${wanted} from the build stage to ${posix.join(workdir, wanted)}`);
        const source = copied.sources[0] ?? '';
        assert.equal(source, posix.join(workdirAt(build, Number.MAX_SAFE_INTEGER), wanted), `${wanted} is copied from ${source}, not from the build's folder`);
      }

      const user = instructions(runtime, 'USER').at(-1)?.args.split(':')[0];
      assert.ok(user, 'the runtime stage sets no USER: the service would run as root');
      assert.ok(!['root', '0'].includes(user), `the runtime stage runs as ${user}`);

      assert.equal(envOfStage(runtime).get('STREAMCASTER_DATA_DIR'), '/data', 'STREAMCASTER_DATA_DIR must default to /data');
      const volumes = instructions(runtime, 'VOLUME').flatMap((volume) =>
        volume.args.startsWith('[') ? (JSON.parse(volume.args) as string[]) : volume.args.split(/\s+/),
      );
      assert.ok(volumes.includes('/data'), 'the runtime stage declares no VOLUME /data');
    });
  }

  it('every service Dockerfile has the same build stage, so BuildKit builds and caches it once', () => {
    let first: { service: string; text: string } | undefined;
    for (const name of services) {
      const build = stageNamed(readDockerfile(dockerfilePath(name)), 'build');
      assert.ok(build, `docker/${name}.Dockerfile has no build stage`);
      first ??= { service: name, text: build.text };
      assert.equal(build.text, first.text, `the build stage of ${name} differs from that of ${first.service}`);
    }
  });

  it('the transcoder starts from the GPU ffmpeg image and its ffmpeg has the NVIDIA capabilities it needs', () => {
    const dockerfile = readDockerfile(dockerfilePath('transcoder'));
    const runtime = finalStage(dockerfile);
    const ffmpegImage = readFileSync(dockerfilePath('transcoder'), 'utf8').match(/^ARG FFMPEG_IMAGE=(\S+)/m)?.[1];
    assert.ok(ffmpegImage, 'docker/transcoder.Dockerfile declares no ARG FFMPEG_IMAGE with a default');
    assert.equal(runtime.from, ffmpegImage, 'the transcoder runtime must start FROM ${FFMPEG_IMAGE}');

    const ffmpeg = readDockerfile(join(root, 'infra', 'ffmpeg', 'Dockerfile'));
    const capabilities = envOfStage(finalStage(ffmpeg)).get('NVIDIA_DRIVER_CAPABILITIES')?.split(',') ?? [];
    for (const capability of ['compute', 'video']) {
      assert.ok(capabilities.includes(capability), `infra/ffmpeg sets NVIDIA_DRIVER_CAPABILITIES without ${capability}`);
    }
  });
});

describe('deployment: compose stack', () => {
  const services = backendServices();

  for (const name of services) {
    it(`${name}: a compose service built from docker/${name}.Dockerfile, on the shared data volume`, () => {
      const { context, dockerfile } = buildOf(name);
      assert.equal(relative(root, context), '', `${name} must be built with the repository root as context`);
      assert.equal(relative(root, dockerfile), join('docker', `${name}.Dockerfile`));
      const mounts = volumesOf(service(name));
      assert.ok(
        mounts.some((mount) => mount.source === 'data' && mount.target === '/data'),
        `${name} does not mount the data volume at /data`,
      );
      const fromCompose = environmentOf(service(name)).get('STREAMCASTER_DATA_DIR');
      const fromImage = envOfStage(finalStage(readDockerfile(dockerfilePath(name)))).get('STREAMCASTER_DATA_DIR');
      assert.equal(fromCompose ?? fromImage, '/data', `${name} looks for its data elsewhere than where the volume is mounted`);
    });
  }

  it('declares the data volume and every volume a service mounts by name', () => {
    const declared = compose().doc['volumes'];
    assert.ok(isMap(declared), 'compose.yaml declares no volumes');
    assert.ok(Object.hasOwn(declared, 'data'), 'the shared volume "data" is not declared');
    for (const [name, definition] of compose().services) {
      for (const mount of volumesOf(definition)) {
        if (/^[A-Za-z0-9][\w.-]*$/.test(mount.source)) {
          assert.ok(Object.hasOwn(declared, mount.source), `${name} mounts the undeclared volume ${mount.source}`);
        }
      }
    }
  });

  it('builds every image from a Dockerfile that exists, copying only files the build context holds', () => {
    for (const [name, definition] of compose().services) {
      if (definition['build'] === undefined) continue;
      const { context, dockerfile } = buildOf(name);
      const dockerfileData = readDockerfile(dockerfile);
      const ignoreFile = [`${dockerfile}.dockerignore`, join(context, '.dockerignore')].find((path) => existsSync(path)) ?? null;
      for (const stage of dockerfileData.stages) {
        for (const copy of copies(stage)) {
          if (copy.from !== null) continue;
          if (copy.sources.includes('.')) {
            // The whole context: what the workspace build reads must be in it, what the host built and
            // the secrets of a local .env must not.
            for (const input of WORKSPACE_BUILD_INPUTS) {
              assert.ok(existsSync(join(context, input)), `${name}: the build needs ${input}, which does not exist`);
              assert.ok(!dockerIgnored(ignoreFile, input), `${name}: the build needs ${input}, which ${relative(root, ignoreFile ?? '')} excludes`);
            }
            for (const excluded of ['node_modules', 'dist', '.env']) {
              assert.ok(dockerIgnored(ignoreFile, excluded), `${name}: ${excluded} must be excluded from the build context`);
            }
          }
          for (const source of copy.sources) {
            if (/[*?[]/.test(source) || source === '.' || /^https?:\/\//.test(source)) continue;
            const relativeSource = posix.normalize(source).replace(/^\/+/, '');
            assert.ok(existsSync(join(context, relativeSource)), `${name}: ${relative(root, dockerfile)}:${copy.line} copies ${source}, which does not exist`);
            assert.ok(!dockerIgnored(ignoreFile, relativeSource), `${name}: ${source} is excluded from the build context by ${relative(root, ignoreFile ?? '')}`);
          }
        }
      }
    }
  });

  it('runs postgres 16, redis 7 and nats 2.10 with JetStream, each with a health check', () => {
    const expected: Record<string, RegExp> = { postgres: /^postgres:16(?:[.-]|$)/, redis: /^redis:7(?:[.-]|$)/, nats: /^nats:2\.10(?:[.-]|$)/ };
    for (const [name, image] of Object.entries(expected)) {
      const definition = service(name);
      assert.match(stringAt(definition, 'image') ?? '', image, `${name} runs ${stringAt(definition, 'image')}`);
      const test = isMap(definition['healthcheck']) ? definition['healthcheck']['test'] : undefined;
      assert.ok(Array.isArray(test) ? test.length > 1 && test[0] !== 'NONE' : typeof test === 'string', `${name} has no health check`);
    }
    const natsCommand = allStrings(service('nats')['command'] ?? null);
    assert.ok(natsCommand.includes('-js') || natsCommand.includes('--jetstream'), 'nats runs without JetStream');
  });

  it('waits only on dependencies that exist, and on health only where there is a health check', () => {
    for (const [name, definition] of compose().services) {
      for (const [dependency, condition] of dependenciesOf(definition)) {
        const target = compose().services.get(dependency);
        assert.ok(target, `${name} depends on ${dependency}, which is not a service`);
        if (condition !== 'service_healthy') continue;
        const inCompose = isMap(target['healthcheck']) && target['healthcheck']['test'] !== undefined;
        const inImage =
          target['build'] !== undefined && instructions(finalStage(readDockerfile(buildOf(dependency).dockerfile)), 'HEALTHCHECK').length > 0;
        assert.ok(inCompose || inImage, `${name} waits for ${dependency} to be healthy, but ${dependency} has no health check`);
      }
    }
  });

  it('publishes the gateway on the port it listens on and its image exposes', () => {
    const environment = environmentOf(service('gateway'));
    const image = finalStage(readDockerfile(dockerfilePath('gateway')));
    const port = Number(environment.get('GATEWAY_PORT') ?? envOfStage(image).get('GATEWAY_PORT'));
    assert.ok(Number.isInteger(port) && port > 0, 'GATEWAY_PORT is set neither in compose nor in the image');
    const mappings = portsOf(service('gateway'));
    assert.ok(mappings.length > 0, 'the gateway publishes no port');
    for (const mapping of mappings) {
      assert.equal(mapping.container, port, `the gateway publishes container port ${mapping.container} but listens on ${port}`);
      assert.notEqual(mapping.host, null, 'the gateway port is not published on the host');
    }
    assert.ok(exposedPorts(image).includes(port), `docker/gateway.Dockerfile does not EXPOSE ${port}`);
    assert.equal(environment.get('GATEWAY_HOST'), '0.0.0.0', 'inside a container the gateway must listen on every interface');
  });

  it('publishes RTMP ingest on 1935, where nginx-rtmp listens and its image exposes', () => {
    const mappings = portsOf(service('nginx-rtmp'));
    assert.ok(
      mappings.some((mapping) => mapping.container === 1935 && mapping.host === '1935'),
      `nginx-rtmp does not publish 1935:1935 (it publishes ${JSON.stringify(mappings)})`,
    );
    assert.equal(rtmpListenPort(), '1935', 'RTMP_LISTEN (where the template makes nginx listen) must be port 1935');
    const { dockerfile } = buildOf('nginx-rtmp');
    assert.equal(relative(root, dockerfile), join('docker', 'nginx-rtmp.Dockerfile'));
    assert.ok(exposedPorts(finalStage(readDockerfile(dockerfile))).includes(1935), 'the nginx-rtmp image does not EXPOSE 1935');
  });

  it('gives nginx-rtmp a value for every placeholder of its configuration template, and no other', () => {
    assert.ok(existsSync(NGINX_TEMPLATE), 'infra/nginx-rtmp/nginx.conf.template does not exist (the nginx-rtmp image copies it)');
    // What docker/nginx-rtmp-entrypoint.sh asks for: upper-case ${NAME}, outside # comments.
    const uncommented = readFileSync(NGINX_TEMPLATE, 'utf8').replace(/#.*$/gm, '');
    const placeholders = new Set([...uncommented.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((match) => match[1] ?? ''));
    const fromCompose = environmentOf(service('nginx-rtmp'));
    const fromImage = envOfStage(finalStage(readDockerfile(dockerfilePath('nginx-rtmp'))));
    const missing = [...placeholders].filter((name) => !fromCompose.has(name) && !fromImage.has(name)).sort();
    assert.deepEqual(missing, [], `neither compose nor the image gives nginx-rtmp ${missing.join(', ')}, and its entrypoint refuses to start`);
    // A variable the template no longer uses means a placeholder was renamed and the deployment missed it.
    const unused = [...fromCompose.keys()].filter((name) => !placeholders.has(name)).sort();
    assert.deepEqual(unused, [], `compose sets ${unused.join(', ')} on nginx-rtmp, which the template does not use`);
  });

  it('runs nginx in the foreground exactly once: either the template or the command says daemon off', () => {
    const templateSays = /^\s*daemon\s+off\s*;/m.test(readFileSync(NGINX_TEMPLATE, 'utf8'));
    const command = execForm(instructions(finalStage(readDockerfile(dockerfilePath('nginx-rtmp'))), 'CMD').at(-1), 'CMD').join(' ');
    const commandSays = /daemon\s+off/.test(command);
    // nginx refuses a duplicate "daemon" directive, and without one it forks away and the container exits.
    assert.notEqual(templateSays, commandSays, `template says daemon off: ${templateSays}; CMD (${command}) says it: ${commandSays}`);
  });

  it('calls the gateway hooks at the path the gateway serves them on', () => {
    const hookUrl = environmentOf(service('nginx-rtmp')).get('HOOK_URL');
    assert.ok(hookUrl, 'nginx-rtmp has no HOOK_URL');
    const sources = typeScriptFiles(join(root, 'apps', 'gateway', 'src')).map((path) => readFileSync(path, 'utf8'));
    const prefix = sources.map((source) => /setGlobalPrefix\(\s*'([^']*)'/.exec(source)?.[1]).find((found) => found !== undefined) ?? '';
    const hooks = sources.find((source) => /@Post\(\s*'publish'\s*\)/.test(source) && /@Post\(\s*'publish-done'\s*\)/.test(source));
    assert.ok(hooks, 'no gateway controller serves POST publish and publish-done');
    const controller = /@Controller\(\s*'([^']*)'/.exec(hooks)?.[1];
    assert.ok(controller !== undefined, 'the hooks controller names no path');
    const expected = posix.join('/', prefix, controller);
    assert.equal(new URL(hookUrl).pathname.replace(/\/$/, ''), expected, `HOOK_URL ${hookUrl} does not lead to the gateway's ${expected}`);
  });

  it('lets only the containers of the stack publish the program and play streams, not connections from the host', () => {
    const { subnet, gateway } = stackNetwork();
    for (const [key, verb] of [['INTERNAL_PUBLISH_RULES', 'publish'], ['INTERNAL_PLAY_RULES', 'play']] as const) {
      const value = environmentOf(service('nginx-rtmp')).get(key) ?? '';
      const rules = value.split(';').map((rule) => rule.trim()).filter((rule) => rule !== '');
      const parsed = rules.map((rule) => /^(allow|deny) (publish|play) (\S+)$/.exec(rule));
      assert.ok(parsed.every((match) => match !== null && match[2] === verb), `${key} holds something other than "allow|deny ${verb} <address>;": ${value}`);
      const allowSubnet = parsed.findIndex((match) => match?.[1] === 'allow' && match[3] === subnet);
      assert.ok(allowSubnet >= 0, `${key} does not allow the stack's network ${subnet}`);
      // nginx takes the first matching rule; the network's gateway is where Docker's port proxy connects from.
      const denyGateway = parsed.findIndex((match) => match?.[1] === 'deny' && match[3] === gateway);
      assert.ok(denyGateway >= 0 && denyGateway < allowSubnet, `${key} must deny ${gateway} before it allows ${subnet}`);
    }
  });

  it('points every connection at a container of the stack, on the port that container listens on', () => {
    const names = new Set(compose().services.keys());
    // The ports our own containers listen on, as compose configures them.
    const listening = new Map<string, string | null | undefined>([
      ['gateway', environmentOf(service('gateway')).get('GATEWAY_PORT')],
      ['nginx-rtmp', rtmpListenPort()],
    ]);
    for (const [name, definition] of compose().services) {
      for (const [key, value] of environmentOf(definition)) {
        if (value === null) continue;
        const plain = withoutInterpolations(value);
        if (!/^[a-z][a-z0-9+.-]*:\/\//.test(plain)) continue;
        const url = new URL(plain);
        const host = url.hostname.replace(/^\[|\]$/g, '');
        // Inside a container, loopback is the container itself: never where another service runs.
        assert.ok(!/^(localhost|127\.|::1$)/.test(host), `${name}: ${key}=${value} points at the container itself`);
        if (!WIRING_URLS.includes(key)) continue;
        assert.ok(names.has(host), `${name}: ${key} points at ${host}, which is not a service of the stack`);
        const expectedPort = listening.get(host);
        if (expectedPort) assert.equal(url.port, expectedPort, `${name}: ${key} uses port ${url.port}, but ${host} listens on ${expectedPort}`);
      }
    }
    for (const name of ['publisher', 'transcoder', 'recorder']) {
      assert.ok(environmentOf(service(name)).get('RTMP_INTERNAL_URL'), `${name} has no RTMP_INTERNAL_URL`);
    }
    assert.ok(environmentOf(service('nginx-rtmp')).get('HOOK_URL'), 'nginx-rtmp has no HOOK_URL');
  });

  it('lets the gateway accept ingest hooks from nginx-rtmp, at the address compose gives it', () => {
    const networks = service('nginx-rtmp')['networks'];
    const address = isMap(networks) ? stringAt(networks, 'default', 'ipv4_address') : undefined;
    assert.ok(address, 'nginx-rtmp has no fixed ipv4_address, so the gateway cannot know where the hooks come from');
    const allowed = (environmentOf(service('gateway')).get('HOOKS_ALLOWED_ADDRESSES') ?? '').split(',').map((item) => item.trim());
    assert.ok(allowed.includes(address), `HOOKS_ALLOWED_ADDRESSES (${allowed.join(',')}) does not include nginx-rtmp's ${address}`);
    const { subnet, gateway } = stackNetwork();
    assert.ok(inSubnet(gateway, subnet), `the network gateway ${gateway} is outside ${subnet}`);
    const fixed = [...compose().services].flatMap(([name, definition]) => {
      const found = isMap(definition['networks']) ? stringAt(definition['networks'], 'default', 'ipv4_address') : undefined;
      return found ? [[name, found] as const] : [];
    });
    for (const [name, fixedAddress] of fixed) {
      assert.ok(inSubnet(fixedAddress, subnet), `${name}'s ${fixedAddress} is outside ${subnet}`);
      assert.notEqual(fixedAddress, gateway, `${name} has the network gateway's address`);
    }
    const addresses = fixed.map(([, fixedAddress]) => fixedAddress);
    assert.equal(new Set(addresses).size, addresses.length, `two services share an address: ${addresses.join(', ')}`);
    // nginx resolves the hook URL's host once, at its start: that host must keep its address.
    const hookHost = new URL(environmentOf(service('nginx-rtmp')).get('HOOK_URL') ?? 'http://missing').hostname;
    assert.ok(fixed.some(([name]) => name === hookHost), `${hookHost}, the host of HOOK_URL, has no fixed address`);
  });

  it('requires the secrets and never gives them a default', () => {
    const referenced = new Set<string>();
    for (const value of allStrings(compose().doc)) {
      for (const item of interpolationsIn(value)) {
        if (!SECRETS.includes(item.name)) continue;
        referenced.add(item.name);
        assert.ok(item.operator === ':?' || item.operator === '?', `\${${item.name}} must be written \${${item.name}:?message}, not with ${item.operator ?? 'no operator'}`);
      }
    }
    for (const secret of ['JWT_SECRET', 'STREAMCASTER_SECRET_KEY']) assert.ok(referenced.has(secret), `compose never passes ${secret}`);
  });

  it('sets no variable on a StreamCaster service that .env.example does not document', () => {
    // The services' own configuration. (Third-party images read variables that are theirs to document;
    // nginx-rtmp's variables are its template's placeholders, checked against the template above.)
    const wanted = services.flatMap((name) => [...environmentOf(service(name)).keys()]);
    assert.ok(wanted.length > 0);
    assertDocumented(wanted, 'these variables that compose sets');
  });

  for (const name of services) {
    it(`${name}: compose and the image set only variables that ${name} reads`, async () => {
      const read = await variablesRead(name);
      const fromCompose = [...environmentOf(service(name)).keys()].filter((key) => !read.has(key));
      assert.deepEqual(fromCompose, [], `compose sets ${fromCompose.join(', ')} on ${name}, which ${name} does not read`);
      // NODE_* are Node's own; everything else the image sets is a default for the service.
      const fromImage = [...envOfStage(finalStage(readDockerfile(dockerfilePath(name)))).keys()].filter(
        (key) => !key.startsWith('NODE_') && !read.has(key),
      );
      assert.deepEqual(fromImage, [], `docker/${name}.Dockerfile sets ${fromImage.join(', ')}, which ${name} does not read`);
    });
  }

  it('interpolates no variable that is neither defaulted nor documented in .env.example', () => {
    const undocumented: string[] = [];
    for (const file of ['compose.yaml', 'compose.gpu.yaml']) {
      const doc = file === 'compose.yaml' ? compose().doc : loadCompose(file).doc;
      for (const value of allStrings(doc)) {
        for (const item of interpolationsIn(value)) {
          if (item.operator === null || item.operator.endsWith('?')) undocumented.push(item.name);
        }
      }
    }
    assert.ok(undocumented.length > 0, 'compose interpolates no required variable at all: the secrets are missing');
    assertDocumented(undocumented, 'these variables that compose needs from the environment');
  });

  it('builds the transcoder on the ffmpeg image that compose builds from infra/ffmpeg', () => {
    const build = buildOf('transcoder').definition;
    const imageName = stringAt(build, 'args', 'FFMPEG_IMAGE');
    assert.ok(imageName, 'compose passes no FFMPEG_IMAGE to the transcoder build');
    const context = stringAt(build, 'additional_contexts', imageName);
    assert.ok(context !== undefined && context.startsWith('service:'), `no additional_contexts entry "${imageName}: service:<name>"`);
    const base = buildOf(context.slice('service:'.length));
    assert.equal(relative(root, base.context), join('infra', 'ffmpeg'));
    assert.ok(statSync(base.dockerfile).isFile());
  });

  it('gives the transcoder NVIDIA GPUs, with the video capability, in the GPU override', () => {
    const gpu = loadCompose('compose.gpu.yaml');
    for (const name of gpu.services.keys()) assert.ok(compose().services.has(name), `compose.gpu.yaml overrides ${name}, which compose.yaml lacks`);
    const transcoder = gpu.services.get('transcoder');
    assert.ok(transcoder, 'compose.gpu.yaml does not touch the transcoder');
    const reservations = isMap(transcoder['deploy']) && isMap(transcoder['deploy']['resources']) ? transcoder['deploy']['resources']['reservations'] : undefined;
    const devices = isMap(reservations) ? reservations['devices'] : undefined;
    assert.ok(Array.isArray(devices) && devices.length > 0, 'no device reservation');
    const nvidia = devices.find((device) => isMap(device) && device['driver'] === 'nvidia');
    assert.ok(isMap(nvidia), 'no nvidia device reservation');
    const capabilities = allStrings(nvidia['capabilities'] ?? null);
    for (const capability of ['gpu', 'video']) assert.ok(capabilities.includes(capability), `the reservation lacks the ${capability} capability`);
  });
});

describe('deployment: the test reads files right', () => {
  it('parses the YAML subset, with anchors, merge keys and comments, and refuses what it does not know', () => {
    const doc = parseYaml(
      [
        'x-base: &base',
        '  A: "1" # comment',
        '  B: two',
        'x-url: &url "postgres://u:${P:?x}@db:5432/d"',
        'services:',
        '  one:',
        '    environment:',
        '      <<: *base',
        '      B: three',
        '      URL: *url',
        '    ports:',
        '      - "8080:8080"',
        '    test: ["CMD", \'it\'\'s\', x]',
        '    list:',
        '    - key: value',
        '      other: more',
        "    quote: it's # not a quote",
      ].join('\n'),
      'sample',
    );
    const one = isMap(doc['services']) ? doc['services']['one'] : null;
    assert.ok(isMap(one));
    assert.deepEqual(one['environment'], { B: 'three', URL: 'postgres://u:${P:?x}@db:5432/d', A: '1' });
    assert.deepEqual(one['ports'], ['8080:8080']);
    assert.deepEqual(one['test'], ['CMD', "it's", 'x']);
    assert.deepEqual(one['list'], [{ key: 'value', other: 'more' }]);
    assert.equal(one['quote'], "it's");
    assert.throws(() => parseYaml('a: |\n  text', 'block'), YamlError);
    assert.throws(() => parseYaml('a: b\n  c: d', 'indent'), YamlError);
    assert.throws(() => parseYaml('a: 1\na: 2', 'duplicate'), YamlError);
    assert.throws(() => parseYaml('a: *missing', 'alias'), YamlError);
  });

  it('reads compose interpolations and .dockerignore rules as Docker does', () => {
    assert.deepEqual(
      interpolationsIn('a ${X:-${Y}} $$NOT $Z ${W:?need}').map((item) => [item.name, item.operator]),
      [['X', ':-'], ['Y', null], ['Z', null], ['W', ':?']],
    );
    assert.equal(withoutInterpolations('postgres://u:${P:?x}@db:5432/d'), 'postgres://u:interpolated@db:5432/d');
    assert.ok(globToRegExp('**/node_modules').test('apps/x/node_modules'));
    assert.ok(globToRegExp('**/node_modules').test('node_modules'));
    assert.ok(!globToRegExp('dist').test('apps/dist'));
    assert.ok(globToRegExp('*.log').test('a.log') && !globToRegExp('*.log').test('x/a.log'));
  });
});
