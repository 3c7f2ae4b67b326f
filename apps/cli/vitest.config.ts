import { defineConfig } from 'vitest/config';
import { base } from '../../vitest.base.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // Builds the CLI once (test/global-setup.ts) so tests can spawn it as a child process.
    globalSetup: ['test/global-setup.ts'],
  },
});
