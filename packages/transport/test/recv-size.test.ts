import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect, listen, type Connection, type ListenOptions, type RecvMemory, type Server } from '../src/index.js';
import { bytes, chunks, concat, fixture, hex, portOf, readAll, readChunksInto, recorder, serverTls, tcpCase, text, unixSocketCase, type SocketCase } from './helpers.js';

const servers: Server[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function serve(options: ListenOptions, handler: (conn: Connection) => void | Promise<void>): Promise<Server> {
  const server = await listen({ onError: () => undefined, ...options }, handler);
  servers.push(server);
  return server;
}

/** The tutorial's server: sends one message in one write, then ends. */
const hello = async (conn: Connection): Promise<void> => {
  await conn.write(bytes('Hey there!!!'));
  await conn.end();
};

const unixCase = unixSocketCase(cleanups, 'recv.sock');

describe('recvSize on connect (a fixed receive buffer, like recv(8))', () => {
  const cases: SocketCase[] = [
    tcpCase,
    {
      name: 'TLS',
      listen: () => ({ port: 0, tls: serverTls() }),
      connect: (s) => ({ port: portOf(s), tls: { ca: fixture('ca.pem') } }),
    },
    unixCase,
  ];

  it.each(cases)('reads "Hey there!!!" as "Hey ther" then "e!!!" ($name)', async (c) => {
    const server = await serve(c.listen(), hello);
    const conn = await connect({ ...c.connect(server), recvSize: 8 });
    const received = await chunks(conn);
    expect(received.map(text)).toEqual(['Hey ther', 'e!!!']);
    conn.close();
  });

  it('never yields more than recvSize bytes, and loses none', async () => {
    const message = bytes('0123456789'.repeat(1000));
    const server = await serve({ port: 0 }, async (conn) => {
      await conn.write(message);
      await conn.end();
    });
    const conn = await connect({ port: portOf(server), recvSize: 7 });
    const received = await chunks(conn);
    expect(received.every((chunk) => chunk.length >= 1 && chunk.length <= 7)).toBe(true);
    expect(received.length).toBeGreaterThanOrEqual(Math.ceil(message.length / 7));
    expect(hex(concat(received))).toBe(hex(message));
  });

  it('hands out copies: a chunk kept by the reader is not overwritten by later reads', async () => {
    const server = await serve({ port: 0 }, async (conn) => {
      await conn.write(bytes('AAAABBBBCCCC'));
      await conn.end();
    });
    const conn = await connect({ port: portOf(server), recvSize: 4 });
    const kept: Uint8Array[] = [];
    for await (const chunk of conn) kept.push(chunk);
    expect(kept.map(text)).toEqual(['AAAA', 'BBBB', 'CCCC']);
    // Each copy is memory of its own size, not a slice of Node's shared pool.
    for (const chunk of kept) expect(chunk.buffer.byteLength).toBe(4);
  });

  it('reads ahead no more than recvSize bytes while the reader is busy (not 16 KiB in reads of 8 bytes)', async () => {
    const message = new Uint8Array(64 * 1024).fill(0x61);
    const server = await serve({ port: 0 }, async (conn) => {
      await conn.write(message);
      await conn.end();
    });
    const conn = await connect({ port: portOf(server), recvSize: 8 });
    const iterator = conn[Symbol.asyncIterator]();
    await iterator.next();
    // The reader is busy: the connection reads one more chunk ahead, then pauses.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(conn.bytesRead).toBeLessThanOrEqual(3 * 8);
    conn.close();
  });
});

describe('recvArena on connect (reads into blocks, one read after the other)', () => {
  const ARENA = 256 * 1024;
  const message = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) % 251);

  /** Checks that each chunk starts where the one before ended, unless it opens a new block. */
  function checkBlocks(received: readonly Uint8Array[]): Set<ArrayBufferLike> {
    const blocks = new Set<ArrayBufferLike>();
    let previous: Uint8Array | undefined;
    for (const chunk of received) {
      expect(chunk.buffer.byteLength).toBe(ARENA);
      if (previous !== undefined && chunk.buffer === previous.buffer) {
        expect(chunk.byteOffset).toBe(previous.byteOffset + previous.length);
      } else {
        // A new block: never one seen before, and read from its start.
        expect(blocks.has(chunk.buffer)).toBe(false);
        expect(chunk.byteOffset).toBe(0);
      }
      blocks.add(chunk.buffer);
      previous = chunk;
    }
    return blocks;
  }

  const cases: SocketCase[] = [tcpCase, unixCase];

  it.each(cases)('yields chunks that follow each other in memory, block after block, and loses nothing ($name)', async (c) => {
    const server = await serve(c.listen(), async (conn) => {
      for (let at = 0; at < message.length; at += 100_000) await conn.write(message.subarray(at, at + 100_000));
      await conn.end();
    });
    const conn = await connect({ ...c.connect(server), recvArena: ARENA });
    const received = await chunks(conn);
    expect(hex(concat(received))).toBe(hex(message));
    // 3 MiB cannot fit in fewer than 12 blocks of 256 KiB; the chunks kept are still intact.
    expect(checkBlocks(received).size).toBeGreaterThanOrEqual(12);
  });

  it('with recvSize, reads at most recvSize bytes at a time into the block', async () => {
    const server = await serve({ port: 0 }, async (conn) => {
      await conn.write(message.subarray(0, 300_000));
      await conn.end();
    });
    const conn = await connect({ port: portOf(server), recvArena: ARENA, recvSize: 1000 });
    const received = await chunks(conn);
    expect(received.every((chunk) => chunk.length >= 1 && chunk.length <= 1000)).toBe(true);
    expect(hex(concat(received))).toBe(hex(message.subarray(0, 300_000)));
    expect(checkBlocks(received).size).toBe(2);
  });

  it('is refused with TLS, where Node decrypts into memory of its own', async () => {
    const server = await serve({ port: 0, tls: serverTls() }, hello);
    await expect(connect({ port: portOf(server), tls: { ca: fixture('ca.pem') }, recvArena: ARENA })).rejects.toThrow(
      new TypeError('recvArena cannot be used with tls: Node decrypts into memory of its own'),
    );
  });
});

describe('recvInto on connect (memory chosen read by read)', () => {
  const message = new Uint8Array(300_000).map((_, i) => (i * 7) % 253);

  it.each([tcpCase, unixCase])('reads into the memory it gives, each chunk the start of it, and loses nothing ($name)', async (c) => {
    const server = await serve(c.listen(), async (conn) => {
      for (let at = 0; at < message.length; at += 50_000) await conn.write(message.subarray(at, at + 50_000));
      await conn.end();
    });
    const memory = recorder();
    const conn = await connect({ ...c.connect(server), recvInto: memory });
    const received = await chunks(conn);
    expect(hex(concat(received))).toBe(hex(message));
    // Each chunk is the start of the memory given for its read, as filled() was told.
    expect(memory.reads).toEqual(received.map((chunk) => chunk.length));
    received.forEach((chunk, i) => {
      const given = memory.given[i]!;
      expect(chunk.buffer).toBe(given.buffer);
      expect(chunk.byteOffset).toBe(given.byteOffset);
      expect(chunk.length).toBeLessThanOrEqual(given.length);
    });
    // 300,000 bytes cannot fit in fewer reads of at most 9,000 bytes.
    expect(received.length).toBeGreaterThanOrEqual(34);
  });

  const boom = new Error('no memory for you');
  // [what fails, the memory, its error, the chunks the reader gets before the error]
  it.each<[string, RecvMemory, Error, string[]]>([
    [
      'a next() that throws, from the first read on',
      {
        next: () => {
          throw boom;
        },
        filled: () => undefined,
      },
      boom,
      [],
    ],
    [
      'a next() that throws after a first read',
      (() => {
        let calls = 0;
        return {
          next: () => {
            if (++calls > 1) throw boom;
            return new Uint8Array(4);
          },
          filled: () => undefined,
        };
      })(),
      boom,
      ['Hey '],
    ],
    [
      'a next() that gives no memory to read into',
      { next: () => new Uint8Array(0), filled: () => undefined },
      new TypeError('recvInto.next() must return a non-empty Uint8Array (got an empty Uint8Array)'),
      [],
    ],
    [
      'a filled() that throws',
      {
        next: () => new Uint8Array(64),
        filled: () => {
          throw boom;
        },
      },
      boom,
      [],
    ],
  ])('closes the connection with the error of %s, after the chunks read before it', async (_, recvInto, error, before) => {
    const server = await serve({ port: 0 }, hello);
    const conn = await connect({ port: portOf(server), recvInto });
    const received: Uint8Array[] = [];
    await expect(readChunksInto(conn, received)).rejects.toThrow(error);
    await expect(conn.closed).rejects.toThrow(error);
    expect(received.map(text)).toEqual(before);
  });
});

describe('reuseArena on connect (one block, reused while the reader holds little)', () => {
  const message = new Uint8Array(6 * 1024 * 1024).map((_, i) => (i * 31) % 251);
  const sendMessage = async (conn: Connection): Promise<void> => {
    for (let at = 0; at < message.length; at += 100_000) await conn.write(message.subarray(at, at + 100_000));
    await conn.end();
  };

  /** A chunk as received, and where it starts in the stream. */
  interface Placed {
    chunk: Uint8Array;
    stream: number;
  }

  /** Checks a chunk still holds the bytes it was read with. */
  function intact({ chunk, stream }: Placed): boolean {
    return Buffer.compare(chunk, message.subarray(stream, stream + chunk.length)) === 0;
  }

  it.each([tcpCase, unixCase])('reads round and round one block when the reader keeps nothing ($name)', async (c) => {
    const server = await serve(c.listen(), sendMessage);
    const conn = await connect({ ...c.connect(server), recvArena: 1024 * 1024, reuseArena: () => 0 });
    const copies: Uint8Array[] = [];
    const blocks = new Set<ArrayBufferLike>();
    let laps = 0;
    let previous: Uint8Array | undefined;
    for await (const chunk of conn) {
      // Not a Buffer, whose slice() is a view: a reader's slice() is a copy of its own.
      expect(Buffer.isBuffer(chunk)).toBe(false);
      copies.push(chunk.slice());
      blocks.add(chunk.buffer);
      expect(chunk.length).toBeLessThanOrEqual(64 * 1024);
      if (previous !== undefined && chunk.byteOffset !== previous.byteOffset + previous.length) {
        // Back to the start of the block, never anywhere else.
        expect(chunk.byteOffset).toBe(0);
        laps++;
      }
      previous = chunk;
    }
    expect(Buffer.compare(concat(copies), message)).toBe(0);
    // 6 MiB through one 1 MiB block: at least five times back to its start.
    expect(blocks.size).toBe(1);
    expect(laps).toBeGreaterThanOrEqual(5);
  });

  it('never reads over the bytes the reader says it holds, starting a new block instead', async () => {
    const server = await serve({ port: 0 }, sendMessage);
    // The reader keeps the last `hold` bytes it was given (as the chunks themselves), with
    // `hold` moving between nothing and more than the block, and checks them after every read.
    const holds = [0, 40_000, 300_000, 90_000, 0, 700_000, 20_000, 200_000];
    const kept: Placed[] = [];
    let keptBytes = 0;
    const conn = await connect({ port: portOf(server), recvArena: 256 * 1024, reuseArena: () => keptBytes });
    const blocks = new Set<ArrayBufferLike>();
    let reused = 0;
    let stream = 0;
    let reads = 0;
    for await (const chunk of conn) {
      if (blocks.has(chunk.buffer) && chunk.byteOffset === 0) reused++;
      blocks.add(chunk.buffer);
      kept.push({ chunk, stream });
      keptBytes += chunk.length;
      stream += chunk.length;
      const hold = holds[Math.floor(reads++ / 5) % holds.length]!;
      while (kept.length > 0 && keptBytes - kept[0]!.chunk.length >= hold) keptBytes -= kept.shift()!.chunk.length;
      expect(kept.every(intact)).toBe(true);
    }
    expect(stream).toBe(message.length);
    // Both happened: the block was reused, and held bytes made new blocks start.
    expect(reused).toBeGreaterThan(0);
    expect(blocks.size).toBeGreaterThan(1);
  });

  it.each([
    ['throws', (): number => {
      throw new Error('not counting');
    }],
    ['returns NaN', (): number => Number.NaN],
  ])('counts everything as held when the function %s: each block used once, no chunk overwritten', async (_name, reuseArena) => {
    const server = await serve({ port: 0 }, sendMessage);
    const conn = await connect({ port: portOf(server), recvArena: 256 * 1024, reuseArena });
    const placed: Placed[] = [];
    let stream = 0;
    for await (const chunk of conn) {
      placed.push({ chunk, stream });
      stream += chunk.length;
    }
    expect(stream).toBe(message.length);
    expect(placed.every(intact)).toBe(true);
  });
});

describe('recvSize on listen (reads split into views of recvSize bytes)', () => {
  it('reads "Hey there!!!" as "Hey ther" then "e!!!"', async () => {
    let received: Promise<Uint8Array[]> | undefined;
    const server = await serve({ port: 0, recvSize: 8 }, (conn) => {
      received = chunks(conn);
      void received.then(() => conn.end());
    });
    const conn = await connect({ port: portOf(server) });
    await conn.write(bytes('Hey there!!!'));
    await conn.end();
    await chunks(conn);
    expect(received).toBeDefined();
    expect((await received!).map(text)).toEqual(['Hey ther', 'e!!!']);
  });

  it('splits 64 KiB into 8,192 chunks of 8 bytes without losing a byte', async () => {
    const message = new Uint8Array(65_536).map((_, i) => i % 251);
    let received: Promise<Uint8Array[]> | undefined;
    const server = await serve({ port: 0, recvSize: 8 }, (conn) => {
      received = chunks(conn);
      void received.then(() => conn.end());
    });
    const conn = await connect({ port: portOf(server) });
    await conn.write(message);
    await conn.end();
    await chunks(conn);
    const got = await received!;
    expect(got.every((chunk) => chunk.length <= 8)).toBe(true);
    expect(got.length).toBeGreaterThanOrEqual(8_192);
    expect(hex(concat(got))).toBe(hex(message));
  });
});

describe('batched writes', () => {
  type SocketInternals = { _write: () => void; _writev: (chunks: { chunk: Uint8Array }[], cb: () => void) => void };
  const proto = net.Socket.prototype as unknown as SocketInternals;

  it('sends the chunks of one write() in one socket write, not one write each', async () => {
    let resolve!: (chunk: Uint8Array) => void;
    const arrived = new Promise<Uint8Array>((res) => (resolve = res));
    const server = await serve({ port: 0 }, async (conn) => {
      for await (const chunk of conn) resolve(chunk);
    });
    const conn = await connect({ port: portOf(server) });
    const writev = vi.spyOn(proto, '_writev');
    const write = vi.spyOn(proto, '_write');
    await conn.write(bytes('header'), bytes('payload'), bytes('\n'));
    // Small parts are copied into one buffer: one plain socket write.
    expect(writev.mock.calls.length + write.mock.calls.length).toBe(1);
    expect(text(await arrived)).toBe('headerpayload\n');
    conn.close();
  });

  it('passes large parts through uncopied, in one writev with the small ones, in order', async () => {
    const server = await serve({ port: 0 }, async (conn) => {
      await conn.write(await readAll(conn));
      await conn.end();
    });
    const conn = await connect({ port: portOf(server) });
    const large = new Uint8Array(64 * 1024).map((_, i) => i * 7);
    const larger = new Uint8Array(100_000).map((_, i) => i * 13);
    const parts = [bytes('h1'), bytes('h2'), large, bytes('f'), new Uint8Array(0), larger, bytes('end')];
    const original = proto._writev;
    let sent: Uint8Array[] = [];
    const writev = vi.spyOn(proto, '_writev').mockImplementation(function (this: unknown, entries, cb) {
      // Recorded before Node turns the entries into its own array.
      sent = entries.map(({ chunk }) => chunk);
      original.call(this, entries, cb);
    });
    const write = vi.spyOn(proto, '_write');
    conn.send(...parts);
    expect(writev).toHaveBeenCalledTimes(1);
    expect(write).not.toHaveBeenCalled();
    // h1+h2 | large | f | larger | end: small runs coalesced, large parts are the caller's bytes.
    expect(sent.map((chunk) => chunk.length)).toEqual([4, large.length, 1, larger.length, 3]);
    expect(sent[1]!.buffer).toBe(large.buffer);
    expect(sent[3]!.buffer).toBe(larger.buffer);
    vi.restoreAllMocks();
    await conn.end();
    expect(hex(await readAll(conn))).toBe(hex(concat(parts)));
  });

  it('copies small parts, so changing them after send() does not change what is sent', async () => {
    const server = await serve({ port: 0 }, async (conn) => {
      await conn.write(await readAll(conn));
      await conn.end();
    });
    const conn = await connect({ port: portOf(server) });
    const header = bytes('head');
    const payload = bytes('payload');
    conn.send(header, payload);
    header.fill(0x21);
    payload.fill(0x21);
    await conn.end();
    expect(text(await readAll(conn))).toBe('headpayload');
  });

  it('send() batches the same way, and an empty batch writes nothing', async () => {
    const server = await serve({ port: 0 }, async (conn) => {
      await chunks(conn);
    });
    const conn = await connect({ port: portOf(server) });
    const writev = vi.spyOn(proto, '_writev');
    const write = vi.spyOn(proto, '_write');
    expect(conn.send(bytes('a'), bytes('b'))).toBe(true);
    expect(writev.mock.calls.length + write.mock.calls.length).toBe(1);
    expect(conn.send()).toBe(true);
    expect(conn.send(new Uint8Array(0))).toBe(true);
    expect(conn.send(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(writev.mock.calls.length + write.mock.calls.length).toBe(1);
    conn.close();
  });
});
