/**
 * Every framing name round-trips through the built CLI: `framewire serve --echo` and
 * `framewire connect --expect`, over real loopback TCP — a short message, an empty one,
 * non-ASCII UTF-8 and a 1 MiB `--message-file` (the largest frame the framing can carry
 * when that is less: 255 bytes for u8, 65,535 for u16).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FRAMING_NAMES, resolveFraming } from '../src/framing.js';
import { finished, runCli, spawnCli, startServer, track } from './cli.js';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'framewire-cli-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The concrete names tested: every registry name, parameterised ones with a typical parameter. */
const NAMES = FRAMING_NAMES.filter((name) => name !== 'raw').map((name) =>
  name === 'ascii:W' ? 'ascii:10' : name === 'delim:HEX' ? 'delim:1e1e' : name,
);
// Delimiter framings without escaping carry text free of their delimiter, not arbitrary bytes.
const TEXT_ONLY = new Set(['line', 'crlf', 'nul', 'delim:1e1e']);
const UTF8 = 'héllo wörld ✓ 日本語 🚀';

interface JsonFrame {
  index: number;
  length: number;
  text?: string;
  base64?: string;
}

function parseFrames(stdout: string): JsonFrame[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JsonFrame);
}

function bigPayload(name: string, size: number): Buffer {
  if (!TEXT_ONLY.has(name)) return randomBytes(size);
  const letters = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
  const bytes = randomBytes(size);
  for (let i = 0; i < size; i++) bytes[i] = letters[bytes[i]! % letters.length]!;
  return bytes;
}

describe('serve --echo / connect --expect round trip', () => {
  it('covers every framing name of the registry', () => {
    expect(NAMES).toHaveLength(FRAMING_NAMES.length - 1);
    expect(NAMES).toEqual(expect.arrayContaining(['u8', 'u32be', 'varint', 'ascii:10', 'netstring', 'line', 'cobs', 'slip']));
  });

  it.concurrent.for(NAMES)('%s', async (name, { expect }) => {
    // 1 MiB, or the most the framing's length field can carry (u8: 255, u16: 65,535).
    const size = Math.min(MiB, resolveFraming(name, { maxFrameLength: MiB }).maxFrameLength);
    // Raise --max-frame only where the framing's default is below that.
    const maxFrame = resolveFraming(name).maxFrameLength < size ? size : undefined;
    const big = bigPayload(name, size);
    const file = join(dir, `${name.replace(':', '_')}.bin`);
    writeFileSync(file, big);
    const limit = maxFrame === undefined ? [] : ['--max-frame', String(maxFrame)];
    const server = await startServer(['--framing', name, '--echo', '--quiet', ...limit]);
    // SLIP (RFC 1055) cannot carry an empty frame: receivers drop them. Tested below.
    const messages = name === 'slip' ? ['hello', UTF8] : ['hello', '', UTF8];
    const result = await runCli([
      'connect',
      '--port',
      String(server.port),
      '--framing',
      name,
      ...limit,
      '--json',
      '--expect',
      String(messages.length + 1),
      '--timeout',
      '15',
      '--message-file',
      file,
      ...messages,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const frames = parseFrames(result.out);
    expect(frames.slice(0, messages.length)).toEqual(
      messages.map((text, index) => ({ index, length: Buffer.byteLength(text), text })),
    );
    const last = frames[messages.length]!;
    expect(last.index).toBe(messages.length);
    expect(last.length).toBe(size);
    const received = last.text === undefined ? Buffer.from(last.base64 ?? '', 'base64') : Buffer.from(last.text);
    expect(received.equals(big)).toBe(true);
    expect(frames).toHaveLength(messages.length + 1);
    const stopped = await server.stop();
    expect(stopped.code).toBe(0);
  });

  it('--recv-arena: a 600 KB frame read into 64 KiB blocks comes back whole', async () => {
    const file = join(dir, 'arena.bin');
    const big = randomBytes(600_000);
    writeFileSync(file, big);
    const server = await startServer(['--framing', 'u32be', '--echo', '--quiet']);
    const result = await runCli(['connect', '--port', String(server.port), '--recv-arena', '64KiB', '--json', '--expect', '1', '--timeout', '15', '--message-file', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [frame] = parseFrames(result.out);
    expect(frame?.length).toBe(big.length);
    expect(Buffer.from(frame?.base64 ?? '', 'base64').equals(big)).toBe(true);
    await server.stop();
  });

  it('slip refuses an empty message with one clear line (exit 1)', async () => {
    const server = await startServer(['--framing', 'slip', '--echo', '--quiet']);
    const result = await runCli(['connect', '--port', String(server.port), '--framing', 'slip', '--expect', '1', '']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^framewire: message 1 "": SLIP cannot carry an empty payload.*\n$/);
    await server.stop();
  });

  it('a 1 MiB message over u16be fails before sending anything, naming the limit', async () => {
    const file = join(dir, 'too-big.bin');
    writeFileSync(file, randomBytes(MiB));
    const server = await startServer(['--framing', 'u16be', '--echo', '--quiet']);
    const result = await runCli(['connect', '--port', String(server.port), '--framing', 'u16be', '--message-file', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `framewire: message file ${file} is ${MiB} bytes, over the maximum frame length of 65535 bytes of u16be (raise it with --max-frame)\n`,
    );
    await server.stop();
    expect(server.log()).not.toMatch(/Connection from/);
  });

  it('raw shows chunks as they arrive: recv(8) cuts "Hey there!!!" in two', async () => {
    const server = await startServer(['--framing', 'raw', '--welcome', 'Hey there!!!']);
    const result = await runCli(['connect', '--port', String(server.port), '--framing', 'raw', '--recv-size', '8']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('Hey ther\ne!!!\n');
    await server.waitForLog(/closed after 0 frames/);
    await server.stop();
  });

  it('sends stdin lines as frames when there are no messages', async () => {
    const server = await startServer(['--framing', 'line', '--echo']);
    const result = await runCli(['connect', '--port', String(server.port), '--framing', 'line', '--expect', '3'], {
      input: `one\r\n\n${UTF8}\n`,
    });
    expect(result.code).toBe(0);
    expect(result.out).toBe(`one\n\n${UTF8}\n`);
    await server.stop();
  });

  it('without --expect, half-closes after sending and exits 0 when the server closes', async () => {
    const server = await startServer(['--framing', 'netstring', '--echo']);
    const result = await runCli(['connect', '--port', String(server.port), '--framing', 'netstring', 'a', 'b']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('a\nb\n');
    await server.stop();
  });

  it('sends every message and the whole --message-file to a server that half-closes first', async () => {
    const file = join(dir, 'half-close.bin');
    const content = randomBytes(4 * MiB);
    writeFileSync(file, content);
    // The server sends one frame and ends its side at once, then counts what it reads until
    // the client's end.
    let ended!: (received: number) => void;
    const received = new Promise<number>((resolve) => (ended = resolve));
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      let count = 0;
      socket.on('error', () => undefined);
      socket.end('2:ok,');
      socket.on('data', (chunk: Buffer) => (count += chunk.length));
      socket.on('end', () => {
        ended(count);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const args = ['connect', '--port', String(port), '--framing', 'netstring', '--timeout', '20', 'a', '--message-file', file];
      const result = await runCli(args, { timeoutMs: 30_000 });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.out).toBe('ok\n');
      // netstring: "1:a," then "4194304:", the file and ",".
      expect(await received).toBe(4 + String(content.length).length + 1 + content.length + 1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('with --expect, keeps its write side open until the frames arrived', async () => {
    // A server that answers late, and hangs up without answering once the client half-closes.
    let replied = false;
    let endedBeforeReply = false;
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.on('error', () => undefined);
      const reply = setTimeout(() => {
        replied = true;
        socket.end('5:hello,');
      }, 300);
      socket.on('end', () => {
        if (replied) return;
        endedBeforeReply = true;
        clearTimeout(reply);
        socket.destroy();
      });
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const result = await runCli(['connect', '--port', String(port), '--framing', 'netstring', '--expect', '1', '--timeout', '10', 'hi']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.out).toBe('hello\n');
      expect(endedBeforeReply).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('prints frames as hex with --hex', async () => {
    const server = await startServer(['--framing', 'cobs', '--echo']);
    const result = await runCli(['connect', '--port', String(server.port), '--framing', 'cobs', '--hex', '--expect', '1', 'AB']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('4142\n');
    await server.stop();
  });

  it('--unix on a path in use says whether a server answers there or a dead one left its socket', async () => {
    const path = join(dir, 'stale.sock');
    // A server killed without closing leaves its socket file behind.
    const holder = track(spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] }));
    await once(holder.stdout, 'data');
    const live = await runCli(['serve', '--unix', path]);
    expect(live.code).toBe(1);
    expect(live.stderr).toBe(`framewire: address already in use: ${path} (another server is listening there)\n`);
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    expect(existsSync(path)).toBe(true);
    const stale = await runCli(['serve', '--unix', path]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      `framewire: address already in use: ${path} (no server answers there: a file left behind, such as the socket of a server that did not close; remove it (rm ${path}) and try again)\n`,
    );
  });

  it('works over a Unix domain socket', async () => {
    const path = join(dir, 'fw.sock');
    const server = spawnCli(['serve', '--unix', path, '--framing', 'varint', '--echo', '--once']);
    const done = finished(server, 15_000, 'serve --unix');
    await new Promise<void>((resolve, reject) => {
      let log = '';
      server.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.startsWith(`listening on ${path}\n`)) resolve();
      });
      server.once('exit', () => {
        reject(new Error(`serve exited: ${log}`));
      });
    });
    const result = await runCli(['connect', '--unix', path, '--framing', 'varint', 'over unix']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('over unix\n');
    const served = await done;
    expect(served.code).toBe(0);
    expect(served.stderr).toMatch(/Connection from unix socket has been established\./);
  });
});
