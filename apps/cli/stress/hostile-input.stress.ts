/**
 * Hostile and broken input (issue 7): headers declaring absurd lengths, and a footer stream
 * that never sends its delimiter. Each is refused at the limit, in the decoder, over a real
 * socket and against `framewire serve`, without memory growing by what was declared.
 */
import { Deframer, FrameTooLargeError, decodeFramesAsync, isFramingError } from '@framewire/chunk-buffer';
import type { FramingError, FramingStrategy } from '@framewire/chunk-buffer';
import { cobs, delimiter, line, nul, slip } from '@framewire/footer';
import { listen } from '@framewire/transport';
import type { Connection, Server } from '@framewire/transport';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resolveFraming } from '../src/framing.js';
import {
  GiB,
  KiB,
  MemoryPeak,
  MiB,
  collectGarbage,
  mib,
  procMemory,
  rawClient,
  recordFigures,
  runCli,
  startServe,
  until,
  writeRaw,
} from './helpers.js';
import type { Serve } from './helpers.js';

const CHUNK = 64 * KiB;
// Growth allowed where the input declared gigabytes: nothing of the declared size may be
// reserved. Generous against allocator noise, tiny against what was declared.
const SMALL_GROWTH = 16 * MiB;

interface HostileHeader {
  framing: string;
  header: Uint8Array;
  declared: bigint;
}

const HOSTILE_HEADERS: readonly HostileHeader[] = [
  { framing: 'u32be', header: Uint8Array.of(0xff, 0xff, 0xff, 0xff), declared: 2n ** 32n - 1n },
  { framing: 'u64be', header: Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 0), declared: 2n ** 63n },
  // A 10-byte LEB128 varint: 2^64 - 1.
  { framing: 'varint', header: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), declared: 2n ** 64n - 1n },
  { framing: 'ascii:10', header: new TextEncoder().encode('9999999999'), declared: 9_999_999_999n },
];

/** The error a fresh decoder of `strategy` raises on `bytes`, fed byte by byte; and where. */
function firstError(strategy: FramingStrategy, bytes: Uint8Array): { error: FramingError; at: number; buffered: number } {
  const deframer = new Deframer(strategy);
  for (let i = 0; i < bytes.length; i++) {
    try {
      deframer.push(bytes.subarray(i, i + 1), () => {
        throw new Error('a hostile header produced a frame');
      });
    } catch (error) {
      if (!isFramingError(error)) throw error;
      return { error, at: i + 1, buffered: deframer.bufferedBytes };
    }
  }
  throw new Error(`${strategy.name}: no error after ${bytes.length} bytes`);
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close({ graceMs: 0 })));
});

describe('a header declaring an absurd length', () => {
  it.each(HOSTILE_HEADERS)('$framing: ERR_FRAME_TOO_LARGE by the end of the header, nothing reserved', ({ framing, header, declared }) => {
    const strategy = resolveFraming(framing);
    const memory = new MemoryPeak();
    const { error, at, buffered } = firstError(strategy, header);
    memory.sample();
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error.code).toBe('ERR_FRAME_TOO_LARGE');
    expect(error.message).toContain(String(strategy.maxFrameLength));
    // At once: no later than the header's last byte (a varint is refused as soon as its
    // first bytes exceed the limit), with nothing but the header buffered.
    expect(at).toBeLessThanOrEqual(header.length);
    expect(buffered).toBeLessThanOrEqual(header.length);
    if (!(error instanceof FrameTooLargeError)) throw error;
    expect(BigInt(error.length)).toBeLessThanOrEqual(declared);
    expect(memory.arrayBuffersGrowth).toBeLessThan(SMALL_GROWTH);
    expect(memory.rssGrowth).toBeLessThan(SMALL_GROWTH);
  });

  it.each(HOSTILE_HEADERS)('$framing over a real socket: the reader fails at the header while the peer streams 64 MiB', async ({ framing, header }) => {
    const strategy = resolveFraming(framing);
    let outcome!: Promise<{ error: unknown; frames: number }>;
    let accepted!: () => void;
    const acceptedP = new Promise<void>((resolve) => {
      accepted = resolve;
    });
    const server = await listen({ port: 0, onError: () => undefined }, (conn: Connection) => {
      outcome = (async () => {
        let frames = 0;
        try {
          for await (const _frame of decodeFramesAsync(conn, strategy)) frames += 1;
          return { error: undefined, frames };
        } catch (error) {
          return { error, frames };
        } finally {
          conn.close();
        }
      })();
      accepted();
    });
    servers.push(server);
    if (server.address.family === 'unix') throw new Error('expected TCP');
    const memory = new MemoryPeak();
    const client = await rawClient(server.address.port);
    await acceptedP;
    const filler = new Uint8Array(CHUNK).fill(0x61);
    // The peer keeps sending after the header, until the reader closes (bounded: 64 MiB).
    let sent = 0;
    try {
      await writeRaw(client.socket, header);
      while (sent < 64 * MiB && !client.isClosed()) {
        await writeRaw(client.socket, filler);
        sent += filler.length;
        memory.sampleRss();
      }
    } catch {
      // EPIPE / ECONNRESET: the reader closed, as it should.
    }
    const result = await outcome;
    client.socket.destroy();
    memory.sample();
    expect(result.frames).toBe(0);
    expect(result.error).toBeInstanceOf(FrameTooLargeError);
    expect(result.error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE' });
    expect(memory.arrayBuffersGrowth).toBeLessThan(SMALL_GROWTH);
    expect(memory.rssGrowth).toBeLessThan(SMALL_GROWTH);
  });

  describe('against framewire serve', () => {
    const serves = new Map<string, Serve>();
    afterAll(async () => {
      await Promise.all([...serves.values()].map((serve) => serve.stop('SIGTERM')));
    });

    it.each(HOSTILE_HEADERS)('$framing: logged, that connection closed, the server stays up and small', async ({ framing, header }) => {
      const serve = await startServe(['--framing', framing, '--echo']);
      serves.set(framing, serve);
      // Warm up (first connection, JIT) before the baseline.
      const warm = await runCli(['connect', '--port', String(serve.port), '--framing', framing, '--expect', '1', '--timeout', '10', 'warm']);
      expect(warm.code).toBe(0);
      const before = procMemory(serve.pid);

      const client = await rawClient(serve.port);
      const peer = client.peer;
      const filler = new Uint8Array(CHUNK).fill(0x61);
      let sent = 0;
      try {
        await writeRaw(client.socket, header);
        while (sent < 64 * MiB && !client.isClosed()) {
          await writeRaw(client.socket, filler);
          sent += filler.length;
        }
      } catch {
        // The server closed the connection.
      }
      await client.closed();
      const expected = firstError(resolveFraming(framing), header).error.message;
      const logged = await serve.waitForLog(new RegExp(`^Connection from ${peer.replaceAll('.', '\\.')} closed: (.*)$`, 'm'));
      expect(logged[1]).toContain(expected);
      const after = procMemory(serve.pid);

      // Another client is served.
      const second = await runCli(['connect', '--port', String(serve.port), '--framing', framing, '--expect', '1', '--timeout', '10', 'still here']);
      expect(second.code).toBe(0);
      expect(second.stdout).toBe('still here\n');
      expect(after.rss - before.rss).toBeLessThan(SMALL_GROWTH);
      expect(after.hwm - before.hwm).toBeLessThan(SMALL_GROWTH);
      recordFigures(`serve hostile ${framing} header`, {
        bytesSentBeforeClose: sent,
        rssBefore: mib(before.rss),
        rssAfter: mib(after.rss),
        peakGrowth: mib(after.hwm - before.hwm),
      });
    });
  });
});

// Non-delimiter filler for each footer framing: 'a' never occurs in their delimiters.
const FOOTERS: readonly { name: string; make: (onTooLong: 'fail' | 'discard') => FramingStrategy; delimiter: Uint8Array }[] = [
  { name: 'line', make: (onTooLong) => line({ onTooLong }), delimiter: Uint8Array.of(0x0a) },
  { name: 'delim:0d0a', make: (onTooLong) => delimiter({ delimiters: Uint8Array.of(0x0d, 0x0a), onTooLong }), delimiter: Uint8Array.of(0x0d, 0x0a) },
  { name: 'nul', make: (onTooLong) => nul({ onTooLong }), delimiter: Uint8Array.of(0x00) },
];

describe('a footer stream with no delimiter for 1 GiB', () => {
  const filler = new Uint8Array(CHUNK).fill(0x61);

  it.each(FOOTERS)("$name, onTooLong 'fail': fails at the limit, holding at most the limit + one chunk", ({ make }) => {
    const strategy = make('fail');
    const deframer = new Deframer(strategy);
    const memory = new MemoryPeak();
    let pushed = 0;
    let maxBuffered = 0;
    let failure: unknown;
    while (pushed < GiB) {
      try {
        deframer.push(filler, () => {
          throw new Error('a frame without a delimiter');
        });
      } catch (error) {
        failure = error;
        break;
      }
      pushed += filler.length;
      maxBuffered = Math.max(maxBuffered, deframer.bufferedBytes);
    }
    memory.sample();
    expect(failure).toBeInstanceOf(FrameTooLargeError);
    expect(failure).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', recoverable: false });
    // Failed at the limit: within one chunk of it.
    expect(pushed).toBeGreaterThanOrEqual(strategy.maxFrameLength - CHUNK);
    expect(pushed).toBeLessThanOrEqual(strategy.maxFrameLength + CHUNK);
    expect(maxBuffered).toBeLessThanOrEqual(strategy.maxWireLength + CHUNK);
    expect(memory.rssGrowth).toBeLessThan(strategy.maxWireLength + CHUNK + SMALL_GROWTH);
    // Every later call rethrows: the stream is lost.
    expect(() => deframer.push(Uint8Array.of(0x0a))).toThrow(failure);
  });

  it.each(FOOTERS)("$name, onTooLong 'discard': drops 1 GiB, delivers the frame after the next delimiter", ({ make, delimiter: end }) => {
    const strategy = make('discard');
    const recoverable: FramingError[] = [];
    const deframer = new Deframer(strategy, { onRecoverableError: (error) => recoverable.push(error) });
    const frames: string[] = [];
    const onFrame = (frame: Uint8Array): void => {
      frames.push(new TextDecoder().decode(frame));
    };
    collectGarbage();
    const memory = new MemoryPeak();
    let maxBuffered = 0;
    const started = performance.now();
    deframer.push(new TextEncoder().encode('before'), onFrame);
    deframer.push(end, onFrame);
    for (let pushed = 0; pushed < GiB; pushed += filler.length) {
      deframer.push(filler, onFrame);
      maxBuffered = Math.max(maxBuffered, deframer.bufferedBytes);
      if ((pushed & (64 * MiB - 1)) === 0) memory.sample();
    }
    deframer.push(end, onFrame);
    deframer.push(new TextEncoder().encode('after'), onFrame);
    deframer.push(end, onFrame);
    deframer.end(onFrame);
    memory.sample();
    const seconds = (performance.now() - started) / 1000;
    expect(frames).toEqual(['before', 'after']);
    // Reported once for the oversized frame, as a recoverable error.
    expect(recoverable).toHaveLength(1);
    expect(recoverable[0]).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', recoverable: true });
    expect(maxBuffered).toBeLessThanOrEqual(strategy.maxWireLength + CHUNK);
    expect(memory.rssGrowth).toBeLessThan(strategy.maxWireLength + CHUNK + SMALL_GROWTH);
    recordFigures(`footer discard 1 GiB ${strategy.name}`, {
      limit: strategy.maxFrameLength,
      maxBufferedBytes: maxBuffered,
      peakRssGrowth: mib(memory.rssGrowth),
      seconds: Number(seconds.toFixed(2)),
    });
  });

  it.each([
    { name: 'cobs', strategy: cobs() },
    { name: 'slip', strategy: slip() },
  ])('$name (no discard mode): fails at the limit', ({ strategy }) => {
    const deframer = new Deframer(strategy);
    let pushed = 0;
    let failure: unknown;
    while (pushed < GiB && failure === undefined) {
      try {
        deframer.push(filler);
        pushed += filler.length;
        expect(deframer.bufferedBytes).toBeLessThanOrEqual(strategy.maxWireLength + CHUNK);
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE' });
    expect(pushed).toBeLessThanOrEqual(strategy.maxWireLength + CHUNK);
  });

  it('line against framewire serve: the connection is closed at the limit, the server stays up and small', async () => {
    const serve = await startServe(['--framing', 'line', '--echo']);
    try {
      const warm = await runCli(['connect', '--port', String(serve.port), '--framing', 'line', '--expect', '1', '--timeout', '10', 'warm']);
      expect(warm.code).toBe(0);
      const before = procMemory(serve.pid);
      const client = await rawClient(serve.port);
      let sent = 0;
      try {
        while (sent < GiB && !client.isClosed()) {
          await writeRaw(client.socket, filler);
          sent += filler.length;
        }
      } catch {
        // The server closed the connection.
      }
      await client.closed();
      await until(() => /closed: .*maximum frame length of 8388608 bytes/.test(serve.log()), 'serve to log the oversized frame');
      const after = procMemory(serve.pid);
      // Closed near the limit, not after the gigabyte.
      expect(sent).toBeLessThan(64 * MiB);
      expect(after.hwm - before.hwm).toBeLessThan(8 * MiB + SMALL_GROWTH);
      const second = await runCli(['connect', '--port', String(serve.port), '--framing', 'line', '--expect', '1', '--timeout', '10', 'next']);
      expect(second.code).toBe(0);
      expect(second.stdout).toBe('next\n');
      recordFigures('serve line without delimiter', { bytesSentBeforeClose: sent, peakGrowth: mib(after.hwm - before.hwm) });
    } finally {
      await serve.stop();
    }
  });
});
