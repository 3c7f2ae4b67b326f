import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

/**
 * Builds the CLI from the current sources into `test-output/cli/bin.js` — the same bundle
 * `pnpm build` writes to `dist/`, without the type declarations — so every test spawns the
 * built command. A separate folder keeps tests from racing with a concurrent `tsup` that
 * cleans `dist/` (turbo runs `build` and `test` side by side). Sibling packages resolve to
 * their built `dist/`, as they do for users.
 */
export default async function setup(): Promise<void> {
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
  });
}
