import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseAllDocuments, type Document } from 'yaml';

export type YamlRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is YamlRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every document of a YAML file as plain values; merge keys (<<) applied, duplicate keys refused. */
export function readYamlDocuments(path: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'), { merge: true, uniqueKeys: true });
  const list: Document[] = Array.isArray(documents) ? documents : [documents];
  return list.map((document) => {
    const problems = [...document.errors, ...document.warnings].map((problem) => problem.message);
    assert.deepEqual(problems, [], `${relative(process.cwd(), path)} is not valid YAML`);
    return document.toJS({ maxAliasCount: -1 }) as unknown;
  });
}

export function readYamlFile(path: string): YamlRecord {
  const [document, ...more] = readYamlDocuments(path);
  assert.equal(more.length, 0, `${relative(process.cwd(), path)} holds more than one document`);
  assert.ok(isRecord(document), `${relative(process.cwd(), path)} is not a mapping`);
  return document;
}

/** The value at a path of keys, or undefined. */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

/** A scalar as the string a container gets (compose and Kubernetes turn numbers and booleans into text). */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
