/**
 * The decode loop over a real TCP connection on 127.0.0.1 (port 0: a free port). A Node
 * socket is an async iterable of Buffers, so `decodeFramesAsync(socket, strategy)` just works.
 * Every test bounds its time: the client socket times out, the server closes in `finally`.
 */
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { OnReadOpts as OnReadOptions, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Deframer, decodeFramesAsync } from '../src/deframer.js';
import { concatBytes, encodeFrame } from '../src/framing.js';
import { bytes, lineStrategy, texts, u8Strategy } from './helpers/strategies.js';

const HOST = '127.0.0.1';

/** Runs `serve` for the one connection, hands `client` a connected socket, then closes all. */
async function withConnection<T>(
  serve: (socket: Socket) => Promise<void> | void,
  client: (socket: Socket, serverClosed: Promise<unknown>) => Promise<T>,
  onread?: OnReadOptions,
): Promise<T> {
  const server = createServer();
  let closed = (): void => undefined;
  const serverClosed = new Promise<void>((resolve) => (closed = resolve));
  server.on('connection', (socket) => {
    socket.on('close', () => {
      closed();
    });
    socket.on('error', () => undefined);
    void Promise.resolve(serve(socket)).catch(() => socket.destroy());
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const socket = connect({ host: HOST, port, ...(onread === undefined ? {} : { onread }) });
  socket.setTimeout(5000, () => socket.destroy(new Error('test socket timed out')));
  try {
    await once(socket, 'connect');
    return await client(socket, serverClosed);
  } finally {
    socket.destroy();
    server.close();
    await once(server, 'close');
  }
}

/** Writes `data` in pieces of the given sizes (cycled), waiting a little now and then. */
async function writeInPieces(socket: Socket, data: Uint8Array, sizes: number[]): Promise<void> {
  socket.setNoDelay(true);
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    socket.write(data.subarray(at, at + size));
    at += size;
    if (i % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('decodeFramesAsync over a real socket on 127.0.0.1', () => {
  it('decodes frames written in odd pieces, then ends cleanly', async () => {
    const u8 = u8Strategy();
    const payloads = Array.from({ length: 60 }, (_, i) => `message ${i} ${'.'.repeat(i % 13)}`);
    const encoder = u8.createEncoder();
    const data = concatBytes(payloads.map((p) => encodeFrame(encoder, bytes(p))));
    const frames = await withConnection(
      async (socket) => {
        await writeInPieces(socket, data, [1, 3, 8, 2, 17, 5]);
        socket.end();
      },
      async (socket) => {
        const out: Uint8Array[] = [];
        for await (const frame of decodeFramesAsync(socket, u8)) out.push(frame);
        return texts(out);
      },
    );
    expect(frames).toEqual(payloads);
  });

  it('delivers a 1 MiB frame that arrives in many socket reads', async () => {
    const line = lineStrategy();
    const big = new Uint8Array(1024 * 1024).fill(0x61);
    const result = await withConnection(
      (socket) => {
        socket.write(big);
        socket.end(bytes('\nsmall\n'));
      },
      async (socket) => {
        const out: Uint8Array[] = [];
        for await (const frame of decodeFramesAsync(socket, line)) out.push(frame);
        return out;
      },
    );
    expect(result.map((f) => f.length)).toEqual([1024 * 1024, 5]);
    expect(result[0]!.every((b) => b === 0x61)).toBe(true);
  });

  it('a borrowing Deframer lends frames that span socket reads from one reused array', async () => {
    const line = lineStrategy();
    // Every frame is longer than one socket read (at most 64 KiB), so every one is copied.
    const lengths = [70_000, 150_000, 300_000, 200_000, 90_000];
    const payloads = lengths.map((n, i) => Uint8Array.from({ length: n }, (_, k) => 0x61 + ((k * 7 + i) % 26)));
    const checksum = (frame: Uint8Array): number => frame.reduce((h, b) => Math.imul(h ^ b, 0x01000193), 0x811c9dc5);
    const seen = await withConnection(
      (socket) => {
        for (const payload of payloads) socket.write(concatBytes([payload, bytes('\n')]));
        socket.end();
      },
      async (socket) => {
        const deframer = new Deframer(line, { borrowed: true });
        const frames: { length: number; sum: number; memory: ArrayBufferLike }[] = [];
        // Read inside the callback, as borrowing requires.
        const onFrame = (frame: Uint8Array): void => {
          frames.push({ length: frame.length, sum: checksum(frame), memory: frame.buffer });
        };
        for await (const chunk of socket) deframer.push(chunk as Uint8Array, onFrame);
        deframer.end(onFrame);
        return frames;
      },
    );
    expect(seen.map(({ length, sum }) => ({ length, sum }))).toEqual(
      payloads.map((payload) => ({ length: payload.length, sum: checksum(payload) })),
    );
    // The array grows for a longer frame (70 000, 150 000, 300 000 bytes) and is then reused.
    expect(new Set(seen.slice(0, 3).map((frame) => frame.memory)).size).toBe(3);
    expect(seen[3]!.memory).toBe(seen[2]!.memory);
    expect(seen[4]!.memory).toBe(seen[2]!.memory);
  });

  it('returns frames that span reads into one block of memory as views of the block, not copies', async () => {
    const line = lineStrategy();
    // Each frame is longer than one socket read, and all of them fit in one 1 MiB block.
    const lengths = [70_000, 150_000, 300_000, 200_000, 90_000];
    const payloads = lengths.map((n, i) => Uint8Array.from({ length: n }, (_, k) => 0x61 + ((k * 7 + i) % 26)));
    const block = new Uint8Array(1024 * 1024);
    const deframer = new Deframer(line);
    const frames: Uint8Array[] = [];
    let at = 0;
    let reads = 0;
    // Reads of at most 64 KiB, each landing right after the one before, as `recvArena` in
    // @framewire/transport does: every frame spans reads.
    const onread: OnReadOptions = {
      buffer: () => block.subarray(at, at + 65_536),
      callback: (n, buffer) => {
        reads++;
        at += n;
        deframer.push(buffer.subarray(0, n), (frame) => frames.push(frame));
        return true;
      },
    };
    await withConnection(
      (socket) => {
        for (const payload of payloads) socket.write(concatBytes([payload, bytes('\n')]));
        socket.end();
      },
      async (socket) => {
        await once(socket, 'end');
        deframer.end((frame) => frames.push(frame));
      },
      onread,
    );
    expect(reads).toBeGreaterThanOrEqual(Math.ceil(lengths.reduce((a, b) => a + b + 1) / 65_536));
    // Kept past every later read, each frame is intact, and lies in the block itself.
    expect(frames.map((frame) => Array.from(frame))).toEqual(payloads.map((payload) => Array.from(payload)));
    for (const frame of frames) expect(frame.buffer).toBe(block.buffer);
  });

  it('throws a TruncatedFrameError after the complete frames when the peer stops inside a frame', async () => {
    const u8 = u8Strategy();
    const encoder = u8.createEncoder();
    const { frames, error } = await withConnection(
      (socket) => {
        socket.end(concatBytes([encodeFrame(encoder, bytes('one')), encodeFrame(encoder, bytes('two')), Uint8Array.of(9, 1, 2)]));
      },
      async (socket) => {
        const out: Uint8Array[] = [];
        try {
          for await (const frame of decodeFramesAsync(socket, u8)) out.push(frame);
          return { frames: texts(out), error: undefined as unknown };
        } catch (e) {
          return { frames: texts(out), error: e };
        }
      },
    );
    expect(frames).toEqual(['one', 'two']);
    expect(error).toMatchObject({ code: 'ERR_TRUNCATED_FRAME', bufferedBytes: 3 });
  });

  it('closes the connection when the consumer breaks out of the loop', async () => {
    const u8 = u8Strategy();
    const encoder = u8.createEncoder();
    const destroyed = await withConnection(
      (socket) => {
        // Sends one frame and keeps the connection open: only the client can end it.
        socket.write(encodeFrame(encoder, bytes('hello')));
      },
      async (socket, serverClosed) => {
        for await (const frame of decodeFramesAsync(socket, u8)) {
          expect(texts([frame])).toEqual(['hello']);
          break;
        }
        const destroyedOnBreak = socket.destroyed;
        await serverClosed;
        return destroyedOnBreak;
      },
    );
    expect(destroyed).toBe(true);
  });
});
