/**
 * framewire against a peer nobody on the project wrote: Python 3 standard-library socket
 * programs in the sockets tutorial's style (a fixed 10-character length header, messages
 * reassembled from recv(16)), in `test/fixtures/`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { finished, runCli, startServer, track } from './cli.js';

const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython) console.warn('python-peer tests skipped: python3 was not found on PATH');

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe.skipIf(!hasPython)(`a Python tutorial-style peer${hasPython ? '' : ' (skipped: python3 not found)'}`, () => {
  it('framewire connect --framing ascii:10 talks to the Python server', async () => {
    const python = track(spawn('python3', [fixture('tutorial_server.py')], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const pythonDone = finished(python, 20_000, 'tutorial_server.py');
    const port = await new Promise<number>((resolve, reject) => {
      let text = '';
      python.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /^PORT (\d+)$/m.exec(text);
        if (match) resolve(Number(match[1]));
      });
      python.once('exit', () => {
        reject(new Error('tutorial_server.py exited before printing its port'));
      });
    });
    const result = await runCli([
      'connect',
      '--port',
      String(port),
      '--framing',
      'ascii:10',
      '--expect',
      '4',
      '--timeout',
      '15',
      'Hello',
      'a message longer than sixteen bytes, reassembled from recv(16) chunks',
      'héllo ✓',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        'Welcome to the server!',
        'echo: Hello',
        'echo: a message longer than sixteen bytes, reassembled from recv(16) chunks',
        'echo: héllo ✓',
        '',
      ].join('\n'),
    );
    const server = await pythonDone;
    expect(server.code).toBe(0);
    expect(server.out).toMatch(/Connection from \('127\.0\.0\.1', \d+\) has been established\./);
    expect(server.out).toContain('received: Hello\n');
    expect(server.out).toContain('received: héllo ✓\n');
  });

  it('the Python client talks to framewire serve --framing ascii:10', async () => {
    const server = await startServer(['--framing', 'ascii:10', '--echo', '--welcome', 'Hey there!!!', '--once']);
    const python = track(
      spawn('python3', [fixture('tutorial_client.py'), String(server.port), '3', 'Hello', 'How are you? (a longer one, over 16 bytes)'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const client = await finished(python, 20_000, 'tutorial_client.py');
    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    expect(client.out).toBe('message: Hey there!!!\nmessage: Hello\nmessage: How are you? (a longer one, over 16 bytes)\n');
    expect((await server.exited(10_000)).code).toBe(0);
    const log = server.log();
    expect(log).toMatch(/^Connection from 127\.0\.0\.1:\d+ has been established\.$/m);
    expect(log).toMatch(/frame #1 \(5 bytes\): "Hello"/);
    expect(log).toMatch(/frame #2 \(42 bytes\): "How are you\? \(a longer one, over 16 bytes\)"/);
    expect(log).toMatch(/closed after 2 frames\./);
  });
});
