import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, listen, type Connection, type Server } from '../src/index.js';
import { firstConnection, portOf, readAll, until } from './helpers.js';

// Far more than the kernel buffers between the two ends hold while the reader does not
// read (about 4 MiB on Linux's defaults: the sender's buffer, up to tcp_wmem's maximum,
// plus the receiver's initial window), so a writer whose reader stops cannot finish.
const TOTAL = 32 * 1024 * 1024;
const CHUNK = 64 * 1024;
// What a paused reader may hold beyond what it consumed: Node's readable buffer (16 KiB)
// plus one read (≤ 64 KiB; with recvArena ≤ one block), with room to spare. A reader without backpressure would hold
// everything the writer sent.
const MAX_UNCONSUMED = 1024 * 1024;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
});

// Sixteen distinct random chunks, cycled: cheap to produce, and a lost, repeated or
// reordered chunk still changes the hash.
const POOL = Array.from({ length: 16 }, () => new Uint8Array(randomBytes(CHUNK)));
const chunkAt = (index: number): Uint8Array => POOL[index % POOL.length]!;

interface Writer {
  accepted: number;
  waiting: boolean;
  finished: boolean;
  done: Promise<string>;
}

/** Writes TOTAL bytes, honouring backpressure with write() or with send()/drained(). */
function startWriter(conn: Connection, style: 'write' | 'send'): Writer {
  const writer: Writer = { accepted: 0, waiting: false, finished: false, done: Promise.resolve('') };
  writer.done = (async () => {
    const hash = createHash('sha256');
    for (let i = 0; i < TOTAL / CHUNK; i++) {
      const chunk = chunkAt(i);
      hash.update(chunk);
      writer.waiting = true;
      if (style === 'write') await conn.write(chunk);
      else if (!conn.send(chunk)) await conn.drained();
      writer.waiting = false;
      writer.accepted += chunk.length;
    }
    writer.finished = true;
    await conn.end();
    return hash.digest('hex');
  })();
  return writer;
}

/**
 * Waits until the writer is stuck and the reader's socket reads no more, or the writer has
 * finished (which only happens without backpressure). Bounded.
 */
async function waitForStall(writer: Writer, reader: Connection): Promise<void> {
  let last = -1;
  let stable = 0;
  await until(
    () => {
      const read = reader.bytesRead;
      stable = writer.waiting && read === last ? stable + 1 : 0;
      last = read;
      return stable >= 20 || writer.finished;
    },
    'the writer to stall',
    10_000,
    10,
  );
}

/** Reads from a connection through one iterator, in steps, keeping count and hash. */
class Reader {
  readonly #hash = createHash('sha256');
  readonly #iterator: AsyncIterator<Uint8Array>;
  consumed = 0;
  maxUnconsumed = 0;

  constructor(readonly conn: Connection) {
    this.#iterator = conn[Symbol.asyncIterator]();
  }

  /** Reads until `bytes` have been consumed in all, or to the end. */
  async readUntil(bytes: number): Promise<void> {
    while (this.consumed < bytes) {
      const result = await this.#iterator.next();
      if (result.done === true) return;
      this.#hash.update(result.value);
      this.consumed += result.value.length;
      this.maxUnconsumed = Math.max(this.maxUnconsumed, this.conn.bytesRead - this.consumed);
    }
  }

  get unconsumed(): number {
    return this.conn.bytesRead - this.consumed;
  }

  digest(): string {
    return this.#hash.digest('hex');
  }
}

describe.each([
  { direction: 'server → client', recvSize: undefined, recvArena: undefined, style: 'write' as const },
  { direction: 'server → client', recvSize: 65_536, recvArena: undefined, style: 'send' as const },
  { direction: 'server → client', recvSize: undefined, recvArena: 1024 * 1024, style: 'write' as const },
  { direction: 'client → server', recvSize: undefined, recvArena: undefined, style: 'send' as const },
])('backpressure $direction (recvSize $recvSize, recvArena $recvArena, $style)', ({ direction, recvSize, recvArena, style }) => {
  it('makes the writer wait while the reader does not read, and loses nothing', async () => {
    const { handler, accepted } = firstConnection();
    const server = await listen({ port: 0, onError: () => undefined, ...(direction === 'client → server' && recvSize ? { recvSize } : {}) }, handler);
    servers.push(server);
    const client = await connect({ port: portOf(server), ...(direction === 'server → client' && recvSize ? { recvSize } : {}), recvArena });
    const peer = await accepted;
    const [writerConn, readerConn] = direction === 'server → client' ? [peer, client] : [client, peer];

    const writer = startWriter(writerConn, style);
    const reader = new Reader(readerConn);
    // Read the first 2 MiB, then stop asking for more.
    await reader.readUntil(2 * 1024 * 1024);
    await waitForStall(writer, readerConn);

    // The writer is held back: it has not got rid of its 32 MiB, and the reader's process
    // holds almost nothing it was not asked for.
    expect(writer.waiting).toBe(true);
    expect(writer.accepted).toBeLessThan(TOTAL);
    expect(reader.unconsumed).toBeLessThanOrEqual(MAX_UNCONSUMED);

    // Now read everything: it all arrives, in order, and the reader never runs ahead.
    const [sent] = await Promise.all([writer.done, reader.readUntil(Infinity)]);
    expect(reader.consumed).toBe(TOTAL);
    expect(reader.digest()).toBe(sent);
    expect(reader.maxUnconsumed).toBeLessThanOrEqual(MAX_UNCONSUMED);
    readerConn.close();
  });
});

describe('write() and the caller\'s memory', () => {
  it.each([
    ['one 1,000-byte chunk', 1000, false],
    ['a 4-byte header and a 10 KiB part', 10 * 1024, true],
  ] as const)('resolves only once the socket is done with it: a buffer refilled after each write is sent as it was (%s)', async (_name, size, parts) => {
    // The reader waits before reading, so the kernel buffers fill and Node queues the writes.
    const { handler, accepted } = firstConnection();
    const server = await listen({ port: 0 }, handler);
    servers.push(server);
    const conn = await connect({ port: portOf(server) });
    const peer = await accepted;
    const count = Math.ceil((12 * 1024 * 1024) / size);
    const received = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const all: Uint8Array[] = [];
      for await (const chunk of peer) all.push(Uint8Array.from(chunk));
      return Buffer.concat(all);
    })();
    const buffer = new Uint8Array(size);
    const header = new Uint8Array(4);
    for (let i = 0; i < count; i++) {
      buffer.fill(i & 0xff);
      header.fill(i & 0xff);
      if (parts) await conn.write(header, buffer);
      else await conn.write(buffer);
    }
    await conn.end();
    const bytes = await received;
    const block = size + (parts ? 4 : 0);
    expect(bytes.length).toBe(count * block);
    let changed = 0;
    for (let i = 0; i < count; i++) {
      const expected = i & 0xff;
      if (bytes[i * block] !== expected || bytes[i * block + block - 1] !== expected) changed++;
    }
    expect(changed).toBe(0);
    peer.close();
    conn.close();
    await conn.closed;
  });

  it('a write waiting under backpressure resolves when end() has flushed it, not only on a drain', async () => {
    const { handler, accepted } = firstConnection();
    const server = await listen({ port: 0 }, handler);
    servers.push(server);
    const conn = await connect({ port: portOf(server) });
    const peer = await accepted;
    const payload = new Uint8Array(8 * 1024 * 1024).fill(7);
    const writing = conn.write(payload);
    const drained = conn.drained();
    const ending = conn.end();
    const bytes = await readAll(peer);
    expect(bytes.length).toBe(payload.length);
    await expect(writing).resolves.toBeUndefined();
    await expect(drained).resolves.toBeUndefined();
    await expect(ending).resolves.toBeUndefined();
    peer.close();
    conn.close();
    await conn.closed;
  });
});
