// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import { boundaries } from './eslint.boundaries.mjs';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'generated', '.tools', '.data', 'coverage', 'test-artifacts'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs', 'api/public/*/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O, no randomness or
    // wall-clock reads (workflow time comes from the sandbox's Date; see workflows/clock.ts).
    files: ['workflows/**/*.ts'],
    rules: {
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use the workflow random of @temporalio/workflow (uuid4) instead.',
        },
        {
          object: 'Date',
          property: 'now',
          message: "Read workflow time through the workflow's now() helper.",
        },
      ],
    },
  },
  // The layers point down only (eslint.boundaries.mjs).
  ...boundaries,
  {
    // Long functions hide the procedure: the workflow, the routes and the services stay readable in parts.
    files: ['workflows/**/*.ts', 'api/**/*.ts', 'services/**/*.ts', 'adapters/**/*.ts', 'activities/**/*.ts'],
    rules: { 'max-lines-per-function': ['warn', { max: 200, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node },
  },
  {
    // The pages the API serves run in the browser, as plain scripts.
    files: ['api/public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    // Command-line tools and benchmarks print what they measured.
    files: ['scripts/**', 'test/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Test doubles and supertest bodies are loosely typed on purpose.
    files: ['test/**', 'scripts/dev/case-fakes.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
