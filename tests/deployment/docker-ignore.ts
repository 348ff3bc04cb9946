// .dockerignore as Docker applies it, to tell what a build context holds.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

export function globToRegExp(pattern: string): RegExp {
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
export function dockerIgnored(ignoreFile: string | null, path: string): boolean {
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
