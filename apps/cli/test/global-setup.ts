import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { base } from '../../../vitest.base.js';

/**
 * Builds the CLI from the current sources into `test-output/cli/bin.js` — the same bundle
 * `pnpm build` writes to `dist/`, without the type declarations — so every test spawns the
 * built command. A separate folder keeps tests from racing with a concurrent `tsup` that
 * cleans `dist/` (turbo runs `build` and `test` side by side). As in every vitest run here
 * (`vitest.base.ts`), sibling packages come from their sources, bundled in, so the tests
 * never wait for, or race with, another package's build.
 */
export default async function setup(): Promise<void> {
  const alias = base.resolve?.alias as Record<string, string>;
  const siblings = Object.keys(alias);
  await build({
    config: false,
    entry: { bin: fileURLToPath(new URL('../src/bin.ts', import.meta.url)) },
    outDir: fileURLToPath(new URL('../test-output/cli', import.meta.url)),
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: false,
    sourcemap: false,
    clean: true,
    silent: true,
    noExternal: siblings,
    esbuildOptions(options) {
      options.alias = { ...options.alias, ...alias };
    },
  });
}
