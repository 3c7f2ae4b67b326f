/**
 * `framewire demo` tells the tutorial's story; colours and progress bars appear on a
 * terminal only. Terminal runs go through util-linux `script`, which gives the command a
 * real pseudo-terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, childEnv, finished, runCli, startServer, track } from './cli.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/;

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('terminal tests skipped: util-linux `script` was not found on PATH');

/** Runs the CLI on a pseudo-terminal; resolves with everything it printed (stdout and stderr). */
async function onTerminal(args: readonly string[], env: Record<string, string> = {}) {
  const command = [process.execPath, CLI, ...args].map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(' ');
  const child = track(spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(env) }));
  return finished(child, 20_000, `script ${args.join(' ')}`);
}

const dir = mkdtempSync(join(tmpdir(), 'framewire-demo-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('framewire demo', () => {
  it('tells the story, plain when piped', async () => {
    const result = await runCli(['demo'], { timeoutMs: 20_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.out;
    expect(out).not.toMatch(ANSI);
    const steps = [
      /1\. A server sends "Hey there!!!"; the client reads with recv\(8\)/,
      /client recv\(8\)\s+→ "Hey ther" · "e!!!"/,
      /2\. Three messages sent back-to-back, no framing/,
      /client recv\(1024\)\s+→ "HelloHow are you\?Bye"/,
      /client recv\(8\)\s+→ "HelloHow" · " are you" · "\?Bye"/,
      /3\. Header framing: ascii:10/,
      /on the wire\s+→ "5 {9}Hello12 {8}How are you\?3 {9}Bye"/,
      /decoded \(ascii:10\)\s+→ "Hello" · "How are you\?" · "Bye"/,
      /4\. Footer framing: line/,
      /decoded \(line\)\s+→ "Hello" · "How are you\?" · "Bye"/,
      /5\. But a bare delimiter breaks when the payload contains it/,
      /decoded \(line\)\s+→ "first line" · "second line"/,
      /✗ one message arrived as 2/,
      /refuses it instead: ERR_UNENCODABLE_PAYLOAD/,
      /6\. COBS fixes it/,
      /decoded \(cobs\)\s+→ "line\\none\\x00\\xff"/,
      /Try it yourself:/,
    ];
    let at = 0;
    for (const step of steps) {
      const match = step.exec(out.slice(at));
      expect(match, `${String(step)} after offset ${at}`).not.toBeNull();
      at += match!.index + match![0].length;
    }
    expect(out.match(/✓ exactly/g)).toHaveLength(3);
  });

  it('uses colours with FORCE_COLOR, and never with NO_COLOR', async () => {
    const forced = await runCli(['demo'], { env: { FORCE_COLOR: '1' } });
    expect(forced.out).toMatch(ANSI);
    const both = await runCli(['demo'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(both.out).not.toMatch(ANSI);
  });
});

describe.skipIf(!hasScript)(`on a terminal${hasScript ? '' : ' (skipped: `script` not found)'}`, () => {
  it('the demo is coloured, unless NO_COLOR is set', async () => {
    const coloured = await onTerminal(['demo']);
    expect(coloured.code).toBe(0);
    expect(coloured.out).toMatch(ANSI);
    expect(coloured.out).toContain('Hey ther');
    const plain = await onTerminal(['demo'], { NO_COLOR: '1' });
    expect(plain.code).toBe(0);
    expect(plain.out).not.toMatch(ANSI);
    expect(plain.out).toContain('Hey ther');
  });

  it('connect shows a progress bar for a large --message-file, and none when piped', async () => {
    const file = join(dir, 'big.bin');
    writeFileSync(file, randomBytes(2 * 1024 * 1024));
    const server = await startServer(['--framing', 'cobs', '--echo', '--quiet']);
    const args = ['connect', '--port', String(server.port), '--framing', 'cobs', '--expect', '1', '--hex', '--message-file', file];
    const tty = await onTerminal(args);
    expect(tty.code).toBe(0);
    expect(tty.out).toMatch(/sending .*big\.bin \[.*\] 100% \| 2 MiB\/2 MiB/);
    const piped = await runCli(args);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.out.trim().length).toBe(2 * 2 * 1024 * 1024);
    expect((await server.stop()).code).toBe(0);
  });
});
