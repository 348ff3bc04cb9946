// Dockerfiles as Docker reads them: stages, instructions (continuation lines joined, comments dropped),
// ARG defaults before the first FROM applied to the base images. Refuses what it cannot read.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { posix, relative } from 'node:path';

const root = process.cwd();

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string | null;
  /** The image the stage starts from, with ARG defaults applied; a stage name when it builds on one. */
  from: string;
  instructions: Instruction[];
  /** The stage's source text from its FROM line up to the next FROM. */
  text: string;
}

export interface Dockerfile {
  path: string;
  stages: Stage[];
}

export function readDockerfile(path: string): Dockerfile {
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

export function finalStage(dockerfile: Dockerfile): Stage {
  const last = dockerfile.stages.at(-1);
  assert.ok(last);
  return last;
}

export function stageNamed(dockerfile: Dockerfile, name: string): Stage | undefined {
  return dockerfile.stages.find((stage) => stage.name === name);
}

/** The image a stage ultimately starts from, following FROM <earlier stage>. */
export function baseImage(dockerfile: Dockerfile, stage: Stage): string {
  const parent = stageNamed(dockerfile, stage.from);
  return parent && parent !== stage ? baseImage(dockerfile, parent) : stage.from;
}

export const isNode24Image = (image: string) => /^(?:docker\.io\/)?(?:library\/)?node:24(?:[.-]|$)/.test(image);

export function instructions(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** Exec form (JSON array) of CMD or ENTRYPOINT; shell form is refused: it would make sh PID 1. */
export function execForm(instruction: Instruction | undefined, what: string): string[] {
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

export interface Copy {
  from: string | null;
  sources: string[];
  destination: string;
  line: number;
}

export function copies(stage: Stage): Copy[] {
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
export function workdirAt(stage: Stage, line: number): string {
  let workdir = '/';
  for (const instruction of instructions(stage, 'WORKDIR')) {
    if (instruction.line < line) workdir = posix.resolve(workdir, instruction.args);
  }
  return workdir;
}

/** Where a single-source COPY puts its source inside the image. */
export function copyTarget(stage: Stage, copy: Copy, source: string): string {
  const base = posix.resolve(workdirAt(stage, copy.line), copy.destination);
  return copy.destination.endsWith('/') || copy.destination === '.' ? posix.join(base, posix.basename(source)) : base;
}

export function envOfStage(stage: Stage): Map<string, string> {
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

export function exposedPorts(stage: Stage): number[] {
  return instructions(stage, 'EXPOSE').flatMap((instruction) =>
    instruction.args.split(/\s+/).map((port) => Number(port.replace(/\/(tcp|udp)$/, ''))),
  );
}

/** The command of the stage's HEALTHCHECK (exec form), or undefined when it has none. */
export function healthcheckCommand(stage: Stage): string[] | undefined {
  const healthcheck = instructions(stage, 'HEALTHCHECK').at(-1);
  if (!healthcheck) return undefined;
  const command = /(?:^|\s)CMD\s+(.*)$/.exec(healthcheck.args)?.[1];
  assert.ok(command, `HEALTHCHECK without CMD: ${healthcheck.args}`);
  return execForm({ ...healthcheck, args: command }, 'HEALTHCHECK CMD');
}
