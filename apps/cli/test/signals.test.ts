/**
 * Ctrl-C during a progress bar. The bar hides the cursor and turns line wrapping off while it
 * is drawn; SIGINT must put both back before the process ends by the signal (status 130), or
 * the user's terminal is left without a cursor. Runs go through util-linux `script`, which
 * gives the command a real pseudo-terminal; the shell inside prints the command's PID, and the
 * test signals that PID once the bar is on screen.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, childEnv, finished, track } from './cli.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('terminal tests skipped: util-linux `script` was not found on PATH');

const SHOW_CURSOR = '\u001b[?25h';
const WRAP_ON = '\u001b[?7h';

const dir = mkdtempSync(join(tmpdir(), 'framewire-signals-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const quote = (word: string): string => `'${word.replace(/'/g, "'\\''")}'`;

/**
 * Starts `framewire ...args` on a pseudo-terminal, waits (bounded) until its output matches
 * `ready`, sends it SIGINT by its PID, and resolves with everything printed and its status.
 */
async function interruptOnTerminal(args: readonly string[], ready: RegExp): Promise<{ output: string; status: string }> {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const shell = `${command} & echo "pid=$!"; wait $!; echo "status=$?"`;
  const child: ChildProcess = track(spawn('script', ['-qec', shell, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() }));
  let output = '';
  let pid: number | undefined;
  const result = finished(child, 30_000, `script ${args.join(' ')}`);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no ${String(ready)} within 20 s; output:\n${output}`));
      }, 20_000);
      const check = (): void => {
        const found = /pid=(\d+)/.exec(output);
        if (found !== null) pid = Number(found[1]);
        if (pid !== undefined && ready.test(output)) {
          clearTimeout(timer);
          child.stdout?.removeListener('data', onData);
          resolve();
        }
      };
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        check();
      };
      child.stdout?.on('data', onData);
      child.once('close', () => {
        clearTimeout(timer);
        reject(new Error(`ended before ${String(ready)}; output:\n${output}`));
      });
    });
    process.kill(pid!, 'SIGINT');
  } catch (error) {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    throw error;
  }
  const done = await result;
  const all = done.out;
  return { output: all, status: /status=(\d+)/.exec(all)?.[1] ?? '' };
}

describe.skipIf(!hasScript)(`Ctrl-C during a progress bar${hasScript ? '' : ' (skipped: `script` not found)'}`, () => {
  it('compare shows the cursor and turns line wrapping back on, then ends by SIGINT', async () => {
    const { output, status } = await interruptOnTerminal(['compare'], /measuring .*\d+\/\d+/);
    const afterBar = output.slice(output.lastIndexOf('measuring'));
    expect(afterBar).toContain(SHOW_CURSOR);
    expect(afterBar).toContain(WRAP_ON);
    expect(status).toBe('130');
  });

  it('connect --message-file shows the cursor again, then ends by SIGINT', async () => {
    // A server that accepts and never reads: the send stalls with the bar on screen.
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.pause();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const file = join(dir, 'big.bin');
    writeFileSync(file, Buffer.alloc(64 * 1024 * 1024, 0x61));
    try {
      const { output, status } = await interruptOnTerminal(
        ['connect', '--port', String(port), '--message-file', file, '--max-frame', '128MiB', '--expect', '1'],
        /sending .*big\.bin \[.*\] \d+%/,
      );
      const afterBar = output.slice(output.lastIndexOf('sending'));
      expect(afterBar).toContain(SHOW_CURSOR);
      expect(status).toBe('130');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    }
  });
});
