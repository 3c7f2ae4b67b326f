/**
 * Resets in the middle of a stream, many times, at random points, on both sides: every byte
 * received before the reset arrives in order, the reader's loop throws a typed
 * `ConnectionResetError` — never a silent end, as the README promises — and a server goes
 * on accepting.
 *
 * Node 20's libuv (1.46) reports a reset that lands right after data read in a partial read
 * as an end of stream (its POLLHUP shortcut, reworked in libuv PR 4997). The reset is still
 * pending on the socket: the next write — even a zero-byte one — fails with ECONNRESET, which
 * is how a transport can tell the two apart. The tests count resets seen as an end, check
 * that the reset is there on the next write, and then hold the transport to its promise.
 */
import { randomBytes, randomInt } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionResetError, connect, listen, type Connection, type Server } from '../src/index.js';
import { KiB, recordFigures, sleep } from './helpers.js';

/** Polls `check` until it holds; throws after `timeoutMs`. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

const ROUNDS = 200;
const CONCURRENCY = 8;
const MAX_BEFORE_RESET = 512 * KiB;

const servers: Server[] = [];
const rawServers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close({ graceMs: 0 })));
  for (const server of rawServers.splice(0)) server.close();
});

/** How a read loop ended. */
type Outcome = { kind: 'error'; error: unknown; received: Uint8Array } | { kind: 'end'; received: Uint8Array };

async function readToEnd(conn: Connection): Promise<Outcome> {
  const parts: Uint8Array[] = [];
  try {
    for await (const chunk of conn) parts.push(Uint8Array.from(chunk));
    return { kind: 'end', received: Buffer.concat(parts) };
  } catch (error) {
    return { kind: 'error', error, received: Buffer.concat(parts) };
  }
}

/** Runs `round(i)` for i < ROUNDS with at most CONCURRENCY at once. */
async function rounds(round: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ROUNDS) await round(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function expectPrefix(received: Uint8Array, sent: Uint8Array): void {
  expect(received.length).toBeLessThanOrEqual(sent.length);
  expect(Buffer.compare(received, sent.subarray(0, received.length))).toBe(0);
}

describe('a peer that resets mid-stream', () => {
  it(`reaches the client's reader as ConnectionResetError, never as an end, ${ROUNDS} times at random points`, async () => {
    // Each accepted socket gets the payload its round prepared, then a reset as soon as it is written.
    const payloads: Uint8Array[] = [];
    const raw = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (id: Buffer) => {
        const payload = payloads[id.readUInt32BE(0)]!;
        socket.write(payload, () => {
          socket.resetAndDestroy();
        });
      });
    });
    rawServers.push(raw);
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const port = (raw.address() as net.AddressInfo).port;

    const counts = { resets: 0, ends: 0, resetOnNextWrite: 0 };
    let received = 0;
    await rounds(async (i) => {
      payloads[i] = new Uint8Array(randomBytes(randomInt(1, MAX_BEFORE_RESET)));
      const conn = await connect({ port });
      const id = new Uint8Array(4);
      new DataView(id.buffer).setUint32(0, i);
      await conn.write(id);
      const outcome = await readToEnd(conn);
      expectPrefix(outcome.received, payloads[i]);
      received += outcome.received.length;
      payloads[i] = new Uint8Array(0);
      if (outcome.kind === 'error') {
        expect(outcome.error).toBeInstanceOf(ConnectionResetError);
        expect(outcome.error).toMatchObject({ code: 'ERR_CONNECTION_RESET' });
        expect(conn.error).toBe(outcome.error);
        await expect(conn.closed).rejects.toBe(outcome.error);
        counts.resets += 1;
        return;
      }
      // Reported as an end by libuv: the reset is still there, and the next write meets it
      // (the write itself may resolve first: it only waits for room in the send buffer).
      counts.ends += 1;
      await conn.write(Uint8Array.of(1)).catch(() => undefined);
      await expect(conn.closed).rejects.toMatchObject({ code: 'ERR_CONNECTION_RESET' });
      counts.resetOnNextWrite += 1;
    });
    expect(counts.resets + counts.ends).toBe(ROUNDS);
    expect(counts.resetOnNextWrite).toBe(counts.ends);
    recordFigures('transport client-side resets', { rounds: ROUNDS, ...counts, bytesReceivedBeforeResets: received });
    expect(counts.ends, 'resets the reader took for a clean end').toBe(0);
  });

  it(`reaches a server handler's reader as ConnectionResetError, never as an end, ${ROUNDS} times, and the server goes on`, async () => {
    const outcomes = new Map<number, Promise<Outcome>>();
    const handlerErrors: Error[] = [];
    // Tells the client it is being handled (one byte), reads to the end and, when the
    // connection ended cleanly, echoes what it got.
    const server = await listen({ port: 0, onError: (error) => handlerErrors.push(error) }, async (conn) => {
      const port = conn.remoteEndpoint.family === 'unix' ? 0 : conn.remoteEndpoint.port;
      const outcome = readToEnd(conn);
      outcomes.set(port, outcome);
      await conn.write(Uint8Array.of(0x2a));
      const result = await outcome;
      if (result.kind === 'end') {
        await conn.write(result.received);
        await conn.end();
      }
    });
    servers.push(server);
    const address = server.address;
    if (address.family === 'unix') throw new Error('expected a TCP server');

    const counts = { resets: 0, ends: 0 };
    await rounds(async () => {
      const payload = randomBytes(randomInt(1, MAX_BEFORE_RESET));
      const socket = net.connect(address.port, '127.0.0.1');
      socket.on('error', () => undefined);
      // The server's byte says its handler is reading this connection.
      await new Promise<void>((resolve) => {
        socket.once('data', () => {
          resolve();
        });
      });
      await new Promise<void>((resolve) => {
        socket.write(payload, () => {
          resolve();
        });
      });
      const outcome = outcomes.get(socket.localPort!);
      socket.resetAndDestroy();
      expect(outcome).toBeDefined();
      const result = await outcome!;
      expectPrefix(result.received, payload);
      if (result.kind === 'error') {
        expect(result.error).toMatchObject({ code: 'ERR_CONNECTION_RESET' });
        counts.resets += 1;
      } else {
        counts.ends += 1;
      }
    });
    expect(counts.resets + counts.ends).toBe(ROUNDS);
    expect(outcomes.size).toBe(ROUNDS);
    // Every handler that took the reset for an end met it when echoing.
    await until(() => handlerErrors.length === counts.ends, 'the echo of every silently reset connection to fail');
    for (const error of handlerErrors) expect(error).toMatchObject({ code: 'ERR_CONNECTION_RESET' });

    // Still serving: a well-behaved client gets its bytes back.
    const conn = await connect({ ...address });
    const it = conn[Symbol.asyncIterator]();
    await it.next(); // the server's ready byte
    await conn.write(new TextEncoder().encode('still there?'));
    await conn.end();
    const parts: Uint8Array[] = [];
    for (let next = await it.next(); next.done !== true; next = await it.next()) parts.push(next.value);
    expect(new TextDecoder().decode(Buffer.concat(parts))).toBe('still there?');
    await conn.closed;
    recordFigures('transport server-side resets', { rounds: ROUNDS, ...counts });
    expect(counts.ends, 'resets the reader took for a clean end').toBe(0);
  });
});
