import type { Options } from 'tsup';

/**
 * The one tsup preset every package builds with: ESM + `.d.ts`, sourcemaps, Node 20 syntax.
 * Kept to options tsdown also understands (entry, format, dts, sourcemap, clean, target).
 */
export function preset(entry: string[] = ['src/index.ts']): Options {
  return {
    entry,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
  };
}
