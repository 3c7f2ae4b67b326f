import { defineConfig } from 'vitest/config';
import { base } from '../../vitest.base.js';

/**
 * The stress suite, `pnpm test:stress` (the `*.stress.ts` files under `stress/`): long, bounded runs over
 * real loopback sockets. Files run one at a time, each in its own process, so memory
 * measurements see only their own test; `--expose-gc` lets a test settle the heap before
 * taking a baseline.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['stress/**/*.stress.ts'],
    pool: 'forks',
    fileParallelism: false,
    execArgv: ['--expose-gc'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
