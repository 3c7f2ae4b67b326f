// One flat config for the whole monorepo; each package runs `eslint .` from its folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  // tsup.config.bundled_*.mjs: the temporary file tsup writes (and deletes) while a package
  // builds, which turbo may run at the same time as that package's lint.
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/test-output/**', '**/.turbo/**', '**/tsup.config.bundled_*'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // noUncheckedIndexedAccess makes every byte read `number | undefined`; hot byte loops
      // index within checked bounds and assert instead of re-checking.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Plain JavaScript that tests run in a child process: linted without type information.
    files: ['packages/*/test/fixtures/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The protocol layers run unchanged in browsers, Deno and Bun: no Node built-ins in their sources.
    files: ['packages/chunk-buffer/src/**/*.ts', 'packages/header/src/**/*.ts', 'packages/footer/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'Protocol packages must not import Node built-ins.' }] }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'Use Uint8Array: protocol packages run outside Node too.' }, 'process'],
    },
  },
);
