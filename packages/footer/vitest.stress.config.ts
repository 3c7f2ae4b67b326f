import { defineConfig } from 'vitest/config';
import { base } from '../../vitest.base.js';

/**
 * The stress suite, `pnpm test:stress` (the `*.stress.ts` files under `stress/`): long,
 * bounded runs over large streams. Files run one at a time, each in its own process.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['stress/**/*.stress.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
  },
});
