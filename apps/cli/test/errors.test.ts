/**
 * Exit codes and error lines of the built CLI: 2 for usage errors (listing what is valid),
 * 1 with one `framewire: …` line and no stack trace for runtime, network and protocol errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { FRAMING_NAMES } from '../src/framing.js';
import { VERSION } from '../src/version.js';
import { runCli, startServer } from './cli.js';

/** A TCP server in the test process (a peer that is not framewire). Closed by `close()`. */
async function peer(onConnection: (socket: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A port nobody listens on: bound, then released. */
async function freePort(): Promise<number> {
  const server = await peer(() => undefined);
  await server.close();
  return server.port;
}

/** Connects a raw socket, runs `talk`, resolves with everything received until the close. */
function rawClient(port: number, talk: (socket: net.Socket) => void): Promise<{ data: Buffer; error?: Error }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => {
      talk(socket);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      resolve({ data: Buffer.concat(chunks), error });
    });
    socket.on('close', () => {
      resolve({ data: Buffer.concat(chunks) });
    });
  });
}

function expectOneLine(stderr: string, pattern: RegExp): void {
  expect(stderr).toMatch(pattern);
  expect(stderr.split('\n').filter((line) => line !== '')).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('usage errors exit 2', () => {
  it.each(['serve', 'connect', 'encode', 'decode'])('%s: an unknown framing lists every valid name', async (command) => {
    const port = command === 'serve' || command === 'connect' ? ['--port', '1234'] : [];
    const result = await runCli([command, ...port, '--framing', 'u33be']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`framewire: unknown framing 'u33be'; valid framings: ${FRAMING_NAMES.join(', ')}`);
    for (const name of FRAMING_NAMES) expect(result.stderr).toContain(name);
  });

  it('--recv-arena refuses TLS, a recv-size larger than itself, and sizes out of range', async () => {
    const tls = await runCli(['connect', '--port', '1234', '--tls', '--recv-arena', '1MiB']);
    expect(tls.code).toBe(2);
    expect(tls.stderr).toBe('framewire: --recv-arena cannot be used with TLS: Node decrypts into memory of its own\n');
    const size = await runCli(['connect', '--port', '1234', '--recv-size', '8KiB', '--recv-arena', '4KiB']);
    expect(size.code).toBe(2);
    expect(size.stderr).toBe('framewire: --recv-size (8192) must not exceed --recv-arena (4096)\n');
    const small = await runCli(['connect', '--port', '1234', '--recv-arena', '100']);
    expect(small.code).toBe(2);
    expect(small.stderr.split('\n')[0]).toBe("framewire: option '--recv-arena <bytes>' argument '100' is invalid. expected from 1KiB to 1GiB (got '100')");
  });

  it('--recv-size out of range is a usage error naming it, in connect and serve', async () => {
    for (const command of [['connect', '--port', '1234'], ['serve', '--port', '0']]) {
      const big = await runCli([...command, '--recv-size', '100MiB']);
      expect(big.code).toBe(2);
      expect(big.stderr.split('\n')[0]).toBe("framewire: option '--recv-size <bytes>' argument '100MiB' is invalid. expected from 1 byte to 64MiB (got '100MiB')");
      const zero = await runCli([...command, '--recv-size', '0']);
      expect(zero.code).toBe(2);
    }
  });

  it('a bad framing parameter names the problem', async () => {
    const result = await runCli(['decode', '--framing', 'ascii:x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^framewire: invalid framing 'ascii:x': .*width/);
  });

  it('an unknown option lists the valid ones', async () => {
    const result = await runCli(['connect', '--port', '1', '--frmaing', 'line']);
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe("framewire: unknown option '--frmaing'");
    expect(result.stderr).toContain('(Did you mean --framing?)');
    expect(result.stderr).toMatch(/valid options for 'framewire connect': .*--framing <name>.*--expect <n>/);
  });

  it('an unknown command lists the commands', async () => {
    const result = await runCli(['serv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^framewire: unknown command 'serv'/);
    expect(result.stderr).toMatch(/valid commands: serve, connect, demo, encode, decode/);
  });

  it('help for an unknown command says so, as the command itself would', async () => {
    const result = await runCli(['help', 'serv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^framewire: unknown command 'serv'\n\(Did you mean serve\?\)/);
    expect(result.stderr).toMatch(/valid commands: serve, connect, demo, encode, decode/);
    const known = await runCli(['help', 'decode']);
    expect(known.code).toBe(0);
    expect(known.out).toMatch(/^Usage: framewire decode/);
  });

  it('a missing port, a bad port or a bad number', async () => {
    const missing = await runCli(['connect', 'hello']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^framewire: connect needs --port <port>/);
    const bad = await runCli(['serve', '--port', '70000']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected a port number from 0 to 65535 \(got '70000'\)/);
    const count = await runCli(['connect', '--port', '1', '--expect', 'many']);
    expect(count.code).toBe(2);
    expect(count.stderr).toMatch(/--expect <n>.*expected a whole number/);
    const long = await runCli(['serve', '--port', '0', '--idle-timeout', '3000000']);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/^framewire: option '--idle-timeout <seconds>' argument '3000000' is invalid\. expected at most 2147483 seconds/);
  });

  it('no command prints the help on stderr', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.stderr).toMatch(/Usage: framewire/);
  });
});

describe('help and version exit 0', () => {
  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    expect(result.out).toBe(`${pkg.version}\n`);
    expect(VERSION).toBe(pkg.version);
  });

  it.each(['serve', 'connect', 'demo', 'encode', 'decode'])('%s --help lists options with defaults and an example', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`^Usage: framewire ${command}`));
    expect(result.out).toMatch(/\nExamples:\n {2}\$ .*framewire /);
    if (command !== 'demo') {
      expect(result.out).toMatch(/--framing <name>\s+framing strategy[^]*\(default:\s+"u32be"\)/);
      const framings = /\nFramings:([^]*?)\n {2}ascii:W/.exec(result.out)?.[1] ?? '';
      expect(framings.replace(/\s+/g, ' ').trim()).toBe(FRAMING_NAMES.join(', '));
    }
  });

  it('framewire --help gives every command a one-line summary', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    const commands = /\nCommands:\n([^]*)$/.exec(result.out)?.[1] ?? '';
    const lines = commands.split('\n').filter((line) => line.trim() !== '');
    expect(lines.map((line) => /^ {2}(\w+)/.exec(line)?.[1])).toEqual(['serve', 'connect', 'demo', 'encode', 'decode', 'compare', 'help']);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('serve --help shows the security defaults', async () => {
    const result = await runCli(['serve', '--help']);
    expect(result.out).toMatch(/--host <host>[^]*\(default: "127\.0\.0\.1"\)/);
    expect(result.out).toMatch(/--max-connections <n>[^]*\(default: 1024\)/);
    expect(result.out.replace(/\s+/g, ' ')).toContain('10^W - 1 for ascii:W up to W = 6');
  });
});

describe('runtime errors exit 1 with one line', () => {
  it('connection refused', async () => {
    const port = await freePort();
    const result = await runCli(['connect', '--port', String(port), 'hello']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`framewire: connection refused by 127.0.0.1:${port}\n`);
  });

  it('a malformed frame from the peer, after the good frames before it', async () => {
    const server = await peer((socket) => {
      socket.write('5         hello');
      socket.write('abcdefghijworld');
    });
    const result = await runCli(['connect', '--port', String(server.port), '--framing', 'ascii:10', '--expect', '2']);
    await server.close();
    expect(result.code).toBe(1);
    expect(result.out).toBe('hello\n');
    expectOneLine(result.stderr, /^framewire: ascii:10 header "abcdefghij" is not a decimal length/);
  });

  it('a frame over the limit from the peer', async () => {
    const server = await peer((socket) => {
      socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    });
    const result = await runCli(['connect', '--port', String(server.port), '--framing', 'u32be', '--expect', '1']);
    await server.close();
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /^framewire: u32be header declares a frame of 4294967295 bytes, over the maximum frame length of 8388608 bytes\n$/);
  });

  it('a truncated frame when the peer closes', async () => {
    const server = await peer((socket) => {
      socket.end(Buffer.from([0, 0, 0, 9, 0x61, 0x62]));
    });
    const result = await runCli(['connect', '--port', String(server.port), '--framing', 'u32be']);
    await server.close();
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /^framewire: stream ended inside a u32be frame/);
  });

  it('timeout', async () => {
    const server = await peer(() => undefined);
    const result = await runCli(['connect', '--port', String(server.port), '--expect', '1', '--timeout', '0.5', 'hello']);
    await server.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('framewire: timed out after 0.5 s waiting for 1 frame (got 0)\n');
  });

  it('timeout while connecting (a TLS handshake the server never answers)', async () => {
    const server = await peer(() => undefined);
    const result = await runCli(['connect', '--port', String(server.port), '--tls', '--expect', '1', '--timeout', '0.5', 'hello']);
    await server.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`framewire: timed out after 0.5 s connecting to 127.0.0.1:${server.port}\n`);
  });

  it('the server closes before the expected frames', async () => {
    const server = await peer((socket) => {
      socket.end('2:hi,');
    });
    const result = await runCli(['connect', '--port', String(server.port), '--framing', 'netstring', '--expect', '3']);
    await server.close();
    expect(result.code).toBe(1);
    expect(result.out).toBe('hi\n');
    expect(result.stderr).toBe('framewire: server closed the connection after 1 of 3 expected frames\n');
  });

  it('the server is killed while connect waits', async () => {
    const server = await startServer(['--framing', 'line']);
    const client = runCli(['connect', '--port', String(server.port), '--framing', 'line', '--expect', '1', 'hello']);
    await server.waitForLog(/frame #1/);
    await server.stop('SIGKILL');
    const result = await client;
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /^framewire: (server closed the connection after 0 of 1 expected frame|connection reset by peer)\n$/);
  });

  it('a --welcome or a message the framing cannot carry is named, before listening or connecting', async () => {
    const welcome = await runCli(['serve', '--port', '0', '--framing', 'line', '--welcome', 'hi\nthere']);
    expect(welcome.code).toBe(1);
    expect(welcome.stderr).toBe(
      'framewire: --welcome "hi\\nthere": payload contains the delimiter 0a at offset 2; line cannot carry it (use cobs or slip for binary data)\n',
    );
    const tooLong = await runCli(['serve', '--port', '0', '--framing', 'u8', '--welcome', 'x'.repeat(300)]);
    expect(tooLong.code).toBe(1);
    expectOneLine(tooLong.stderr, /^framewire: --welcome "x{60}…": u8 cannot encode a payload of 300 bytes/);
    // Nobody listens on the port: the message is refused before connecting.
    const message = await runCli(['connect', '--port', String(await freePort()), '--framing', 'line', 'one', 'two\nlines']);
    expect(message.code).toBe(1);
    expect(message.stderr).toBe(
      'framewire: message 2 "two\\nlines": payload contains the delimiter 0a at offset 3; line cannot carry it (use cobs or slip for binary data)\n',
    );
  });

  it('a message file the framing cannot carry is named, before connecting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'framewire-message-file-'));
    try {
      const lines = join(dir, 'lines.txt');
      writeFileSync(lines, 'a\nb');
      const empty = join(dir, 'empty.bin');
      writeFileSync(empty, '');
      // Someone listens: a check made only after connecting would send "one" first.
      let connections = 0;
      const server = await peer(() => {
        connections += 1;
      });
      const line = await runCli(['connect', '--port', String(server.port), '--framing', 'line', 'one', '--message-file', lines]);
      const slip = await runCli(['connect', '--port', String(server.port), '--framing', 'slip', 'one', '--message-file', empty]);
      await server.close();
      expect(line.code).toBe(1);
      expect(line.stderr).toBe(
        `framewire: message file ${lines} "a\\nb": payload contains the delimiter 0a at offset 1; line cannot carry it (use cobs or slip for binary data)\n`,
      );
      expect(slip.code).toBe(1);
      expectOneLine(slip.stderr, new RegExp(`^framewire: message file ${empty} "": SLIP cannot carry an empty payload`));
      expect(connections).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing message file', async () => {
    const result = await runCli(['connect', '--port', '1', '--message-file', '/nonexistent/file.bin']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('framewire: cannot read message file /nonexistent/file.bin: no such file\n');
  });

  it('serve on a port in use', async () => {
    const server = await peer(() => undefined);
    const result = await runCli(['serve', '--port', String(server.port)]);
    await server.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`framewire: address already in use: 127.0.0.1:${server.port}\n`);
  });

  it('serve --unix in a directory that does not exist says so, not "permission denied"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'framewire-unix-'));
    try {
      const missing = join(dir, 'no-such-dir');
      const result = await runCli(['serve', '--unix', join(missing, 'fw.sock')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`framewire: cannot listen on ${join(missing, 'fw.sock')}: no such directory ${missing}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serve keeps serving', () => {
  it('closes a client that sends a bad frame, logs why, and serves the next', async () => {
    const server = await startServer(['--framing', 'u32be', '--echo']);
    const good = Buffer.from([0, 0, 0, 2, 0x6f, 0x6b]);
    const bad = await rawClient(server.port, (socket) => {
      socket.write(Buffer.concat([good, Buffer.from([0x7f, 0xff, 0xff, 0xff, 0x61])]));
    });
    // The frame before the bad one is still echoed, then the connection is closed.
    expect(bad.data.toString('hex')).toBe(good.toString('hex'));
    await server.waitForLog(/closed: u32be header declares a frame of 2147483647 bytes, over the maximum frame length of 8388608 bytes \(after 1 frame\)/);
    const next = await runCli(['connect', '--port', String(server.port), '--expect', '1', 'still here']);
    expect(next.code).toBe(0);
    expect(next.out).toBe('still here\n');
    expect((await server.stop()).code).toBe(0);
  });

  it('--echo skips, with a warning, a frame its framing cannot encode back, and keeps the connection', async () => {
    // line reads "abc\r\r\n" as "abc\r" (one CR before the LF is dropped), which line cannot
    // write: "abc\r\n" would read back as "abc".
    const server = await startServer(['--framing', 'line', '--echo', '--once']);
    const client = await rawClient(server.port, (socket) => {
      socket.end('hi\nabc\r\r\nmore\n');
    });
    expect(client.error).toBeUndefined();
    expect(client.data.toString()).toBe('hi\nmore\n');
    expect((await server.exited(10_000)).code).toBe(0);
    expect(server.log()).toMatch(/frame #2 \(4 bytes\): "abc\\r"\n.*framewire: warning: 127\.0\.0\.1:\d+ frame #2 not echoed: payload ends with 0d at offset 3/s);
    expect(server.log()).toMatch(/frame #3 \(4 bytes\): "more"/);
    expect(server.log()).toContain('closed after 3 frames.');
  });

  it('serves many clients at once', async () => {
    const server = await startServer(['--framing', 'varint', '--echo', '--quiet']);
    const clients = Array.from({ length: 8 }, (_, i) =>
      runCli(['connect', '--port', String(server.port), '--framing', 'varint', '--expect', '3', `a${i}`, `b${i}`, `c${i}`]),
    );
    const results = await Promise.all(clients);
    results.forEach((result, i) => {
      expect(result.code).toBe(0);
      expect(result.out).toBe(`a${i}\nb${i}\nc${i}\n`);
    });
    expect((await server.stop()).code).toBe(0);
  });

  it('closes a connection whose frame stays incomplete past --frame-timeout', async () => {
    const server = await startServer(['--framing', 'u16be', '--frame-timeout', '0.3']);
    const slow = await rawClient(server.port, (socket) => {
      socket.write(Buffer.from([0x00, 0x10, 0x61]));
    });
    expect(slow.data.length).toBe(0);
    await server.waitForLog(/closed: frame not completed within 0\.3 s \(3 bytes received of it\)/);
    expect((await server.stop()).code).toBe(0);
  });

  it('closes a silent connection after --idle-timeout', async () => {
    const server = await startServer(['--idle-timeout', '0.3']);
    const idle = await rawClient(server.port, () => undefined);
    expect(idle.data.length).toBe(0);
    await server.waitForLog(/closed: idle for more than 0\.3 s/);
    expect((await server.stop()).code).toBe(0);
  });

  it('refuses connections over --max-connections', async () => {
    const server = await startServer(['--max-connections', '1', '--framing', 'line', '--echo']);
    const first = net.connect(server.port, '127.0.0.1');
    await server.waitForLog(/has been established/);
    const second = await rawClient(server.port, () => undefined);
    expect(second.data.length).toBe(0);
    first.end('still served\n');
    const echoed = await new Promise<string>((resolve) => {
      let text = '';
      first.on('data', (chunk: Buffer) => (text += chunk.toString()));
      first.on('close', () => {
        resolve(text);
      });
    });
    expect(echoed).toBe('still served\n');
    expect(server.log().match(/has been established/g)).toHaveLength(1);
    expect(server.log()).toContain('max 1 connection, echo on');
    expect((await server.stop()).code).toBe(0);
  });

  it('the first stderr line is "listening on", even when --max-frame is lowered with a warning', async () => {
    const server = await startServer(['--framing', 'u8', '--max-frame', '1k', '--quiet']);
    await server.waitForLog(/warning/);
    const stopped = await server.stop();
    expect(stopped.code).toBe(0);
    const lines = server.log().split('\n');
    expect(lines[0]).toBe(`listening on 127.0.0.1:${server.port}`);
    expect(lines[1]).toBe('framewire: warning: u8 carries at most 255 bytes per frame; --max-frame 1024 lowered to that');
  });

  it('--once exits 0 after the first connection, 1 if it failed', async () => {
    const ok = await startServer(['--once', '--framing', 'line', '--echo']);
    const client = await runCli(['connect', '--port', String(ok.port), '--framing', 'line', 'bye']);
    expect(client.out).toBe('bye\n');
    expect((await ok.exited(10_000)).code).toBe(0);

    const failing = await startServer(['--once', '--framing', 'netstring']);
    await rawClient(failing.port, (socket) => {
      socket.write('x:');
    });
    const exited = await failing.exited(10_000);
    expect(exited.code).toBe(1);
    expect(failing.log()).toMatch(/\nframewire: netstring/);
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting, lets an open connection finish its frames, exits 0', async () => {
    const server = await startServer(['--framing', 'line', '--echo', '--grace', '5']);
    const client = net.connect(server.port, '127.0.0.1');
    let received = '';
    client.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const clientClosed = new Promise<void>((resolve) => client.on('close', resolve));
    await server.waitForLog(/has been established/);
    client.write('before\n');
    await server.waitForLog(/frame #1/);
    server.child.kill('SIGTERM');
    await server.waitForLog(/SIGTERM: closing \(grace period 5 s; a second signal ends it now\)/);
    // New connections are refused (or reset if one slipped into the backlog), the open one is still served.
    const refused = await rawClient(server.port, () => undefined);
    expect(refused.error?.message).toMatch(/ECONNREFUSED|ECONNRESET/);
    client.end('during\n');
    await clientClosed;
    expect(received).toBe('before\nduring\n');
    expect(server.log().match(/has been established/g)).toHaveLength(1);
    const exited = await server.exited(10_000);
    expect(exited.code).toBe(0);
    expect(server.log()).toMatch(/Server closed\.\n$/);
  });

  it('a second signal during the grace period ends the process at once', async () => {
    const server = await startServer(['--grace', '60']);
    const client = net.connect(server.port, '127.0.0.1');
    client.on('error', () => undefined);
    await server.waitForLog(/has been established/);
    server.child.kill('SIGTERM');
    await server.waitForLog(/SIGTERM: closing/);
    const exited = await server.stop('SIGINT', 10_000);
    expect(exited.signal).toBe('SIGINT');
    client.destroy();
  });

  it('after the grace period, destroys what is left and exits 0', async () => {
    const server = await startServer(['--grace', '0.3']);
    const client = net.connect(server.port, '127.0.0.1');
    client.on('error', () => undefined);
    const clientClosed = new Promise<void>((resolve) => client.on('close', resolve));
    await server.waitForLog(/has been established/);
    const exited = await server.stop('SIGINT', 10_000);
    expect(exited.code).toBe(0);
    await clientClosed;
    expect(server.log()).toMatch(/SIGINT: closing/);
  });
});
