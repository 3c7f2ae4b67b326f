/**
 * Backpressure through the framewire APIs (issue 7): a sender writes 1 GiB of u32be frames
 * of 64 KiB with `Connection.write`; the receiver decodes them with `decodeFramesAsync` and
 * keeps pausing. The process stays under 64 MiB above its start, the sender's `write` waits,
 * and every frame arrives, in order (CRC-32 over all payloads, on both sides).
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { decodeFramesAsync } from '@framewire/chunk-buffer';
import { u32be } from '@framewire/header';
import { connect, listen } from '@framewire/transport';
import type { Connection, Server } from '@framewire/transport';
import { afterEach, expect, it } from 'vitest';
import { GiB, KiB, MemoryPeak, MiB, mib, recordFigures, settledNow, sleep } from './helpers.js';

const TOTAL = GiB;
const FRAME = 64 * KiB;
const FRAMES = TOTAL / FRAME;
const WIRE_FRAME = FRAME + 4;
// The receiver stops for PAUSE_MS after every PAUSE_EVERY frames (16 MiB): long enough for
// the buffers between the two ends to fill and the sender to wait, short enough to keep the
// run within seconds.
const PAUSE_EVERY = 256;
const PAUSE_MS = 25;
const MEMORY_BOUND = 64 * MiB;
// Payloads are 64 KiB views into one random block, at offsets that move by a prime stride:
// consecutive frames differ, and producing 1 GiB allocates nothing.
const BLOCK = new Uint8Array(randomBytes(4 * MiB));
const STRIDE = 40_009;
const payloadOf = (i: number): Uint8Array => {
  const offset = (i * STRIDE) % (BLOCK.length - FRAME + 1);
  return BLOCK.subarray(offset, offset + FRAME);
};

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close({ graceMs: 0 })));
});

it('1 GiB of u32be frames into a pausing reader: memory bounded, write waits, nothing dropped', async () => {
  const strategy = u32be();
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

  let consumedFrames = 0;
  const reading = (async () => {
    let crc = 0;
    let bytes = 0;
    for await (const frame of decodeFramesAsync(receiver, strategy)) {
      crc = crc32(frame, crc);
      bytes += frame.length;
      consumedFrames += 1;
      memory.sampleRss();
      if (consumedFrames % 64 === 0) memory.sample();
      if (consumedFrames % PAUSE_EVERY === 0) await sleep(PAUSE_MS);
    }
    await receiver.end();
    return { crc, bytes };
  })();

  // Writes that waited at least half a pause: the sender held back by the reader.
  let longWaits = 0;
  let waitedMs = 0;
  let maxPending = 0;
  const writing = (async () => {
    const encoder = strategy.createEncoder();
    let crc = 0;
    for (let i = 0; i < FRAMES; i++) {
      const payload = payloadOf(i);
      crc = crc32(payload, crc);
      const written = sender.write(...encoder.encode(payload));
      if (!(await settledNow(written))) {
        const before = performance.now();
        await written;
        const waited = performance.now() - before;
        waitedMs += waited;
        if (waited >= PAUSE_MS / 2) longWaits += 1;
      }
      // Handed to the socket but not yet decoded and consumed by the receiver.
      maxPending = Math.max(maxPending, sender.bytesWritten - consumedFrames * WIRE_FRAME);
    }
    await sender.end();
    // Read the receiver's end, so the connection closes by itself.
    for await (const _chunk of sender) throw new Error('the receiver sent bytes');
    return crc;
  })();

  const [sentCrc, received] = await Promise.all([writing, reading]);
  memory.sample();
  const seconds = (performance.now() - started) / 1000;

  expect(consumedFrames).toBe(FRAMES);
  expect(received.bytes).toBe(TOTAL);
  expect(received.crc).toBe(sentCrc);
  // The sender really waited for the reader: about once per pause.
  expect(longWaits).toBeGreaterThan(FRAMES / PAUSE_EVERY / 2);
  expect(maxPending).toBeLessThan(MEMORY_BOUND);
  expect(memory.rssGrowth).toBeLessThan(MEMORY_BOUND);
  expect(memory.arrayBuffersGrowth).toBeLessThan(MEMORY_BOUND);
  recordFigures('framed backpressure 1 GiB (u32be, 64 KiB frames)', {
    frames: FRAMES,
    seconds: Number(seconds.toFixed(1)),
    throughputMiBps: Math.round(TOTAL / MiB / seconds),
    writesHeldBackByPauses: longWaits,
    secondsWriteWaited: Number((waitedMs / 1000).toFixed(1)),
    maxPendingBytes: maxPending,
    peakRssGrowth: mib(memory.rssGrowth),
    peakArrayBuffersGrowth: mib(memory.arrayBuffersGrowth),
  });
});
