import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
});

it("runs the README's usage block as written", async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toContain("from '@framewire/transport'");
  // The same code, importing the package from its sources.
  const outDir = new URL('../test-output/', import.meta.url);
  mkdirSync(outDir, { recursive: true });
  const file = new URL('readme-usage.ts', outDir);
  writeFileSync(file, block!.replace("from '@framewire/transport'", "from '../src/index.js'"));

  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    lines.push(String(line));
  });
  await import(/* @vite-ignore */ file.href);
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/^Connection from 127\.0\.0\.1:\d+ has been established\.$/);
  expect(lines.slice(1)).toEqual(['Hey ther', 'e!!!']);
});
