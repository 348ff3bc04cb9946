// Lint: typescript-eslint with type information (floating promises, unsafe `any` at boundaries) and
// Nx module boundaries by tag, so that an app never imports another app and contracts stay plain.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Which kind of project may import which (Nx tags). */
const depConstraints = [
  // Contracts are plain TypeScript shared with the dashboard: they import no other project.
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:stack', 'type:lib', 'type:contracts'] },
  // An app never imports another app: services talk over the bus.
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
  // The stack runner (nginx-rtmp and the services as processes) is for `npm start`, tests and benchmarks.
  { sourceTag: 'type:stack', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:stack', 'type:lib', 'type:contracts'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:stack', 'type:lib', 'type:contracts', 'type:testing'] },
  { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:stack', 'type:lib', 'type:contracts', 'type:testing'] },
];

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
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          banTransitiveDependencies: true,
          depConstraints,
        },
      ],
    },
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
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          banTransitiveDependencies: true,
          depConstraints: depConstraints.map((constraint) =>
            constraint.sourceTag === 'type:lib' ? { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:testing'] } : constraint,
          ),
        },
      ],
    },
  },
);
