/**
 * Slow-loris and idle clients (issue 7): `framewire serve` closes a connection whose frame
 * trickles in (`--frame-timeout`) or that goes silent (`--idle-timeout`), both configurable
 * and both on by default, while every other client is served meanwhile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rawClient, recordFigures, runCli, sleep, startServe, tlsFixture } from './helpers.js';
import type { RawClient, Serve } from './helpers.js';

const serves: Serve[] = [];
afterEach(async () => {
  await Promise.all(serves.splice(0).map((serve) => serve.stop()));
});

async function serve(args: readonly string[]): Promise<Serve> {
  const started = await startServe(args);
  serves.push(started);
  return started;
}

/** `framewire connect --expect 1 MESSAGE` against the server: the echo comes back. */
async function echoOnce(port: number, message: string): Promise<number> {
  const started = performance.now();
  const result = await runCli(['connect', '--port', String(port), '--expect', '1', '--timeout', '10', message]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toBe(`${message}\n`);
  return performance.now() - started;
}

/** A u32be header announcing `length` bytes. */
function header(length: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, length);
  return bytes;
}

/**
 * Sends a header, then one byte every `intervalMs` until the server closes the connection
 * (bounded by `maxBytes`). Resolves with how many payload bytes went out and when it closed.
 */
async function trickle(client: RawClient, intervalMs: number, maxBytes: number): Promise<{ bytes: number; closedAfterMs: number }> {
  const started = performance.now();
  client.socket.write(header(maxBytes + 1));
  let bytes = 0;
  while (bytes < maxBytes && !client.isClosed()) {
    await sleep(intervalMs);
    if (client.isClosed()) break;
    client.socket.write(Uint8Array.of(0x61));
    bytes += 1;
  }
  await client.closed(5_000);
  return { bytes, closedAfterMs: performance.now() - started };
}

describe('slow-loris: a header, then one byte per second', () => {
  it('is closed by --frame-timeout while other clients are served', async () => {
    const server = await serve(['--echo', '--frame-timeout', '4', '--idle-timeout', '0']);
    const loris = await rawClient(server.port);
    const peer = loris.peer;
    const slow = trickle(loris, 1000, 30);
    // Meanwhile, other clients come and go and are served.
    const latencies: number[] = [];
    while (!loris.isClosed() && latencies.length < 20) latencies.push(await echoOnce(server.port, `client ${latencies.length}`));
    const { bytes, closedAfterMs } = await slow;
    // It really trickled (bytes kept coming, so an idle timeout could not have caught it), and
    // the frame timeout closed it, long before the 30 bytes its header announced.
    expect(bytes).toBeGreaterThanOrEqual(3);
    expect(bytes).toBeLessThan(30);
    expect(closedAfterMs).toBeGreaterThanOrEqual(3_500);
    expect(latencies.length).toBeGreaterThanOrEqual(1);
    const logged = await server.waitForLog(new RegExp(`^Connection from ${peer.replaceAll('.', '\\.')} closed: (.*)$`, 'm'));
    expect(logged[1]).toMatch(/frame not completed within 4 s/);
    await echoOnce(server.port, 'after');
    recordFigures('serve slow-loris', {
      frameTimeoutSeconds: 4,
      bytesTrickled: bytes,
      closedAfterSeconds: Number((closedAfterMs / 1000).toFixed(1)),
      clientsServedMeanwhile: latencies.length,
      slowestOtherClientMs: Math.round(Math.max(...latencies)),
    });
  });

  it('fifty slow-loris clients at once are all closed, and a good client is served throughout', async () => {
    const server = await serve(['--echo', '--frame-timeout', '2', '--idle-timeout', '0', '--quiet']);
    const lorises = await Promise.all(Array.from({ length: 50 }, () => rawClient(server.port)));
    const slow = Promise.all(lorises.map((loris) => trickle(loris, 500, 60)));
    let served = 0;
    while (lorises.some((loris) => !loris.isClosed()) && served < 40) {
      await echoOnce(server.port, `good ${served}`);
      served += 1;
    }
    const outcomes = await slow;
    for (const outcome of outcomes) expect(outcome.bytes).toBeLessThan(60);
    expect(served).toBeGreaterThanOrEqual(1);
    await echoOnce(server.port, 'after');
    expect(server.log().match(/frame not completed within 2 s/g)).toHaveLength(50);
  });
});

describe('idle clients', () => {
  it('a silent connection, and one that stops half-way through a header, are closed by --idle-timeout', async () => {
    const server = await serve(['--echo', '--idle-timeout', '2', '--frame-timeout', '0']);
    const silent = await rawClient(server.port);
    const halfHeader = await rawClient(server.port);
    halfHeader.socket.write(Uint8Array.of(0, 0));
    const started = performance.now();
    await echoOnce(server.port, 'meanwhile');
    await Promise.all([silent.closed(10_000), halfHeader.closed(10_000)]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_500);
    for (const client of [silent, halfHeader]) {
      const peer = client.peer;
      const logged = await server.waitForLog(new RegExp(`^Connection from ${peer.replaceAll('.', '\\.')} closed: (.*)$`, 'm'));
      expect(logged[1]).toMatch(/idle for more than 2 s/);
    }
    await echoOnce(server.port, 'after');
  });

  it('a TLS client that never sends its ClientHello is closed by --idle-timeout too', async () => {
    const server = await serve([
      '--tls-cert',
      tlsFixture('server.pem'),
      '--tls-key',
      tlsFixture('server-key.pem'),
      '--echo',
      '--idle-timeout',
      '2',
    ]);
    const silent = await rawClient(server.port);
    const started = performance.now();
    try {
      await silent.closed(10_000);
    } finally {
      silent.socket.destroy();
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_500);
  });

  it('both timeouts are on by default', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.code).toBe(0);
    const defaultOf = (option: string): number => {
      const match = new RegExp(`${option} <seconds>[^]*?\\(default: (\\d+)\\)`).exec(help.stdout);
      if (!match) throw new Error(`no default shown for ${option} in:\n${help.stdout}`);
      return Number(match[1]);
    };
    expect(defaultOf('--idle-timeout')).toBeGreaterThan(0);
    expect(defaultOf('--frame-timeout')).toBeGreaterThan(0);
  });
});
