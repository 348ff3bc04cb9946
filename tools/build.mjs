// Compiles the whole workspace in one TypeScript program (apps, libs, tools, tests, bench) into dist/,
// then makes the `@streamcaster/*` path aliases resolvable at run time: Node resolves a bare specifier
// by walking up to dist/node_modules, where each lib is linked with a package.json of its own.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

// Always from scratch: a file deleted from the sources must not live on in dist/ (a stale test would
// still run, a stale module still resolve).
rmSync(dist, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
} catch {
  console.error('build: TypeScript reported errors (above); nothing was linked.');
  process.exit(1);
}

const scope = join(dist, 'node_modules', '@streamcaster');
rmSync(scope, { recursive: true, force: true });
mkdirSync(scope, { recursive: true });
for (const lib of readdirSync(join(root, 'libs'))) {
  const compiled = join(dist, 'libs', lib);
  if (!existsSync(join(compiled, 'src', 'index.js'))) continue;
  writeFileSync(
    join(compiled, 'package.json'),
    JSON.stringify({ name: `@streamcaster/${lib}`, type: 'module', exports: './src/index.js' }, null, 2) + '\n',
  );
  symlinkSync(relative(scope, compiled), join(scope, lib), 'dir');
}
