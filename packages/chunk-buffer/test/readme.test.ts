/**
 * Keeps README.md true to the code: every ```ts block is type-checked (with the repository's
 * strict compiler options) and run, and when a ```text block follows it directly, what the
 * example prints with console.log must equal that block. A block whose first line is
 * `// file: NAME.ts` is saved under that name, so later blocks can import it (`./NAME.js`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import ts from 'typescript';
import { afterAll, describe, expect, it, vi } from 'vitest';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

interface Block {
  lang: string;
  code: string;
  line: number;
}

function blocks(markdown: string): { block: Block; output: string | undefined }[] {
  const found: (Block & { endLine: number })[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    found.push({ lang: open[1]!, code: body.join('\n') + '\n', line: start + 1, endLine: i });
  }
  return found
    .filter((b) => b.lang === 'ts')
    .map((block) => {
      const next = found.find((b) => b.line > block.endLine);
      const between = next ? lines.slice(block.endLine + 1, next.line - 1) : [];
      const adjacent = next?.lang === 'text' && between.every((l) => l.trim() === '');
      return { block, output: adjacent ? next.code.trimEnd() : undefined };
    });
}

const examples = blocks(readme);
const dir = mkdtempSync(join(tmpdir(), 'chunk-buffer-readme-'));
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
const files = examples.map(({ block }, k) => {
  const named = /^\/\/ file: ([\w.-]+\.ts)\n/.exec(block.code);
  const file = join(dir, named ? named[1]! : `example-${k + 1}.ts`);
  writeFileSync(file, block.code);
  return file;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('README.md', () => {
  it('has examples, each with a unique file', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
    expect(new Set(files).size).toBe(files.length);
  });

  it('every example type-checks with the strict repository settings', () => {
    const rootDir = resolve(packageDir, '../..');
    const config = ts.readConfigFile(join(rootDir, 'tsconfig.base.json'), (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, rootDir);
    const options: ts.CompilerOptions = {
      ...parsed.options,
      noEmit: true,
      // Node's own global types (streams, TextEncoder) suffice, and skipping lib.dom halves the time.
      lib: ['lib.es2022.d.ts'],
      typeRoots: [join(rootDir, 'node_modules/@types')],
      paths: { '@framewire/chunk-buffer': [join(packageDir, 'src/index.ts')] },
    };
    const program = ts.createProgram(files, options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
  }, 60_000); // loading @types/node takes seconds on a busy machine

  examples.forEach(({ block, output }, k) => {
    it(`example at README.md:${block.line} runs${output === undefined ? '' : ' and prints what the README shows'}`, async () => {
      const printed: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        printed.push(format(...args));
      });
      try {
        await import(files[k]!);
      } finally {
        spy.mockRestore();
      }
      if (output !== undefined) expect(printed.join('\n')).toBe(output);
    });
  });
});
