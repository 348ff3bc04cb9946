// Lint: typescript-eslint with type information (floating promises, unsafe `any` at boundaries) and
// Nx module boundaries by tag, so that an app never imports another app and contracts stay plain.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// What an app's own code may import: the shared libraries and the contracts. Never libs/testing
// (fakes, stand-ins and test environments have no place in a running service) and never libs/stack.
const APP_SOURCE = { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] };
// An app's tests (apps/<app>/test, *.spec.ts) also use the test environments and the stack's pieces
// (a real nginx-rtmp from the production template, say).
const APP_TESTS = { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing', 'type:stack'] };

// What a library may import; its own integration tests (libs/<lib>/test) also use libs/testing.
const LIB_SOURCE = { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] };
const LIB_TESTS = { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] };

/** Nx tag constraints; the rows of apps and libraries differ between their code and their tests. */
function moduleBoundaries(appConstraint, libConstraint = LIB_SOURCE) {
  return [
    'error',
    {
      allow: [],
      banTransitiveDependencies: true,
      depConstraints: [
        // Contracts are plain TypeScript shared with the dashboard: they import no other project.
        { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
        libConstraint,
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:stack', 'type:lib', 'type:contracts'] },
        // An app never imports another app: services talk over the bus.
        appConstraint,
        // The stack runner (nginx-rtmp and the services as processes) is for `npm start`, tests and benchmarks.
        { sourceTag: 'type:stack', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
        { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:stack', 'type:lib', 'type:contracts'] },
        { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:stack', 'type:lib', 'type:contracts', 'type:testing'] },
        { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:stack', 'type:lib', 'type:contracts', 'type:testing'] },
      ],
    },
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'var/**', '.nx/**', 'apps/dashboard/**', '**/*.mjs', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises that the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      '@nx/enforce-module-boundaries': moduleBoundaries(APP_SOURCE),
    },
  },
  {
    files: ['apps/*/test/**/*.ts', 'apps/*/src/**/*.spec.ts', 'apps/*/src/**/*.int-spec.ts'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(APP_TESTS) },
  },
  {
    // Each service's config is an abstract class (the DI token) merged with the interface of its
    // validated values, so that features inject it by type without @Inject.
    files: ['apps/*/src/config/*.config.ts'],
    rules: { '@typescript-eslint/no-unsafe-declaration-merging': 'off', '@typescript-eslint/no-empty-object-type': 'off' },
  },
  {
    // Tests and tools print on purpose.
    files: ['tests/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts', '**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // A library's own integration tests run it on the machine's backbone through libs/testing,
    // which the library itself never imports.
    files: ['libs/*/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(APP_SOURCE, LIB_TESTS) },
  },
);
