/**
 * Security defaults of `framewire serve` and `connect` (issue 7): loopback only unless told
 * otherwise; TLS certificates verified unless `--insecure` (which says so on stderr); a
 * maximum number of connections and a maximum frame size on by default.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { concatBytes, decodeFramesAsync } from '@framewire/chunk-buffer';
import { u32be } from '@framewire/header';
import { connect } from '@framewire/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { MiB, rawClient, recordFigures, runCli, sleep, startServe, tlsFixture, until } from './helpers.js';
import type { RawClient, Serve } from './helpers.js';

const serves: Serve[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.destroy();
  await Promise.all(serves.splice(0).map((serve) => serve.stop()));
});

async function serve(args: readonly string[]): Promise<Serve> {
  const started = await startServe(args);
  serves.push(started);
  return started;
}

/** Listening sockets on `port` from /proc/net/tcp and tcp6: their local addresses, in hex. */
function listeners(port: number): string[] {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // State 0A is LISTEN.
      if (local?.endsWith(`:${portHex}`) === true && fields[3] === '0A') found.push(local.slice(0, -5));
    }
  }
  return found;
}

describe('binding', () => {
  it('serve listens on 127.0.0.1 only unless --host says otherwise', async () => {
    const server = await serve([]);
    expect(server.listening).toBe(`127.0.0.1:${server.port}`);
    // 0100007F is 127.0.0.1 in /proc/net/tcp's little-endian hex; no wildcard, no IPv6 socket.
    expect(listeners(server.port)).toEqual(['0100007F']);
  });
});

describe('TLS', () => {
  const tlsArgs = ['--tls-cert', tlsFixture('server.pem'), '--tls-key', tlsFixture('server-key.pem'), '--echo'];

  it('connect verifies the certificate: an unknown CA fails with one clear line, and serve goes on', async () => {
    const server = await serve(tlsArgs);
    const result = await runCli(['connect', '--port', String(server.port), '--tls', '--expect', '1', '--timeout', '10', 'secret']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^framewire: TLS certificate verification failed for 127\.0\.0\.1:\d+: .*\(\w+\)$/);
    // The server still serves a client that trusts its CA.
    const trusted = await runCli(['connect', '--port', String(server.port), '--ca', tlsFixture('ca.pem'), '--expect', '1', '--timeout', '10', 'secret']);
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stdout).toBe('secret\n');
    expect(trusted.stderr).not.toMatch(/warning/);
    recordFigures('connect --tls, unknown CA', { exitCode: result.code ?? -1, stderr: lines[0]! });
  });

  it('clients that fail the handshake do not keep holding connection slots', async () => {
    const server = await serve([...tlsArgs, '--max-connections', '3']);
    for (let i = 0; i < 3; i++) {
      const failed = await runCli(['connect', '--port', String(server.port), '--tls', '--expect', '1', '--timeout', '10', 'secret']);
      expect(failed.code).toBe(1);
    }
    // Each refused handshake must free its slot: a client that trusts the CA gets in.
    let trusted = await runCli(['connect', '--port', String(server.port), '--ca', tlsFixture('ca.pem'), '--expect', '1', '--timeout', '5', 'secret']);
    for (let tries = 0; trusted.code !== 0 && tries < 10; tries++) {
      await sleep(200);
      trusted = await runCli(['connect', '--port', String(server.port), '--ca', tlsFixture('ca.pem'), '--expect', '1', '--timeout', '5', 'secret']);
    }
    expect(trusted.code, `a trusted client was refused: ${trusted.stderr}`).toBe(0);
    expect(trusted.stdout).toBe('secret\n');
  });

  it('--insecure skips verification and says so on stderr', async () => {
    const server = await serve(tlsArgs);
    const result = await runCli(['connect', '--port', String(server.port), '--insecure', '--expect', '1', '--timeout', '10', 'secret']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('secret\n');
    expect(result.stderr).toMatch(/^framewire: warning: TLS certificate verification is off \(--insecure\)$/m);
  });
});

describe('maximum number of connections', () => {
  const WELCOME = Uint8Array.of(0, 0, 0, 2, 0x68, 0x69); // u32be frame "hi"

  /** Connects and waits until the welcome frame arrived or the server closed the connection. */
  async function welcomed(port: number): Promise<{ client: RawClient; welcomed: boolean }> {
    const client = await rawClient(port);
    clients.push(client);
    await until(() => client.received().length >= WELCOME.length || client.isClosed(), 'a welcome or a close', 10_000);
    return { client, welcomed: Buffer.from(WELCOME).equals(client.received().subarray(0, WELCOME.length)) };
  }

  it('is on by default (1024): the next client is refused, and admitted once a slot frees up', { timeout: 120_000 }, async () => {
    const help = await runCli(['serve', '--help']);
    const match = /--max-connections <n>[^]*?\(default: (\d+)\)/.exec(help.stdout);
    expect(match, help.stdout).not.toBeNull();
    const limit = Number(match![1]);
    expect(limit).toBe(1024);
    const server = await serve(['--welcome', 'hi', '--quiet']);
    const admitted: RawClient[] = [];
    for (let i = 0; i < limit; i += 128) {
      const batch = await Promise.all(Array.from({ length: Math.min(128, limit - i) }, () => welcomed(server.port)));
      for (const { client, welcomed: ok } of batch) {
        expect(ok).toBe(true);
        admitted.push(client);
      }
    }
    const refused = await welcomed(server.port);
    expect(refused.welcomed).toBe(false);
    await refused.client.closed();
    // One leaves; the next is admitted.
    admitted[0]!.socket.destroy();
    await admitted[0]!.closed();
    let next = await welcomed(server.port);
    for (let tries = 0; !next.welcomed && tries < 50; tries++) next = await welcomed(server.port);
    expect(next.welcomed).toBe(true);
    expect(server.child.exitCode).toBeNull();
  });

  it('--max-connections 3 refuses the fourth', async () => {
    const server = await serve(['--welcome', 'hi', '--quiet', '--max-connections', '3']);
    for (let i = 0; i < 3; i++) expect((await welcomed(server.port)).welcomed).toBe(true);
    const fourth = await welcomed(server.port);
    expect(fourth.welcomed).toBe(false);
    await fourth.client.closed();
  });
});

describe('maximum frame size', () => {
  const strategy = u32be();
  const encoder = strategy.createEncoder();
  const DEFAULT_MAX = 8 * MiB;

  it('is on by default (8 MiB): a frame of exactly 8 MiB is echoed, one byte more closes the connection', async () => {
    const server = await serve(['--framing', 'u32be', '--echo']);
    await server.waitForLog(/max frame 8 MiB/);

    const payload = new Uint8Array(randomBytes(DEFAULT_MAX));
    const conn = await connect({ port: server.port });
    await conn.write(...encoder.encode(payload));
    await conn.end();
    const frames: Uint8Array[] = [];
    for await (const frame of decodeFramesAsync(conn, strategy, { maxBufferedBytes: 2 * DEFAULT_MAX })) frames.push(frame);
    expect(frames).toHaveLength(1);
    expect(Buffer.compare(frames[0]!, payload)).toBe(0);

    // One byte over: refused at the header (the encoder here would refuse too, so build it by hand).
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, DEFAULT_MAX + 1);
    const client = await rawClient(server.port);
    clients.push(client);
    const socket: net.Socket = client.socket;
    socket.write(concatBytes([header, new Uint8Array(64 * 1024)]));
    await client.closed();
    expect(client.received()).toHaveLength(0);
    const logged = await server.waitForLog(new RegExp(`^Connection from ${client.peer.replaceAll('.', '\\.')} closed: (.*)$`, 'm'));
    expect(logged[1]).toMatch(/declares a frame of 8388609 bytes, over the maximum frame length of 8388608 bytes/);
  });
});
