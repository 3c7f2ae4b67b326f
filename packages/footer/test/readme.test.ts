/**
 * Keeps the README true to the code: its usage block runs as written and prints what its
 * `// → …` comments say, and its wire diagrams are the ones the sources document and test.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${packageDir}README.md`, 'utf8');

describe('README', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('opens with a usage block that runs and prints what its comments say', async () => {
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const expected = [...block!.matchAll(/console\.log\(.*\); \/\/ → (.*)$/gm)].map((m) => m[1]);
    expect(expected.length).toBeGreaterThanOrEqual(5);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(format(...args));
    });
    // Written inside the package (test-output/ is git-ignored) so the workspace aliases apply.
    mkdirSync(`${packageDir}test-output`, { recursive: true });
    const file = `${packageDir}test-output/readme-usage.ts`;
    writeFileSync(file, block!);
    await import(/* @vite-ignore */ `${file}?t=${Date.now()}`);
    expect(printed).toEqual(expected);
  });

  it('shows the wire diagrams of the sources, each body identical', () => {
    for (const name of ['delimiter', 'line', 'crlf', 'nul', 'cobs', 'slip']) {
      const source = readFileSync(`${packageDir}src/${name}.ts`, 'utf8');
      const tsdoc = /```text\n([\s\S]*?) \* ```/.exec(source)?.[1];
      expect(tsdoc, `a diagram in src/${name}.ts`).toBeDefined();
      const body = tsdoc!.replace(/^ \* ?/gm, '').trim();
      for (const diagram of body.split(/\n\n(?=\S)/)) expect(readme, `src/${name}.ts`).toContain(diagram.trim());
    }
  });

  it('names every strategy and error code it documents as the code does', async () => {
    const { FOOTER_STRATEGY_NAMES } = await import('../src/index.js');
    for (const name of FOOTER_STRATEGY_NAMES) expect(readme).toContain(`| \`${name}\` |`);
    for (const code of ['ERR_FRAME_TOO_LARGE', 'ERR_MALFORMED_FRAME', 'ERR_UNENCODABLE_PAYLOAD', 'ERR_TRUNCATED_FRAME']) {
      expect(readme).toContain(`| \`${code}\` |`);
    }
  });
});
