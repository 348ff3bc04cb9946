import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** Variables a config file declares: every `field('NAME', ...)`, read from the source. */
function declaredVariables(configSource: string): string[] {
  return [...configSource.matchAll(/field\(\s*'([A-Z][A-Z0-9_]*)'/g)].map((match) => match[1]!);
}

const documented = new Set(
  readFileSync('.env.example', 'utf8')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined),
);

const configFiles = [
  'libs/service-kit/src/config/common.config.ts',
  ...readdirSync('apps').flatMap((app) => {
    const directory = join('apps', app, 'src', 'config');
    try {
      return readdirSync(directory)
        .filter((name) => name.endsWith('.config.ts'))
        .map((name) => join(directory, name));
    } catch {
      return [];
    }
  }),
];

describe('.env.example', () => {
  it('finds the config files of the four services and the shared one', () => {
    assert.ok(configFiles.length >= 5, `only found ${configFiles.join(', ')}`);
  });

  for (const file of configFiles) {
    it(`lists every variable of ${file}`, () => {
      const variables = declaredVariables(readFileSync(file, 'utf8'));
      assert.ok(variables.length > 0, `no field('NAME', ...) found in ${file}`);
      const missing = variables.filter((name) => !documented.has(name));
      assert.deepEqual(missing, [], `${file} reads variables that .env.example does not list`);
    });
  }
});
