import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { base } from '../../../vitest.base.js';

/**
 * Builds `framewire` from the current sources into `test-output/stress/bin.js`, sibling
 * packages bundled in from their sources (as every vitest run here resolves them), so the
 * stress suite spawns exactly the code under test and never races with a `dist/` rebuild or
 * with the unit tests' own bundle.
 */
export default async function setup(): Promise<void> {
  const alias = base.resolve?.alias as Record<string, string>;
  await build({
    config: false,
    entry: { bin: fileURLToPath(new URL('../src/bin.ts', import.meta.url)) },
    outDir: fileURLToPath(new URL('../test-output/stress', import.meta.url)),
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: false,
    sourcemap: false,
    clean: true,
    silent: true,
    noExternal: Object.keys(alias),
    esbuildOptions(options) {
      options.alias = { ...options.alias, ...alias };
    },
  });
}
