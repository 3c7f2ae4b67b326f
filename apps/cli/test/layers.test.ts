/**
 * The packages the CLI is built from, put together the way the root README shows: frames from
 * `decodeFramesAsync(conn, strategy)` over a transport client connection, on 127.0.0.1 (port 0).
 * The strategy's read memory reaches the connection (chunk-buffer and transport share the
 * `READ_INTO` symbol without importing each other), so large frames are read into memory of
 * their own and yielded with no copy.
 */
import { decodeFramesAsync, type FramingStrategy } from '@framewire/chunk-buffer';
import { line } from '@framewire/footer';
import { lengthPrefix, u32be } from '@framewire/header';
import { connect, listen, type Server } from '@framewire/transport';
import { afterEach, describe, expect, it } from 'vitest';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
});

const payloadOf = (length: number, seed: number): Uint8Array => new Uint8Array(length).map((_, i) => (i * 31 + seed) % 251);

/** Sends the payloads framed by `strategy` to one client, then ends; returns the port. */
async function sender(strategy: FramingStrategy, payloads: readonly Uint8Array[]): Promise<number> {
  const server = await listen({ host: '127.0.0.1', port: 0 }, async (conn) => {
    const encoder = strategy.createEncoder();
    for (const payload of payloads) await conn.write(...encoder.encode(payload));
    await conn.end();
  });
  servers.push(server);
  if (server.address.family === 'unix') throw new Error('expected a TCP address');
  return server.address.port;
}

/** The frames `decodeFramesAsync` yields over a client connection, and how many were memory of their own. */
async function receive(strategy: FramingStrategy, port: number, headerLength: number, layoutReads?: boolean): Promise<{ frames: Uint8Array[]; own: number }> {
  const conn = await connect({ host: '127.0.0.1', port });
  const frames: Uint8Array[] = [];
  for await (const frame of decodeFramesAsync(conn, strategy, layoutReads === undefined ? {} : { layoutReads })) frames.push(frame);
  await conn.end();
  const own = frames.filter((frame) => frame.byteOffset === 0 && frame.buffer.byteLength === frame.length + headerLength).length;
  return { frames, own };
}

describe('decodeFramesAsync over a transport client connection', () => {
  const payloads = Array.from({ length: 24 }, (_, i) => payloadOf(65_536 + 1_000 * (i % 5), i));

  it('reads u32be frames of 64 KiB and more into memory of their own: every frame but the first, none lost', async () => {
    const strategy = u32be();
    const { frames, own } = await receive(strategy, await sender(strategy, payloads), 4);
    expect(frames).toEqual(payloads);
    expect(own).toBeGreaterThanOrEqual(payloads.length - 1);
  });

  it('leaves the reads alone with layoutReads: false, and for strategies without read memory', async () => {
    const strategy = u32be();
    const plain = await receive(strategy, await sender(strategy, payloads), 4, false);
    expect(plain.frames).toEqual(payloads);
    expect(plain.own).toBe(0);
    // Frames that keep their header (bytesToStrip 0): no read memory; they are copied as before.
    const keep = lengthPrefix({ bytesToStrip: 0 });
    const kept = await receive(keep, await sender(u32be(), payloads), 0);
    expect(kept.frames.map((frame) => frame.subarray(4))).toEqual(payloads);
    const lines = Array.from({ length: 100 }, (_, i) => new TextEncoder().encode(`line ${i}`));
    expect((await receive(line(), await sender(line(), lines), 1)).frames).toEqual(lines);
  });
});
