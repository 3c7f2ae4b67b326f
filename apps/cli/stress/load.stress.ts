/**
 * Load (issue 7): `framewire serve --echo` with 1,000 concurrent clients, each sending 1,000
 * u32be frames of random sizes, all driven from this one process with
 * `@framewire/transport`. Every echoed frame is checked (length and CRC-32, in order): zero
 * lost, zero corrupted, zero unexpected disconnects. Records the server's peak memory
 * (VmHWM) and the wall time.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Deframer } from '@framewire/chunk-buffer';
import { u32be } from '@framewire/header';
import { connect } from '@framewire/transport';
import type { Connection } from '@framewire/transport';
import { afterAll, expect, it } from 'vitest';
import { KiB, mib, procMemory, recordFigures, startServe } from './helpers.js';
import type { Serve } from './helpers.js';

const CLIENTS = 1000;
const MESSAGES = 1000;
const MAX_SIZE = KiB;
// Connections are opened in batches, so the kernel's accept queue never overflows.
const CONNECT_BATCH = 100;
const strategy = u32be();
// Payloads are views of one random block at random offsets: random content, no allocation.
const BLOCK = new Uint8Array(randomBytes(1024 * KiB));

interface Tally {
  sent: number;
  received: number;
  corrupted: number;
  disconnects: string[];
}

/** Sends MESSAGES frames on `conn` while reading and checking their echoes. */
async function runClient(conn: Connection, tally: Tally): Promise<void> {
  const encoder = strategy.createEncoder();
  const deframer = new Deframer(strategy);
  const lengths = new Uint32Array(MESSAGES);
  const crcs = new Uint32Array(MESSAGES);
  let received = 0;
  const onFrame = (frame: Uint8Array): void => {
    if (received >= MESSAGES || frame.length !== lengths[received] || crc32(frame) !== crcs[received]) tally.corrupted += 1;
    received += 1;
    tally.received += 1;
  };
  const reading = (async () => {
    for await (const chunk of conn) deframer.push(chunk, onFrame);
    deframer.end(onFrame);
  })();
  const writing = (async () => {
    for (let i = 0; i < MESSAGES; i++) {
      const size = Math.floor(Math.random() * (MAX_SIZE + 1));
      const offset = Math.floor(Math.random() * (BLOCK.length - size));
      const payload = BLOCK.subarray(offset, offset + size);
      lengths[i] = size;
      crcs[i] = crc32(payload);
      tally.sent += 1;
      if (!conn.send(...encoder.encode(payload))) await conn.drained();
    }
    await conn.end();
  })();
  try {
    await Promise.all([writing, reading]);
    await conn.closed;
  } catch (error) {
    tally.disconnects.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    conn.close();
  }
  if (received !== MESSAGES) tally.disconnects.push(`a client got ${received} of ${MESSAGES} echoes`);
}

let serve: Serve | undefined;
afterAll(async () => {
  await serve?.stop();
});

it(`serve --echo: ${CLIENTS} concurrent clients × ${MESSAGES} random-size frames, nothing lost or corrupted`, { timeout: 600_000 }, async () => {
  serve = await startServe(['--framing', 'u32be', '--echo', '--quiet']);
  const port = serve.port;
  const before = procMemory(serve.pid);
  const tally: Tally = { sent: 0, received: 0, corrupted: 0, disconnects: [] };

  const connectStarted = performance.now();
  const connections: Connection[] = [];
  for (let i = 0; i < CLIENTS; i += CONNECT_BATCH) {
    connections.push(...(await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, CLIENTS - i) }, () => connect({ port })))));
  }
  const connectSeconds = (performance.now() - connectStarted) / 1000;

  const started = performance.now();
  await Promise.all(connections.map((conn) => runClient(conn, tally)));
  const seconds = (performance.now() - started) / 1000;
  const after = procMemory(serve.pid);

  expect(tally.disconnects).toEqual([]);
  expect(tally.sent).toBe(CLIENTS * MESSAGES);
  expect(tally.received).toBe(CLIENTS * MESSAGES);
  expect(tally.corrupted).toBe(0);
  // Serve is still up and well.
  expect(serve.log()).not.toMatch(/closed: /);
  expect(serve.child.exitCode).toBeNull();
  recordFigures('serve --echo load', {
    clients: CLIENTS,
    messagesPerClient: MESSAGES,
    maxMessageBytes: MAX_SIZE,
    lost: tally.sent - tally.received,
    corrupted: tally.corrupted,
    unexpectedDisconnects: tally.disconnects.length,
    secondsToConnectAll: Number(connectSeconds.toFixed(2)),
    wallSeconds: Number(seconds.toFixed(1)),
    framesPerSecond: Math.round((CLIENTS * MESSAGES) / seconds),
    serverRssAtStart: mib(before.rss),
    serverPeakRss: mib(after.hwm),
  });
});
