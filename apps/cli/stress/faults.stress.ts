/**
 * Faults (issue 7): a peer that resets in the middle of a frame, a server killed while
 * `connect` waits, and a graceful shutdown while clients are mid-stream.
 */
import { randomBytes, randomInt } from 'node:crypto';
import net from 'node:net';
import { crc32 } from 'node:zlib';
import { Deframer, TruncatedFrameError, concatBytes, decodeFramesAsync, isFramingError } from '@framewire/chunk-buffer';
import { u32be } from '@framewire/header';
import { ConnectionRefusedError, ConnectionResetError, connect } from '@framewire/transport';
import type { Connection } from '@framewire/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { KiB, MiB, finished, rawClient, recordFigures, runCli, sleep, spawnCli, startServe, until, writeRaw } from './helpers.js';
import type { Serve } from './helpers.js';

const ROUNDS = 200;
const strategy = u32be();
const encoder = strategy.createEncoder();

const serves: Serve[] = [];
const rawServers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(serves.splice(0).map((serve) => serve.stop('SIGKILL')));
  for (const server of rawServers.splice(0)) server.close();
});

/**
 * A few complete u32be frames, then the first `cut` bytes of one more (1 ≤ cut < its wire
 * length: always inside a frame). Kept under 32 KiB in all, so loopback delivers every byte
 * before a reset could discard some.
 */
function framesThenPartial(): { complete: Uint8Array[]; wire: Uint8Array; cutAt: number } {
  const complete = Array.from({ length: randomInt(0, 6) }, () => new Uint8Array(randomBytes(randomInt(0, 4 * KiB))));
  const partial = concatBytes(encoder.encode(new Uint8Array(randomBytes(randomInt(1, 4 * KiB)))));
  const cut = randomInt(1, partial.length);
  const wire = concatBytes([...complete.flatMap((payload) => encoder.encode(payload)), partial.subarray(0, cut)]);
  return { complete, wire, cutAt: cut };
}

/**
 * A raw server that, once a connection has sent its first bytes (so the client is surely
 * connected and reading), sends it what `next()` gives, then resets it.
 */
async function resettingServer(next: () => Uint8Array): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write(next(), () => {
        socket.resetAndDestroy();
      });
    });
  });
  rawServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** One line on stderr, prefixed `framewire: `, and no stack trace. */
function expectOneClearLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line !== '');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^framewire: \S/);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

describe('a peer reset in the middle of a frame', () => {
  it(`reaches a framed reader as a typed error after the complete frames, never as an end (${ROUNDS} rounds)`, async () => {
    const rounds: ReturnType<typeof framesThenPartial>[] = [];
    let next = 0;
    const port = await resettingServer(() => rounds[next++]!.wire);
    const outcomes = { ERR_CONNECTION_RESET: 0, ERR_TRUNCATED_FRAME: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      rounds.push(framesThenPartial());
      const { complete } = rounds[i]!;
      const conn = await connect({ port });
      await conn.write(Uint8Array.of(0));
      const frames: Uint8Array[] = [];
      let failure: unknown;
      try {
        for await (const frame of decodeFramesAsync(conn, strategy)) frames.push(Uint8Array.from(frame));
      } catch (error) {
        failure = error;
      }
      conn.close();
      // Never a silent end, never a partial frame passed on as complete.
      expect(failure, `round ${i}: the stream ended without an error`).toBeDefined();
      if (failure instanceof ConnectionResetError) outcomes.ERR_CONNECTION_RESET += 1;
      else if (failure instanceof TruncatedFrameError) outcomes.ERR_TRUNCATED_FRAME += 1;
      else throw failure;
      // Every complete frame sent before the reset, in order (all of them: they were delivered).
      expect(frames.map((frame) => Buffer.from(frame).toString('hex'))).toEqual(
        complete.slice(0, frames.length).map((frame) => Buffer.from(frame).toString('hex')),
      );
      if (failure instanceof TruncatedFrameError) expect(frames).toHaveLength(complete.length);
    }
    recordFigures('framed reader, peer reset mid-frame', { rounds: ROUNDS, ...outcomes });
  });

  it('against serve: each is logged as a failed connection, and serve goes on', async () => {
    const serve = await startServe(['--framing', 'u32be', '--echo', '--frame-timeout', '0']);
    serves.push(serve);
    const CLIENTS = 50;
    for (let i = 0; i < CLIENTS; i++) {
      const { complete, wire } = framesThenPartial();
      const client = await rawClient(serve.port);
      // Reset only once serve is handling the connection (a reset before it is accepted
      // is dropped by the kernel and Node without anyone to tell).
      await serve.waitForLog(new RegExp(`^Connection from ${client.peer.replaceAll('.', '\\.')} has been established\\.$`, 'm'));
      await writeRaw(client.socket, wire);
      // Let the server read the frames (it echoes each one) before the reset.
      await until(() => client.received().length >= complete.reduce((n, p) => n + 4 + p.length, 0), 'the echoes');
      client.socket.resetAndDestroy();
      const logged = await serve.waitForLog(
        new RegExp(`^Connection from ${client.peer.replaceAll('.', '\\.')} closed: (.*) \\(after (\\d+) frames?\\)$`, 'm'),
      );
      // A reset, or (when libuv reports the reset as an end) the truncated frame it left.
      const truncated = (() => {
        const deframer = new Deframer(strategy);
        deframer.push(wire);
        try {
          deframer.end();
        } catch (error) {
          if (isFramingError(error)) return error.message;
        }
        throw new Error('the partial frame did not leave the stream truncated');
      })();
      expect([truncated, 'connection reset by peer']).toContain(logged[1]);
      expect(Number(logged[2])).toBe(complete.length);
    }
    const after = await runCli(['connect', '--port', String(serve.port), '--expect', '1', '--timeout', '10', 'still serving']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe('still serving\n');
  });

  it('makes connect exit 1 with one clear line', async () => {
    // Half of a 100-byte frame, then a reset.
    const port = await resettingServer(() => concatBytes(encoder.encode(new Uint8Array(100))).subarray(0, 50));
    const result = await runCli(['connect', '--port', String(port), '--expect', '1', '--timeout', '10', 'hello']);
    expect(result.code).toBe(1);
    const line = expectOneClearLine(result.stderr);
    expect(line).toMatch(/^framewire: (connection reset by peer|stream ended inside a u32be frame)/);
    recordFigures('connect, server reset mid-frame', { exitCode: result.code ?? -1, stderr: line });
  });
});

describe('the server killed while connect waits', () => {
  it('connect exits 1 with one clear line, no stack trace', async () => {
    const serve = await startServe(['--framing', 'u32be']);
    serves.push(serve);
    const child = spawnCli(['connect', '--port', String(serve.port), '--expect', '1']);
    const result = finished(child, 15_000);
    await serve.waitForLog(/^Connection from 127\.0\.0\.1:\d+ has been established\.$/m);
    await sleep(200);
    process.kill(serve.pid, 'SIGKILL');
    expect(await serve.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    const { code, stderr, stdout } = await result;
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const line = expectOneClearLine(stderr);
    recordFigures('connect, server killed', { exitCode: code ?? -1, stderr: line });
  });
});

describe('graceful shutdown', () => {
  const FRAME = MiB;
  const CLIENTS = 8;

  it('SIGTERM while clients are mid-frame: their frames complete within the grace period, exit 0', async () => {
    const serve = await startServe(['--framing', 'u32be', '--echo', '--grace', '10']);
    serves.push(serve);
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const conn = await connect({ port: serve.port });
        const payload = new Uint8Array(randomBytes(FRAME));
        const wire = concatBytes(encoder.encode(payload));
        const half = randomInt(1, wire.length);
        await conn.write(wire.subarray(0, half));
        return { conn, payload, wire, half };
      }),
    );
    // Every client is connected and half-way through its frame.
    await until(() => (serve.log().match(/has been established/g) ?? []).length === CLIENTS, 'all clients to be accepted');
    const signalled = performance.now();
    process.kill(serve.pid, 'SIGTERM');
    await serve.waitForLog(/^SIGTERM: closing/m);
    // No new connections once closing has begun (the log line comes just before the
    // listening socket closes, so allow a moment). A connection that reached the listener's
    // backlog as it closed is reset rather than refused: not served either, try again.
    let refused: unknown;
    for (let tries = 0; refused === undefined && tries < 50; tries++) {
      try {
        (await connect({ port: serve.port })).close();
        await sleep(20);
      } catch (error) {
        if (error instanceof ConnectionResetError) await sleep(20);
        else refused = error;
      }
    }
    expect(refused).toBeInstanceOf(ConnectionRefusedError);
    const echoes = await Promise.all(
      clients.map(async ({ conn, payload, wire, half }) => {
        await conn.write(wire.subarray(half));
        await conn.end();
        const frames: Uint8Array[] = [];
        for await (const frame of decodeFramesAsync(conn, strategy)) frames.push(frame);
        expect(frames).toHaveLength(1);
        return crc32(frames[0]!) === crc32(payload) && frames[0]!.length === payload.length;
      }),
    );
    const { code, signal } = await serve.exited();
    const seconds = (performance.now() - signalled) / 1000;
    expect(echoes.every(Boolean)).toBe(true);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(seconds).toBeLessThan(10);
    expect(serve.log()).toMatch(/^Server closed\.$/m);
    recordFigures('serve graceful SIGTERM', { clientsMidFrame: CLIENTS, frameBytes: FRAME, secondsToExit: Number(seconds.toFixed(2)) });
  });

  it('a client still mid-frame when the grace period ends is closed, and serve exits 0', async () => {
    const serve = await startServe(['--framing', 'u32be', '--echo', '--grace', '1']);
    serves.push(serve);
    const conn: Connection = await connect({ port: serve.port });
    await conn.write(concatBytes(encoder.encode(new Uint8Array(1000))).subarray(0, 500));
    await serve.waitForLog(/has been established/);
    const signalled = performance.now();
    process.kill(serve.pid, 'SIGTERM');
    const { code, signal } = await serve.exited();
    const seconds = (performance.now() - signalled) / 1000;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(seconds).toBeGreaterThanOrEqual(0.9);
    // The stalled client sees its connection end (or fail), not hang.
    let ended = false;
    try {
      for await (const _chunk of conn) throw new Error('no echo of an incomplete frame');
      ended = true;
    } catch (error) {
      ended = error instanceof ConnectionResetError;
    }
    expect(ended).toBe(true);
  });
});
