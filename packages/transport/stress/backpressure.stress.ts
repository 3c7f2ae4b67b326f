/**
 * Backpressure at scale: a sender pushes 1 GiB through `Connection.write` into a reader that
 * keeps stopping. The reader's process must stay bounded in memory, the sender's `write`
 * must wait while the reader does not read, and every byte must arrive in order.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { afterEach, expect, it } from 'vitest';
import { connect, listen, type Connection, type Server } from '../src/index.js';
import { CyclicPattern, GiB, KiB, MemoryPeak, MiB, mib, recordFigures, settledNow, sleep } from './helpers.js';

const TOTAL = Number(process.env.FW_TOTAL ?? GiB);
const WRITE = 64 * KiB;
// The reader stops for PAUSE_MS after every PAUSE_EVERY bytes: long enough for the kernel
// buffers between the two ends to fill and the sender to wait, short enough to keep the run
// within seconds.
const PAUSE_EVERY = 16 * MiB;
const PAUSE_MS = 25;
// What the issue allows the receiving process to grow by.
const MEMORY_BOUND = 64 * MiB;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close({ graceMs: 0 })));
});

it('1 GiB into a pausing reader: memory bounded, write waits, every byte arrives in order', async () => {
  const pattern = new CyclicPattern(new Uint8Array(randomBytes(4 * MiB + 4093)));
  let accept!: (conn: Connection) => void;
  const accepted = new Promise<Connection>((resolve) => {
    accept = resolve;
  });
  const server = await listen({ port: 0 }, (conn) => {
    accept(conn);
  });
  servers.push(server);
  const sender = await connect({ ...server.address });
  const receiver = await accepted;
  const memory = new MemoryPeak();
  const started = performance.now();

  let consumed = 0;
  const reading = (async () => {
    let crc = 0;
    let chunks = 0;
    let nextPause = PAUSE_EVERY;
    for await (const chunk of receiver) {
      crc = crc32(chunk, crc);
      consumed += chunk.length;
      memory.sampleRss();
      if (++chunks % 64 === 0) memory.sample();
      if (consumed >= nextPause) {
        nextPause += PAUSE_EVERY;
        await sleep(PAUSE_MS);
      }
    }
    await receiver.end();
    return crc;
  })();

  // Writes that waited at least half a pause: the sender held back by the reader.
  let longWaits = 0;
  let waitedMs = 0;
  let maxPending = 0;
  const writing = (async () => {
    let crc = 0;
    for (let offset = 0; offset < TOTAL; offset += WRITE) {
      const parts = pattern.slice(offset, WRITE);
      for (const part of parts) crc = crc32(part, crc);
      const written = sender.write(...parts);
      if (!(await settledNow(written))) {
        const before = performance.now();
        await written;
        const waited = performance.now() - before;
        waitedMs += waited;
        if (waited >= PAUSE_MS / 2) longWaits += 1;
      }
      // Handed to the socket but not yet consumed by the reader: Node's write buffer, both
      // kernel buffers and the reader's queue.
      maxPending = Math.max(maxPending, sender.bytesWritten - consumed);
    }
    await sender.end();
    // Read the receiver's end, so the connection closes by itself.
    for await (const _chunk of sender) throw new Error('the receiver sent bytes');
    return crc;
  })();

  const [sent, received] = await Promise.all([writing, reading]);
  memory.sample();
  await sender.closed;
  const seconds = (performance.now() - started) / 1000;

  expect(consumed).toBe(TOTAL);
  expect(received).toBe(sent);
  // The sender really waited for the reader, many times, with bounded bytes in flight.
  // The sender really waited for the reader: about once per pause.
  expect(longWaits).toBeGreaterThan(TOTAL / PAUSE_EVERY / 2);
  expect(maxPending).toBeLessThan(MEMORY_BOUND);
  expect(memory.rssGrowth).toBeLessThan(MEMORY_BOUND);
  expect(memory.arrayBuffersGrowth).toBeLessThan(MEMORY_BOUND);

  recordFigures('transport backpressure 1 GiB', {
    bytes: TOTAL,
    seconds: Number(seconds.toFixed(1)),
    throughputMiBps: Math.round(TOTAL / MiB / seconds),
    writesHeldBackByPauses: longWaits,
    secondsWriteWaited: Number((waitedMs / 1000).toFixed(1)),
    maxPendingBytes: maxPending,
    peakRssGrowth: mib(memory.rssGrowth),
    peakArrayBuffersGrowth: mib(memory.arrayBuffersGrowth),
  });
});
