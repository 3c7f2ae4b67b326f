/**
 * `--allow-unterminated`: with a delimiter framing (`line`, `crlf`, `nul`, `delim:HEX`) the
 * bytes after the last delimiter at end of stream are a last frame, in `decode`, `connect` and
 * `serve`; with any other framing it is a usage error. Without it, the truncation error names
 * the flag, not the library's `allowUnterminatedLast`.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { Deframer, TruncatedFrameError } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { runDecode } from '../src/commands/decode.js';
import { UsageError } from '../src/errors.js';
import { framingErrorForCli, resolveFraming } from '../src/framing.js';
import { runCli, startServer } from './cli.js';

const te = new TextEncoder();
const HINT = '; pass --allow-unterminated to accept an unterminated last frame';

/** A TCP peer in the test process that sends `bytes` to each client, then closes. */
async function sendingPeer(bytes: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Sends `bytes` to 127.0.0.1:`port`, half-closes, resolves with what came back before the close. */
function sendAndClose(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end(bytes);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server did not close within 10 s'));
    }, 10_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

describe('decode', () => {
  it('without the flag: the complete frames, then exit 1 naming --allow-unterminated', async () => {
    const result = await runCli(['decode', '--framing', 'line'], { input: 'abc\ndef' });
    expect(result.out).toBe('abc\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`framewire: stream ended inside a frame: 3 bytes after the last delimiter (line)${HINT}\n`);
    expect(result.stderr).not.toContain('allowUnterminatedLast');
  });

  it.each([
    ['line', 'abc\r\ndef', 'abc\ndef\n'],
    ['crlf', 'abc\r\ndef\r', 'abc\ndef\r\n'],
    ['nul', 'abc\0def', 'abc\ndef\n'],
    ['delim:2c2c', 'abc,,def,', 'abc\ndef,\n'],
  ])('%s with --allow-unterminated: the unterminated last frame, as it is, exit 0', async (framing, input, out) => {
    const without = await runCli(['decode', '--framing', framing], { input });
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(new RegExp(`^framewire: stream ended inside a frame: \\d+ bytes after the last delimiter \\(${framing}\\)${HINT}\\n$`));
    const result = await runCli(['decode', '--framing', framing, '--allow-unterminated'], { input });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toBe(out);
  });

  it('--allow-unterminated changes nothing for a stream that ends with its delimiter, or is empty', async () => {
    expect((await runCli(['decode', '--framing', 'line', '--allow-unterminated', '--json'], { input: 'a\n' })).out).toBe(
      '{"index":0,"length":1,"text":"a"}\n',
    );
    const empty = await runCli(['decode', '--framing', 'line', '--allow-unterminated'], { input: '' });
    expect(empty.code).toBe(0);
    expect(empty.out).toBe('');
  });

  it('the unterminated last frame still obeys --max-frame', async () => {
    const result = await runCli(['decode', '--framing', 'line', '--allow-unterminated', '--max-frame', '3'], { input: 'abc\nabcdef' });
    expect(result.out).toBe('abc\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^framewire: .*exceeds the maximum frame length of 3 bytes\n$/);
  });

  it('other framings keep their own truncation message', async () => {
    const result = await runCli(['decode', '--framing', 'cobs'], { input: Buffer.from([0x02, 0x61]) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('framewire: stream ended inside a COBS frame: 2 bytes without a 00 terminator\n');
  });
});

describe('--allow-unterminated with a framing without a delimiter is a usage error', () => {
  it.each(['u32be', 'ascii:10', 'cobs', 'slip', 'raw'])('%s, in decode, connect and serve (exit 2, before anything runs)', async (framing) => {
    const message = `framewire: --allow-unterminated applies only to the delimiter framings (line, crlf, nul, delim:HEX), not to --framing ${framing}\n`;
    const decode = await runCli(['decode', '--framing', framing, '--allow-unterminated'], { input: 'abc\n' });
    expect(decode).toMatchObject({ code: 2, stderr: message, out: '' });
    const connect = await runCli(['connect', '--port', '1', '--framing', framing, '--allow-unterminated', 'x']);
    expect(connect).toMatchObject({ code: 2, stderr: message });
    const serve = await runCli(['serve', '--port', '0', '--framing', framing, '--allow-unterminated']);
    expect(serve).toMatchObject({ code: 2, stderr: message });
  });

  it('an unknown framing is still reported as one', async () => {
    const result = await runCli(['decode', '--framing', 'lines', '--allow-unterminated']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^framewire: unknown framing 'lines'; valid framings: /);
  });

  it('the help of every command that decodes lists it', async () => {
    for (const command of ['decode', 'connect', 'serve']) {
      const help = await runCli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.out.replace(/\s+/g, ' ')).toContain(
        '--allow-unterminated accept a last frame without its delimiter at end of stream; only for delimiter framings (line, crlf, nul, delim:HEX)',
      );
    }
  });
});

describe('connect', () => {
  it('a server that closes after an unterminated last line: exit 1 naming the flag, or the line with it', async () => {
    const server = await sendingPeer('one\ntwo');
    try {
      const without = await runCli(['connect', '--port', String(server.port), '--framing', 'line']);
      expect(without.out).toBe('one\n');
      expect(without.code).toBe(1);
      expect(without.stderr).toBe(`framewire: stream ended inside a frame: 3 bytes after the last delimiter (line)${HINT}\n`);

      const result = await runCli(['connect', '--port', String(server.port), '--framing', 'line', '--allow-unterminated', '--expect', '2']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.out).toBe('one\ntwo\n');
    } finally {
      await server.close();
    }
  });
});

describe('serve', () => {
  it('a client that closes after an unterminated last line: the connection fails naming the flag, or the line is served with it', async () => {
    const strict = await startServer(['--framing', 'line', '--echo', '--once']);
    expect(await sendAndClose(strict.port, 'one\ntwo')).toBe('one\n');
    expect((await strict.exited()).code).toBe(1);
    expect(strict.log()).toContain(`closed: stream ended inside a frame: 3 bytes after the last delimiter (line)${HINT} (after 1 frame)\n`);
    expect(strict.log()).toMatch(new RegExp(`\\nframewire: stream ended inside a frame: 3 bytes after the last delimiter \\(line\\)${HINT}\\n$`));
    expect(strict.log()).not.toContain('allowUnterminatedLast');

    const lenient = await startServer(['--framing', 'line', '--echo', '--once', '--allow-unterminated']);
    expect(await sendAndClose(lenient.port, 'one\ntwo')).toBe('one\ntwo\n');
    expect((await lenient.exited()).code).toBe(0);
    expect(lenient.log()).toMatch(/frame #2 \(3 bytes\): "two"/);
    expect(lenient.log()).toContain('closed after 2 frames.');
  });
});

describe('in-process', () => {
  it('resolveFraming passes allowUnterminatedLast to the delimiter framings and refuses it for the others', () => {
    for (const name of ['line', 'crlf', 'nul', 'delim:0a']) {
      const deframer = new Deframer(resolveFraming(name, { allowUnterminatedLast: true }));
      expect(deframer.push(te.encode('last'))).toEqual([]);
      expect(deframer.end()).toEqual([te.encode('last')]);
      const strict = new Deframer(resolveFraming(name));
      expect(strict.push(te.encode('last'))).toEqual([]);
      expect(() => strict.end()).toThrow(TruncatedFrameError);
    }
    for (const name of ['u32be', 'varint', 'netstring', 'cobs', 'slip', 'raw']) {
      expect(() => resolveFraming(name, { allowUnterminatedLast: true })).toThrow(UsageError);
    }
    expect(resolveFraming('u32be', { allowUnterminatedLast: false }).name).toBe('u32be');
  });

  it('framingErrorForCli names the flag for a delimiter framing and leaves every other error alone', () => {
    const line = resolveFraming('line');
    const deframer = new Deframer(line);
    deframer.push(te.encode('abc'));
    let truncated: unknown;
    try {
      deframer.end();
    } catch (error) {
      truncated = error;
    }
    expect(truncated).toBeInstanceOf(TruncatedFrameError);
    const shown = framingErrorForCli(truncated, line);
    expect(shown).toBeInstanceOf(TruncatedFrameError);
    expect(shown).toMatchObject({
      code: 'ERR_TRUNCATED_FRAME',
      bufferedBytes: 3,
      message: `stream ended inside a frame: 3 bytes after the last delimiter (line)${HINT}`,
      cause: truncated,
    });

    const u32be = resolveFraming('u32be');
    const headerError = new TruncatedFrameError(2, 'stream ended inside a u32be header (2 of 4 bytes received)');
    expect(framingErrorForCli(headerError, u32be)).toBe(headerError);
    const other = new Error('connection reset by peer');
    expect(framingErrorForCli(other, line)).toBe(other);
  });

  it('runDecode: the flag decides between the last frame and an error naming it', async () => {
    const run = async (allowUnterminated: boolean): Promise<{ out: string; error: unknown }> => {
      const stdout = new PassThrough();
      const out: Buffer[] = [];
      stdout.on('data', (chunk: Buffer) => out.push(chunk));
      const io = { stdin: Readable.from([Buffer.from('abc\nd'), Buffer.from('ef')]), stdout, stderr: new PassThrough() };
      const error = await runDecode({ framing: 'line', allowUnterminated }, io).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      return { out: Buffer.concat(out).toString('utf8'), error };
    };
    const strict = await run(false);
    expect(strict.out).toBe('abc\n');
    expect(strict.error).toBeInstanceOf(TruncatedFrameError);
    expect((strict.error as Error).message).toBe(`stream ended inside a frame: 3 bytes after the last delimiter (line)${HINT}`);
    expect(await run(true)).toEqual({ out: 'abc\ndef\n', error: undefined });
  });
});
