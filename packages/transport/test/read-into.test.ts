/**
 * A plain client connection's own reads, and `Connection[READ_INTO]`: switching its reads into
 * memory the caller lays out after `connect` (what `decodeFramesAsync` of
 * `@framewire/chunk-buffer` does with a strategy's read memory). Real sockets on 127.0.0.1
 * (port 0) and in a temporary directory.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { READ_INTO, connect, type Connection, type RecvMemory, type Server } from '../src/index.js';
import { bytes, chunks, concat, firstConnection, fixture, hex, portOf, readChunksInto, recorder, serverPool, serverTls, tcpCase, text, unixSocketCase, until, type SocketCase } from './helpers.js';

const { serve, closeAll } = serverPool();
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await closeAll();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const unixCase = unixSocketCase(cleanups, 'read-into.sock');

const greeting = bytes('Hey there!!!');
const message = new Uint8Array(300_000).map((_, i) => (i * 7) % 253);

/**
 * The greeting at once, then, once the client has written anything, the message in writes of
 * 50,000 bytes, then the end.
 */
async function greetThenSend(conn: Connection): Promise<void> {
  await conn.write(greeting);
  const iterator = conn[Symbol.asyncIterator]();
  await iterator.next();
  for (let at = 0; at < message.length; at += 50_000) await conn.write(message.subarray(at, at + 50_000));
  await conn.end();
  await iterator.return?.();
}

/** A client connection to a `greetThenSend` server, once its greeting is read (not yet handed out). */
async function greeted(c: SocketCase): Promise<Connection> {
  const server = await serve(c.listen(), greetThenSend);
  const conn = await connect(c.connect(server));
  await until(() => conn.bytesRead >= greeting.length, 'the greeting to arrive');
  return conn;
}

describe("a plain client connection's own reads", () => {
  it.each([tcpCase, unixCase])(
    'yield every byte, kept chunks intact, none holding more than four times its bytes ($name)',
    async (c) => {
      const conn = await greeted(c);
      await conn.write(bytes('go'));
      const received = await chunks(conn);
      // Compared only at the end: a read into memory a kept chunk still uses would show here.
      expect(hex(concat(received))).toBe(hex(concat([greeting, message])));
      // A small read is copied out into memory of its size (not Node's shared pool), a large one
      // kept as read.
      for (const chunk of received) {
        expect(chunk.buffer.byteLength).toBeLessThanOrEqual(4 * chunk.length);
        if (chunk.length < 16 * 1024) expect(chunk.buffer.byteLength).toBe(chunk.length);
      }
      await conn.end();
    },
  );
});

/** V8's `gc()`, in a process started without `--expose-gc`. */
function exposedGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

describe("a plain client connection's reads that leave part of their memory", () => {
  it('show zeroes there, not bytes the process held before', async () => {
    const block = 20_000;
    const rounds = 8;
    // One block per byte the client writes, so that each read holds one block: at least 16 KiB
    // (kept as read, a view of the connection's own 64 KiB) and less than the memory.
    const server = await serve({ port: 0 }, async (conn) => {
      let sent = 0;
      for await (const asked of conn) {
        for (let i = 0; i < asked.length && sent < rounds; i++, sent++) await conn.write(new Uint8Array(block).fill(sent + 1));
        if (sent === rounds) break;
      }
      await conn.end();
    });
    // Memory of this size, full of 0xa5 and freed: what an allocator that does not zero hands
    // out next.
    const gc = exposedGc();
    for (let i = 0; i < 64; i++) Buffer.allocUnsafeSlow(64 * 1024).fill(0xa5);
    gc();
    const conn = await connect({ port: portOf(server) });
    const iterator = conn[Symbol.asyncIterator]();
    const kept: Uint8Array[] = [];
    let received = 0;
    for (let round = 0; round < rounds; round++) {
      await conn.write(bytes('n'));
      const until = (round + 1) * block;
      while (received < until) {
        const next = await iterator.next();
        if (next.done === true) throw new Error(`the connection ended after ${received} bytes`);
        received += next.value.length;
        // Copies are memory of their own size; a chunk kept as read is a view of more.
        if (next.value.buffer.byteLength > next.value.length) kept.push(next.value);
      }
    }
    expect(received).toBe(rounds * block);
    // The first block lands in the shared read buffer and is copied out; the others are kept.
    expect(kept.length).toBeGreaterThanOrEqual(rounds - 2);
    for (const chunk of kept) {
      expect(chunk.length).toBeGreaterThanOrEqual(16 * 1024);
      expect(chunk.buffer.byteLength).toBe(64 * 1024);
      const rest = new Uint8Array(chunk.buffer, chunk.byteOffset + chunk.length);
      expect(rest.length).toBeGreaterThan(0);
      expect(rest.every((b) => b === 0)).toBe(true);
    }
    await iterator.return?.();
  });
});

describe("a plain client connection's memory for its next read", () => {
  it('is none of its own once its last read was small: 256 idle connections hold under 4 MiB between them', async () => {
    const server = await serve({ port: 0 }, async (conn) => {
      await conn.write(greeting);
      await conn.closed.catch(() => undefined);
    });
    const before = process.memoryUsage().arrayBuffers;
    const conns: Connection[] = [];
    try {
      for (let i = 0; i < 256; i++) {
        const conn = await connect({ port: portOf(server) });
        conns.push(conn);
        const first = await conn[Symbol.asyncIterator]().next();
        expect(first.done).toBe(false);
      }
      // Memory of 64 KiB each for their next reads would be 16 MiB.
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
    } finally {
      for (const conn of conns) conn.close();
    }
  });
});

describe('Connection[READ_INTO] (reads switched into memory laid out after connect)', () => {
  it('is the symbol chunk-buffer looks for, Symbol.for("framewire.readInto")', () => {
    expect(READ_INTO).toBe(Symbol.for('framewire.readInto'));
  });

  it.each([tcpCase, unixCase])(
    'copies the bytes read before the switch into the memory, then reads into it: every chunk a view of it ($name)',
    async (c) => {
      // The greeting is read (and queued) before the switch: it is copied into the memory.
      const conn = await greeted(c);
      const memory = recorder();
      expect(conn[READ_INTO](memory)).toBe(true);
      await conn.write(bytes('go'));
      const received = await chunks(conn);
      expect(hex(concat(received))).toBe(hex(concat([greeting, message])));
      // Each chunk is the start of the memory given for it, as filled() was told.
      expect(memory.reads).toEqual(received.map((chunk) => chunk.length));
      received.forEach((chunk, i) => {
        expect(chunk.buffer).toBe(memory.given[i]!.buffer);
        expect(chunk.byteOffset).toBe(memory.given[i]!.byteOffset);
      });
      expect(received.length).toBeGreaterThanOrEqual(34);
      // Switched once: a second switch is refused.
      expect(conn[READ_INTO](recorder())).toBe(false);
      await conn.end();
    },
  );

  it('is refused once a chunk was handed to the reader, and reading goes on as before', async () => {
    const server = await serve({ port: 0 }, greetThenSend);
    const conn = await connect({ port: portOf(server) });
    const iterator = conn[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done === true) throw new Error('the connection ended before the greeting');
    expect(text(first.value)).toBe('Hey there!!!');
    const memory = recorder();
    expect(conn[READ_INTO](memory)).toBe(false);
    await conn.write(bytes('go'));
    const rest: Uint8Array[] = [];
    for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) rest.push(step.value);
    expect(hex(concat(rest))).toBe(hex(message));
    expect(memory.given).toEqual([]);
    await conn.end();
  });

  it.each<[string, () => Promise<{ conn: Connection; server: Server }>]>([
    [
      'a connection that reads into memory chosen at connect (recvSize)',
      async () => {
        const server = await serve({ port: 0 }, greetThenSend);
        return { server, conn: await connect({ port: portOf(server), recvSize: 1024 }) };
      },
    ],
    [
      'a TLS connection (Node decrypts into memory of its own)',
      async () => {
        const server = await serve({ port: 0, tls: serverTls() }, greetThenSend);
        return { server, conn: await connect({ port: portOf(server), tls: { ca: fixture('ca.pem') } }) };
      },
    ],
    [
      'a closed connection',
      async () => {
        const server = await serve({ port: 0 }, greetThenSend);
        const conn = await connect({ port: portOf(server) });
        conn.close();
        return { server, conn };
      },
    ],
  ])('is refused by %s', async (_, open) => {
    const { conn } = await open();
    const memory = recorder();
    expect(conn[READ_INTO](memory)).toBe(false);
    expect(memory.given).toEqual([]);
    conn.close();
    await conn.closed.catch(() => undefined);
  });

  it('is refused by a connection that listen accepted', async () => {
    const { handler, accepted } = firstConnection();
    const server = await serve({ port: 0 }, handler);
    const client = await connect({ port: portOf(server) });
    const conn = await accepted;
    expect(conn[READ_INTO](recorder())).toBe(false);
    client.close();
    conn.close();
  });

  it('throws a TypeError for memory without next() and filled()', async () => {
    const server = await serve({ port: 0 }, greetThenSend);
    const conn = await connect({ port: portOf(server) });
    expect(() => conn[READ_INTO]({ next: () => new Uint8Array(8) } as unknown as RecvMemory)).toThrow(
      new TypeError('read memory must be an object with next() and filled(bytesRead) methods (got an object)'),
    );
    // Nothing changed: the connection still switches.
    expect(conn[READ_INTO](recorder())).toBe(true);
    conn.close();
  });

  it("closes the connection with the memory's error, after the chunks read before it", async () => {
    const boom = new Error('no memory for you');
    const conn = await greeted(tcpCase);
    let calls = 0;
    // Room for the greeting, then a failure.
    const memory: RecvMemory = {
      next: () => {
        if (++calls > 1) throw boom;
        return new Uint8Array(greeting.length);
      },
      filled: () => undefined,
    };
    expect(conn[READ_INTO](memory)).toBe(true);
    await conn.write(bytes('go'));
    const received: Uint8Array[] = [];
    await expect(readChunksInto(conn, received)).rejects.toBe(boom);
    await expect(conn.closed).rejects.toBe(boom);
    expect(received.map(text)).toEqual(['Hey there!!!']);
  });
});
