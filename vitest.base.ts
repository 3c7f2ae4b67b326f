import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const src = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

/**
 * Shared vitest settings. Tests import sibling packages from their sources, so one layer's
 * tests never wait for (or race with) another layer's build; typecheck and the published
 * `dist/` still go through each package's `exports` map.
 */
export const base: ViteUserConfig = {
  resolve: {
    alias: {
      '@framewire/chunk-buffer': src('chunk-buffer'),
      '@framewire/header': src('header'),
      '@framewire/footer': src('footer'),
      '@framewire/transport': src('transport'),
      '@framewire/conformance': src('conformance'),
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
};
