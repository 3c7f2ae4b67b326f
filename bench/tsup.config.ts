import { defineConfig } from 'tsup';
import { preset } from '../tsup.base.js';

// The suite is a program, not a library: no declarations. Three entries, because the
// orchestrator, the per-cell child process and the TCP peer thread are separate programs.
// Every package is imported from node_modules as published (the peers are devDependencies,
// which tsup would otherwise bundle).
export default defineConfig({
  ...preset(['src/run.ts', 'src/cell.ts', 'src/tcp-peer.ts']),
  dts: false,
  skipNodeModulesBundle: true,
});
