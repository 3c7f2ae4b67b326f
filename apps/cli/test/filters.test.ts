/**
 * `framewire encode` and `framewire decode` as streaming filters, through real pipes.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI, childEnv, finished, runCli, track } from './cli.js';

const UTF8 = 'héllo wörld ✓ 日本語 🚀';

/** `framewire encode ... | framewire decode ...` with a real pipe between the two processes. */
async function pipeline(encodeArgs: string[], decodeArgs: string[], input: string | Buffer) {
  const encoder = track(spawn(process.execPath, [CLI, 'encode', ...encodeArgs], { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv() }));
  const decoder = track(spawn(process.execPath, [CLI, 'decode', ...decodeArgs], { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv() }));
  encoder.stdout.pipe(decoder.stdin);
  const encoded = finished(encoder, 15_000, 'encode');
  const decoded = finished(decoder, 15_000, 'decode');
  encoder.stdin.end(input);
  return { encoded: await encoded, decoded: await decoded };
}

describe('encode', () => {
  it.each([
    ['u32be', 'hello\n', '0000000568656c6c6f'],
    ['u16le', 'hi\n', '02006869'],
    ['varint', 'hi\n', '026869'],
    ['ascii:10', 'hello\n', Buffer.from('5         hello').toString('hex')],
    ['netstring', 'hello\nworld', Buffer.from('5:hello,5:world,').toString('hex')],
    ['line', 'a\r\nb\n', Buffer.from('a\nb\n').toString('hex')],
    ['crlf', 'a\n\n', Buffer.from('a\r\n\r\n').toString('hex')],
    ['cobs', 'ab\n', '03616200'],
  ])('%s frames each stdin line', async (framing, input, hex) => {
    const result = await runCli(['encode', '--framing', framing], { input });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.toString('hex')).toBe(hex);
  });

  it('refuses a line the framing cannot carry, after writing the frames before it', async () => {
    const result = await runCli(['encode', '--framing', 'nul'], { input: 'ok\nbad\u0000line\nnever\n' });
    expect(result.code).toBe(1);
    expect(result.stdout.toString('hex')).toBe('6f6b00');
    expect(result.stderr).toBe(
      'framewire: input line 2 "bad\\u0000line": payload contains the delimiter 00 at offset 3; nul cannot carry it (use cobs or slip for binary data)\n',
    );
  });

  it('names the input line it refuses, so that it can be found in a long input', async () => {
    const good = Array.from({ length: 20_000 }, (_, i) => `line ${i + 1}`);
    const refused = await runCli(['encode', '--framing', 'slip'], { input: `${good.join('\n')}\n\nnever\n` });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^framewire: input line 20001 "": SLIP cannot carry an empty payload[^\n]*\n$/);
    const tooLong = await runCli(['encode', '--framing', 'u8'], { input: `${good.join('\n')}\n${'x'.repeat(300)}\n` });
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toBe('framewire: input line 20001 of 300 bytes exceeds the maximum frame length of 255 bytes\n');
  });

  it('refuses a line over --max-frame without waiting for its end', async () => {
    const result = await runCli(['encode', '--framing', 'u32be', '--max-frame', '4'], { input: 'abcd\nabcdefgh' });
    expect(result.code).toBe(1);
    expect(result.stdout.toString('hex')).toBe('0000000461626364');
    expect(result.stderr).toBe('framewire: input line 2 of more than 4 bytes exceeds the maximum frame length of 4 bytes\n');
  });
});

describe('decode', () => {
  it('prints text, --json and --hex', async () => {
    const input = Buffer.concat([Buffer.from('5:hello,0:,'), Buffer.from(`${Buffer.byteLength(UTF8)}:${UTF8},`), Buffer.from('2:'), Buffer.from([0xff, 0x00]), Buffer.from(',')]);
    const text = await runCli(['decode', '--framing', 'netstring'], { input });
    expect(text.code).toBe(0);
    expect(text.stdout.equals(Buffer.concat([Buffer.from(`hello\n\n${UTF8}\n`), Buffer.from([0xff, 0x00, 0x0a])]))).toBe(true);
    const json = await runCli(['decode', '--framing', 'netstring', '--json'], { input });
    expect(json.out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown)).toEqual([
      { index: 0, length: 5, text: 'hello' },
      { index: 1, length: 0, text: '' },
      { index: 2, length: Buffer.byteLength(UTF8), text: UTF8 },
      { index: 3, length: 2, base64: Buffer.from([0xff, 0x00]).toString('base64') },
    ]);
    const hex = await runCli(['decode', '--framing', 'netstring', '--hex'], { input });
    expect(hex.out).toBe(`68656c6c6f\n\n${Buffer.from(UTF8).toString('hex')}\nff00\n`);
  });

  it('--json and --hex cannot be combined', async () => {
    const result = await runCli(['decode', '--json', '--hex']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^framewire: option '--hex' cannot be used with option '--json'/);
  });

  it('a truncated stream: every complete frame, then exit 1 with one line', async () => {
    const input = Buffer.from([0, 0, 0, 2, 0x68, 0x69, 0, 0, 0, 2, 0x6f, 0x6b, 0, 0, 0, 9, 0x61]);
    const result = await runCli(['decode', '--framing', 'u32be'], { input });
    expect(result.code).toBe(1);
    expect(result.out).toBe('hi\nok\n');
    expect(result.stderr).toBe('framewire: stream ended inside a u32be frame (5 of 13 bytes received)\n');
  });

  it('a malformed stream: every complete frame, then exit 1 with one line', async () => {
    const result = await runCli(['decode', '--framing', 'ascii:4'], { input: '2   hi1   x????rest' });
    expect(result.code).toBe(1);
    expect(result.out).toBe('hi\nx\n');
    expect(result.stderr).toMatch(/^framewire: ascii:4 header "\?\?\?\?" is not a decimal length.*\n$/);
  });
});

describe('encode | decode', () => {
  it.each(['u8', 'u32be', 'u64le', 'varint', 'ascii:10', 'netstring', 'line', 'crlf', 'nul', 'delim:7c7c', 'cobs', 'slip'])(
    '%s round-trips lines through a pipe',
    async (framing) => {
      // SLIP cannot carry an empty frame; every other framing gets an empty line too.
      const lines = framing === 'slip' ? ['one', UTF8, 'three'] : ['one', '', UTF8, 'three'];
      const { encoded, decoded } = await pipeline(['--framing', framing], ['--framing', framing, '--json'], `${lines.join('\n')}\n`);
      expect(encoded.code).toBe(0);
      expect(decoded.stderr).toBe('');
      expect(decoded.code).toBe(0);
      const frames = decoded.out.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { text: string }).text);
      expect(frames).toEqual(lines);
    },
  );

  it('streams 256 MiB through a pipe in bounded memory', async () => {
    // 256 MiB of 1 KiB lines in, the same lines out; the decoder's resident memory is sampled
    // from /proc while it runs and must stay far below the data size (measured: ~75 MiB,
    // of which ~55 MiB is Node itself; the same at 64 MiB and at 256 MiB of input).
    const line = `${randomBytes(384).toString('base64').slice(0, 1023)}\n`;
    const count = 256 * 1024;
    const encoder = track(spawn(process.execPath, [CLI, 'encode', '--framing', 'u32be'], { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv() }));
    const decoder = track(spawn(process.execPath, [CLI, 'decode', '--framing', 'u32be'], { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv() }));
    encoder.stdout.pipe(decoder.stdin);
    const hash = createHash('sha256');
    let outBytes = 0;
    decoder.stdout.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      outBytes += chunk.length;
    });
    const decoded = finished(decoder, 80_000, 'decode');
    const encoded = finished(encoder, 80_000, 'encode');
    let peakRss = 0;
    const status = `/proc/${decoder.pid}/status`;
    const sampler = setInterval(() => {
      if (!existsSync(status)) return;
      try {
        const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'));
        if (match) peakRss = Math.max(peakRss, Number(match[1]) * 1024);
      } catch {
        // The process just exited.
      }
    }, 20);
    const expected = createHash('sha256');
    const block = line.repeat(64);
    for (let i = 0; i < count / 64; i++) {
      expected.update(block);
      if (!encoder.stdin.write(block)) await new Promise((resolve) => encoder.stdin.once('drain', resolve));
    }
    encoder.stdin.end();
    const [enc, dec] = await Promise.all([encoded, decoded]);
    clearInterval(sampler);
    expect(enc.code).toBe(0);
    expect(dec.code).toBe(0);
    expect(outBytes).toBe(line.length * count);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
    if (existsSync('/proc/self/status')) {
      expect(peakRss).toBeGreaterThan(0);
      expect(peakRss).toBeLessThan(160 * 1024 * 1024);
    }
  }, 90_000);
});

describe('decode errors that are not the input\'s', () => {
  it('a stdout that cannot be written (a full disk) is one line and exit 1, not a stack trace', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const child = track(spawn(process.execPath, [CLI, 'decode', '--framing', 'line'], { stdio: ['pipe', full, 'pipe'], env: childEnv() }));
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdin!.end('a\nb\n');
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code).toBe(1);
      expect(stderr).toMatch(/^framewire: cannot write to stdout: ENOSPC[^\n]*\n$/);
    } finally {
      closeSync(full);
    }
  });

  it('a directory as stdin is refused with exit 1, not read as an empty input', async () => {
    const dir = openSync(fileURLToPath(new URL('.', import.meta.url)), 'r');
    try {
      for (const command of ['decode', 'encode']) {
        const child = track(spawn(process.execPath, [CLI, command, '--framing', 'line'], { stdio: [dir, 'pipe', 'pipe'], env: childEnv() }));
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const [code] = (await once(child, 'close')) as [number | null];
        expect(code, command).toBe(1);
        expect(stdout).toBe('');
        // Each command's own example: encode's used to show `framewire decode < capture.bin`.
        const example = command === 'decode' ? 'framewire decode < capture.bin' : 'framewire encode < messages.txt';
        expect(stderr).toBe(`framewire: stdin is a directory: redirect a file or pipe bytes into it (${example})\n`);
      }
    } finally {
      closeSync(dir);
    }
  });

  it('--framing raw decodes in pieces of at most --max-frame', async () => {
    const result = await runCli(['decode', '--framing', 'raw', '--max-frame', '4'], { input: 'aaaaaaaaaa' });
    expect(result.code).toBe(0);
    expect(result.out).toBe('aaaa\naaaa\naa\n');
  });
});
