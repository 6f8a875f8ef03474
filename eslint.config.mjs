// ESLint flat config. Typed rules (no-floating-promises) use the TypeScript project service.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries,
// no NestJS, no client/worker/activity packages. Activities are imported as types only.
const forbiddenInWorkflows = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'pg',
  'nodemailer',
  'pdfkit',
  '@nestjs/*',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.tools/**', 'coverage/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    // NestJS resolves constructor parameters from emitted decorator metadata, which needs the
    // parameter types as values: a `import type` would silently break dependency injection.
    files: ['apps/**/*.ts', 'libs/*/src/**/*.module.ts', 'libs/*/src/**/*.controller.ts', 'libs/*/src/**/*.service.ts', 'libs/*/src/**/*.guard.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbiddenInWorkflows.filter((m) => !m.includes('*')).map((name) => ({ name, message: 'Workflow code must stay deterministic: no Node built-ins or I/O libraries (see DESIGN.md).' })),
          patterns: [
            { group: ['@nestjs/*'], message: 'Workflow code must not import NestJS.' },
            { group: ['**/activities/**', '!**/activities/**/*.d.ts'], allowTypeImports: true, message: 'Import activities with `import type` only; call them through proxyActivities.' },
            { group: ['**/libs/*/src/**', '!**/libs/domain/**'], message: 'Workflows may import only libs/domain.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setInterval', message: 'Use workflow timers (sleep/condition).' }],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/apps/**', '**/workflows/**', '**/activities/**'], allowTypeImports: true, message: 'libs/* never import apps, workflows or activities (DESIGN.md).' }] },
      ],
    },
  },
);
