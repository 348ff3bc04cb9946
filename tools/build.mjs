// Compiles the whole workspace in one TypeScript program (apps, libs, tools, tests, bench) into dist/,
// then makes the `@streamcaster/*` path aliases resolvable at run time: Node resolves a bare specifier
// by walking up to dist/node_modules, where each lib is linked with a package.json of its own.
// Last, the dashboard: type-checked with its own tsconfig (DOM, JSX), bundled by Vite into
// dist/apps/dashboard (which the gateway serves at /), and held to its first-load budget.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
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

const dashboard = join(root, 'apps', 'dashboard');
try {
  execFileSync(process.execPath, [tsc, '-p', join(dashboard, 'tsconfig.json'), '--noEmit'], { stdio: 'inherit', cwd: root });
} catch {
  console.error('build: the dashboard has TypeScript errors (above).');
  process.exit(1);
}
const { build: viteBuild } = await import('vite');
try {
  await viteBuild({ configFile: join(dashboard, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
} catch (error) {
  console.error(`build: the dashboard's bundle failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

// The first load: the entry chunk and every chunk it imports statically (what the browser fetches
// before the start page works); lazy pages, the player and the charts come later.
const FIRST_LOAD_BUDGET_BYTES = 300 * 1000;
const dashboardDist = join(dist, 'apps', 'dashboard');
const manifest = JSON.parse(readFileSync(join(dashboardDist, '.vite', 'manifest.json'), 'utf8'));
const firstLoad = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || firstLoad.has(chunk.file)) return;
  firstLoad.add(chunk.file);
  for (const imported of chunk.imports ?? []) visit(imported);
};
for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
let gzipped = 0;
for (const file of firstLoad) if (file.endsWith('.js')) gzipped += gzipSync(readFileSync(join(dashboardDist, file))).length;
const kilobytes = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
console.log(`build: dashboard first load ${kilobytes(gzipped)} of JavaScript gzipped (budget ${kilobytes(FIRST_LOAD_BUDGET_BYTES)})`);
if (gzipped > FIRST_LOAD_BUDGET_BYTES) {
  console.error("build: the dashboard's first load is over its budget: move what the start page does not need behind a lazy import.");
  process.exit(1);
}

// Every compressible asset also as `<name>.gz` (the best level, once, at build time): the gateway sends
// it to browsers that accept gzip instead of compressing the same bytes on every request.
const assetsDir = join(dashboardDist, 'assets');
for (const name of readdirSync(assetsDir)) {
  if (!/\.(js|css|svg|json|map)$/.test(name)) continue;
  const bytes = readFileSync(join(assetsDir, name));
  writeFileSync(join(assetsDir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
}
