import { defineConfig } from 'vitest/config';
import { base } from '../../vitest.base.js';

/**
 * The stress suite, `pnpm test:stress` (the `*.stress.ts` files under `stress/`): hostile
 * input, backpressure, faults, load and security defaults, against the built `framewire`
 * command and the libraries over real loopback sockets. Files run one at a time, each in
 * its own process, so the memory figures of one never include another's work;
 * `--expose-gc` lets a test settle the heap before taking a baseline.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['stress/**/*.stress.ts'],
    // Builds the CLI from the current sources into test-output/stress/ (spawned by the tests).
    globalSetup: ['stress/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    execArgv: ['--expose-gc'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
