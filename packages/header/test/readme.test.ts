/**
 * Keeps the README true to the code: its usage block runs as written, and every line it
 * prints matches the `// → …` comment beside the `console.log` call.
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
    expect(expected.length).toBeGreaterThanOrEqual(4);
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

  it('shows every wire diagram that the sources document and test', () => {
    const titles = [
      'defaults (u32be): 4-byte length of the payload, header stripped',
      'u16le: 2-byte little-endian length',
      'bytesToStrip 0: the length field stays in the frame',
      'lengthIncludesHeader: the length counts its own 2 bytes',
      'lengthFieldOffset 2: a 3-byte length after 2 bytes of another header (decode only)',
      'lengthAdjustment 2: 2 more bytes follow the length than it counts',
      'offset 1, adjustment 1, strip 3: keep only what follows the length field',
      'offset 1, length counts the whole frame, strip 3',
      'varint: 300-byte payload behind a 2-byte varint',
      'varint: lengths up to 127 take one byte',
      "ascii:10: the tutorial's header",
      'ascii:4: right-aligned digits are read too',
      'netstring: "hello world!"',
      'netstring: the empty string',
    ];
    const sources = ['length-prefix', 'varint', 'ascii', 'netstring'].map((name) => ({
      source: readFileSync(`${packageDir}src/${name}.ts`, 'utf8'),
      tests: readFileSync(`${packageDir}src/${name}.test.ts`, 'utf8'),
    }));
    for (const title of titles) {
      expect(readme, title).toContain(`\n${title}\n`);
      expect(sources.some(({ source }) => source.includes(` * ${title}\n`)), `TSDoc: ${title}`).toBe(true);
      const quoted = [`'${title}'`, `"${title}"`];
      expect(sources.some(({ tests }) => quoted.some((q) => tests.includes(`it(${q}`))), `test: ${title}`).toBe(true);
    }
    // The diagram bodies are identical in README and TSDoc.
    for (const { source } of sources) {
      const tsdoc = /```text\n([\s\S]*?) \* ```/.exec(source)?.[1];
      if (tsdoc === undefined) continue;
      const body = tsdoc.replace(/^ \* ?/gm, '').trim();
      for (const diagram of body.split(/\n\n(?=\S)/)) expect(readme).toContain(diagram.trim());
    }
  });
});
