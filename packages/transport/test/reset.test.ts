/**
 * A peer reset is never a clean end. Node 20's libuv reports a reset (RST) that lands right
 * after data as end-of-stream; the connection probes the socket with a zero-byte write before
 * taking an end for clean, so the reader throws `ConnectionResetError` after every byte
 * received before the reset — while a real half-close still ends the loop.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionClosedError, ConnectionResetError, connect, listen, type Connection, type Server } from '../src/index.js';
import { bytes, concat, fixture, portOf, readAll, serverTls, text } from './helpers.js';

const ROUNDS = 40;

const servers: Server[] = [];
const rawServers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close({ graceMs: 0 })));
  for (const server of rawServers.splice(0)) server.close();
});

type Outcome = { error: unknown; received: Uint8Array };

/** Reads to the end; `error` is what the loop threw, `undefined` after a clean end. */
async function readOutcome(conn: Connection): Promise<Outcome> {
  const parts: Uint8Array[] = [];
  try {
    for await (const chunk of conn) parts.push(Uint8Array.from(chunk));
    return { error: undefined, received: concat(parts) };
  } catch (error) {
    return { error, received: concat(parts) };
  }
}

/**
 * A raw server that, once the client has sent a byte, sends `payload` and resets the
 * connection. (Reset before the client took the connection up, it would fail `connect`.) With
 * `stopReading`, it reads nothing more after that first byte.
 */
async function resettingServer(payload: Uint8Array, secure: boolean, stopReading = false): Promise<number> {
  const onSocket = (socket: net.Socket): void => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      if (stopReading) socket.pause();
      socket.write(payload, () => {
        // Over TLS, reset the TCP socket under the TLS layer: no close_notify, no FIN.
        const tcp = socket instanceof tls.TLSSocket ? ((socket as { _parent?: net.Socket })._parent ?? socket) : socket;
        tcp.resetAndDestroy();
        socket.destroy();
      });
    });
  };
  const raw = secure ? tls.createServer({ ...serverTls() }, onSocket) : net.createServer(onSocket);
  rawServers.push(raw);
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  return (raw.address() as net.AddressInfo).port;
}

describe('a reset right after data', () => {
  it(`reaches the client's reader as ConnectionResetError after every byte sent, ${ROUNDS} times (TCP)`, async () => {
    const payload = new Uint8Array(randomBytes(32 * 1024));
    const port = await resettingServer(payload, false);
    let resets = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const conn = await connect({ port });
      await conn.write(Uint8Array.of(1));
      const outcome = await readOutcome(conn);
      expect(outcome.error).toBeInstanceOf(ConnectionResetError);
      expect(conn.error).toBe(outcome.error);
      await expect(conn.closed).rejects.toBe(outcome.error);
      // The reset came after the whole payload was written: it all arrived first.
      expect(Buffer.compare(outcome.received, payload)).toBe(0);
      resets += 1;
    }
    expect(resets).toBe(ROUNDS);
  });

  it(`reaches a server handler's reader as ConnectionResetError, ${ROUNDS} times, and the server goes on (TCP)`, async () => {
    const outcomes: Promise<Outcome>[] = [];
    const server = await listen({ port: 0, onError: () => undefined }, async (conn) => {
      const outcome = readOutcome(conn);
      outcomes.push(outcome);
      await conn.write(Uint8Array.of(0x2a));
      await outcome;
    });
    servers.push(server);
    const payload = randomBytes(16 * 1024);
    for (let i = 0; i < ROUNDS; i++) {
      const socket = net.connect(portOf(server), '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('data', resolve));
      await new Promise((resolve) => socket.write(payload, resolve));
      socket.resetAndDestroy();
      const outcome = await outcomes[i]!;
      expect(outcome.error).toBeInstanceOf(ConnectionResetError);
      expect(Buffer.compare(outcome.received, payload.subarray(0, outcome.received.length))).toBe(0);
    }
    const conn = await connect({ port: portOf(server) });
    expect(conn.isClosed).toBe(false);
    conn.close();
  });

  it('reaches the reader as ConnectionResetError over TLS too', async () => {
    const payload = new Uint8Array(randomBytes(8 * 1024));
    const port = await resettingServer(payload, true);
    for (let i = 0; i < 10; i++) {
      const conn = await connect({ port, tls: { ca: fixture('ca.pem') } });
      await conn.write(Uint8Array.of(1));
      const outcome = await readOutcome(conn);
      expect(outcome.error).toBeInstanceOf(ConnectionResetError);
      expect(Buffer.compare(outcome.received, payload)).toBe(0);
    }
  });
});

describe('a reset while this side has writes queued', () => {
  it.each([
    ['TCP', false],
    ['TLS', true],
  ] as const)('%s: still reaches the reader as ConnectionResetError (no clean end), 20 times', async (_name, secure) => {
    // The server reads no more after the first bytes: the client's large write stays queued.
    const port = await resettingServer(randomBytes(100_000), secure, true);
    for (let i = 0; i < 20; i++) {
      const conn = await connect({ port, ...(secure ? { tls: { ca: fixture('ca.pem') } } : {}) });
      const write = conn.write(new Uint8Array(32 * 1024 * 1024)).catch((error: unknown) => error);
      const { error } = await readOutcome(conn);
      expect(error).toBeInstanceOf(ConnectionResetError);
      expect(await write).toBeInstanceOf(ConnectionResetError);
    }
  });
});

describe('a reset while the reader is busy', () => {
  it("still gives a slow reader every byte received before it: those Node's paused socket read ahead", async () => {
    // The server sends 10 pieces of 1,000 bytes, 5 ms apart, then resets. The reader sleeps
    // 300 ms over the first chunk: meanwhile Node reads the rest ahead (under its 16 KiB
    // highWaterMark) and then meets the reset.
    const pieces = Array.from({ length: 10 }, (_, i) => new Uint8Array(1000).fill(i + 1));
    const raw = net.createServer((socket) => {
      socket.on('error', () => undefined);
      const send = async (): Promise<void> => {
        for (const piece of pieces) {
          socket.write(piece);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        socket.resetAndDestroy();
      };
      socket.once('data', () => void send());
    });
    rawServers.push(raw);
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    for (let round = 0; round < 3; round++) {
      const conn = await connect({ port: (raw.address() as net.AddressInfo).port });
      await conn.write(Uint8Array.of(1));
      const parts: Uint8Array[] = [];
      let error: unknown;
      try {
        for await (const chunk of conn) {
          parts.push(Uint8Array.from(chunk));
          if (parts.length === 1) await new Promise((resolve) => setTimeout(resolve, 300));
        }
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(ConnectionResetError);
      expect(Buffer.compare(concat(parts), concat(pieces))).toBe(0);
    }
  });
});

describe('a clean half-close is still an end', () => {
  it.each([
    ['TCP', false],
    ['TLS', true],
  ] as const)('%s: the peer ends while this side goes on writing; the loop ends, the write still arrives', async (_name, secure) => {
    let serverSaw: Outcome | undefined;
    const server = await listen({ port: 0, ...(secure ? { tls: serverTls() } : {}) }, async (conn) => {
      serverSaw = await readOutcome(conn);
      // Written after the peer's end: the half-closed peer still reads it.
      await conn.write(bytes(`got ${text(serverSaw.received)}`));
      await conn.end();
    });
    servers.push(server);
    for (let i = 0; i < ROUNDS; i++) {
      const conn = await connect({ port: portOf(server), ...(secure ? { tls: { ca: fixture('ca.pem') } } : {}) });
      await conn.write(bytes(`ping ${i}`));
      await conn.end();
      expect(text(await readAll(conn))).toBe(`got ping ${i}`);
      await conn.closed;
      expect(serverSaw?.error).toBeUndefined();
    }
  });

  it.each([
    ['TCP', false],
    ['TLS', true],
  ] as const)('%s: the loop ends while this side still has bytes queued for a peer that stopped reading', async (_name, secure) => {
    let write: Promise<unknown> | undefined;
    let saw!: (outcome: Outcome) => void;
    const serverSaw = new Promise<Outcome>((resolve) => (saw = resolve));
    const server = await listen({ port: 0, ...(secure ? { tls: serverTls() } : {}) }, async (conn) => {
      // More than the kernels' buffers hold: part of it stays queued in this socket.
      write = conn.write(new Uint8Array(32 * 1024 * 1024)).catch((error: unknown) => error);
      saw(await readOutcome(conn));
      conn.close();
    });
    servers.push(server);
    const conn = await connect({ port: portOf(server), ...(secure ? { tls: { ca: fixture('ca.pem') } } : {}) });
    for await (const chunk of conn) if (chunk.length > 0) break; // stop reading
    await conn.write(bytes('bye'));
    await conn.end();
    // The server's reader sees the end although its write is stuck behind it.
    const { error, received } = await serverSaw;
    expect(error).toBeUndefined();
    expect(text(received)).toBe('bye');
    expect(await write).toBeInstanceOf(ConnectionClosedError);
    conn.close();
  });

  it('ends the loop at once when this side has ended first', async () => {
    const server = await listen({ port: 0 }, async (conn) => {
      await conn.end();
      await readAll(conn);
    });
    servers.push(server);
    const conn = await connect({ port: portOf(server) });
    await conn.end();
    expect(await readOutcome(conn)).toEqual({ error: undefined, received: new Uint8Array(0) });
    await conn.closed;
  });
});
