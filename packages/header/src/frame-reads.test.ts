import { Deframer, FrameTooLargeError, encodeFrame } from '@framewire/chunk-buffer';
import type { FramingStrategy } from '@framewire/chunk-buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cat, toHex } from '../test/helpers.js';
import { frameReads, type FrameReadsOptions, type ReadMemory } from './frame-reads.js';
import { lengthPrefix } from './length-prefix.js';
import { u16le, u32be, u64le, u8 } from './presets.js';
import { varint } from './varint.js';

/**
 * Reads `wire` as a socket would: into the memory `next()` gives, at most its length and at
 * most `readSize()` bytes at a time, pushing each chunk (a view of that memory) into a Deframer.
 */
function readThrough(
  strategy: FramingStrategy,
  wire: Uint8Array,
  reads: ReadMemory,
  readSize: () => number = () => Infinity,
): { frames: Uint8Array[]; chunks: Uint8Array[]; memories: Set<ArrayBufferLike> } {
  const deframer = new Deframer(strategy);
  const frames: Uint8Array[] = [];
  const chunks: Uint8Array[] = [];
  const memories = new Set<ArrayBufferLike>();
  for (let at = 0; at < wire.length; ) {
    const memory = reads.next();
    expect(memory.length).toBeGreaterThan(0);
    const n = Math.min(memory.length, wire.length - at, Math.max(1, readSize()));
    memory.set(wire.subarray(at, at + n));
    reads.filled(n);
    at += n;
    memories.add(memory.buffer);
    const chunk = memory.subarray(0, n);
    chunks.push(chunk);
    deframer.push(chunk, (frame) => frames.push(frame));
  }
  deframer.end((frame) => frames.push(frame));
  return { frames, chunks, memories };
}

const payloadOf = (length: number, seed: number): Uint8Array => new Uint8Array(length).map((_, i) => (i * 31 + seed) % 251);

function wireOf(strategy: FramingStrategy, payloads: readonly Uint8Array[]): Uint8Array {
  const encoder = strategy.createEncoder();
  return cat(...payloads.map((p) => encodeFrame(encoder, p)));
}

/** Whether `frame` is the whole of memory of its own, but for the next header after it. */
const ownMemory = (frame: Uint8Array, headerLength: number): boolean =>
  frame.byteOffset === 0 && frame.buffer.byteLength === frame.length + headerLength;

describe('frameReads', () => {
  it('reads each large frame after the first into memory of its own: the frame is a view of it, no copy', () => {
    const strategy = u32be();
    const payloads = Array.from({ length: 12 }, (_, i) => payloadOf(65_536 + 1000 * i, i));
    const { frames } = readThrough(strategy, wireOf(strategy, payloads), frameReads(strategy));
    expect(frames.map(toHex)).toEqual(payloads.map(toHex));
    // The first frame's header came in a shared block with the start of its payload; from then
    // on each header ends a read, and each payload starts memory of its own.
    expect(ownMemory(frames[0]!, 4)).toBe(false);
    for (const frame of frames.slice(1)) expect(ownMemory(frame, 4)).toBe(true);
  });

  it('keeps that layout whatever the read sizes (partial reads, reads of one byte)', () => {
    const strategy = u32be();
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 * 4096 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 20 }),
        (lengths, sizes) => {
          const payloads = lengths.map((n, i) => payloadOf(n, i));
          let k = 0;
          const { frames } = readThrough(
            strategy,
            wireOf(strategy, payloads),
            frameReads(strategy, { minFrameLength: 4096, blockSize: 8192 }),
            () => sizes[k++ % sizes.length]!,
          );
          expect(frames.map(toHex)).toEqual(payloads.map(toHex));
          // A large frame after two large ones is a view of its own memory (the first of a run
          // may share a read with the frames before it, and so may the start of the second).
          for (let i = 2; i < lengths.length; i++) {
            if (lengths[i]! >= 4096 && lengths[i - 1]! >= 4096 && lengths[i - 2]! >= 4096) expect(ownMemory(frames[i]!, 4)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads small frames into shared blocks, read after read, so that a frame spanning two reads of a block is still a view', () => {
    const strategy = u16le();
    const payloads = Array.from({ length: 500 }, (_, i) => payloadOf(1 + (i % 40), i));
    const { frames, memories } = readThrough(strategy, wireOf(strategy, payloads), frameReads(strategy, { blockSize: 4096 }), () => 700);
    expect(frames.map(toHex)).toEqual(payloads.map(toHex));
    // About 11 KiB of wire in blocks of 4 KiB: a handful of blocks, not one per read.
    expect(memories.size).toBeLessThanOrEqual(4);
    // Views of the blocks, but for a frame that spans two blocks (copied): at most one per block.
    const views = frames.filter((frame) => frame.buffer.byteLength === 4096 && memories.has(frame.buffer));
    expect(views.length).toBeGreaterThanOrEqual(frames.length - memories.size);
  });

  it.each<[string, FramingStrategy, number]>([
    ['u8', u8(), 1],
    ['u64le', u64le(), 8],
    ['a header with bytes before the length field', lengthPrefix({ lengthFieldOffset: 2, lengthFieldLength: 2 }), 4],
    ['a length that counts the header, adjusted', lengthPrefix({ lengthIncludesHeader: true, lengthAdjustment: -3 }), 4],
  ])('reads the headers of every binary layout (%s)', (_, strategy, headerLength) => {
    const limit = Math.min(strategy.maxFrameLength, 3000);
    const payloads = Array.from({ length: 8 }, (_, i) => payloadOf(Math.max(3, limit - i), i));
    const wire =
      headerLength === 4 && strategy.name.includes('lengthFieldOffset')
        ? cat(...payloads.map((p) => cat(Uint8Array.of(0xaa, 0xbb, p.length >> 8, p.length & 0xff), p)))
        : wireOf(strategy, payloads);
    // Reads of 100 bytes: no frame fits in one.
    const { frames } = readThrough(strategy, wire, frameReads(strategy, { minFrameLength: 200 }), () => 100);
    expect(frames.map(toHex)).toEqual(payloads.map(toHex));
    for (const frame of frames.slice(1)) expect(ownMemory(frame, headerLength)).toBe(true);
  });

  it('stops laying out at a header the decoder refuses, and the Deframer still reports it', () => {
    const strategy = u32be({ maxFrameLength: 100_000 });
    const good = payloadOf(70_000, 1);
    const wire = cat(wireOf(strategy, [good, good]), Uint8Array.of(0x7f, 0, 0, 0), payloadOf(10_000, 2));
    const reads = frameReads(strategy);
    const frames: Uint8Array[] = [];
    const deframer = new Deframer(strategy);
    let error: unknown;
    for (let at = 0; at < wire.length && error === undefined; ) {
      const memory = reads.next();
      const n = Math.min(memory.length, wire.length - at);
      memory.set(wire.subarray(at, at + n));
      reads.filled(n);
      at += n;
      try {
        deframer.push(memory.subarray(0, n), (frame) => frames.push(frame));
      } catch (e) {
        error = e;
      }
    }
    expect(frames.map(toHex)).toEqual([good, good].map(toHex));
    expect(error).toBeInstanceOf(FrameTooLargeError);
    // Shared blocks from there on.
    expect(reads.next().length).toBe(65_536);
  });

  it('refuses an 8-byte length of 2^53 or more over the limit, as the decoder does (a positive lengthAdjustment only adds to it)', () => {
    const reads = frameReads(lengthPrefix({ lengthFieldLength: 8, lengthAdjustment: 70_000 }));
    const first = reads.next();
    first.set([0, 0x20, 0, 0, 0, 0, 0, 0]);
    reads.filled(8);
    // No memory sized to a frame: the rest of the shared block.
    expect(reads.next().length).toBe(65_536 - 8);
  });

  it('follows an 8-byte length of 2^53 or more that a lengthAdjustment near -2^53 brings under the limit, as the decoder does', () => {
    // The decoder takes these frames (it reads such a field exactly, in bigint): the layout must
    // not end at their headers.
    for (const strategy of [
      lengthPrefix({ lengthFieldLength: 8, lengthAdjustment: -(2 ** 53) + 1 }),
      lengthPrefix({ lengthFieldLength: 8, byteOrder: 'little', lengthAdjustment: Number.MIN_SAFE_INTEGER, lengthIncludesHeader: true }),
    ]) {
      const payloads = Array.from({ length: 4 }, (_, i) => payloadOf(70_000 + i, i));
      const wire = wireOf(strategy, payloads);
      expect(wire[strategy.name.startsWith('u64le') ? 6 : 1]).toBe(0x20); // every field is 2^53 or more
      const { frames } = readThrough(strategy, wire, frameReads(strategy), () => 65_536);
      expect(frames.map(toHex)).toEqual(payloads.map(toHex));
      for (const frame of frames.slice(1)) expect(ownMemory(frame, 8)).toBe(true);
    }
  });

  it('allocates the announced payload only once the header is in', () => {
    const reads = frameReads(u32be());
    const first = reads.next();
    first.set([0, 1, 0, 0]);
    reads.filled(4);
    expect(reads.next().length).toBe(65_536 + 4);
  });

  it('refuses a filled() that does not match the memory next() returned, and changes nothing', () => {
    const reads = frameReads(u32be());
    expect(() => {
      reads.filled(1);
    }).toThrow(new RangeError('filled(1) without a next() before it: each read reports once, on the memory next() returned'));
    const first = reads.next();
    for (const bad of [first.length + 1, -1, 1.5, Number.NaN]) {
      expect(() => {
        reads.filled(bad);
      }).toThrow(new RangeError(`filled(${bad}): a read fills 0 to ${first.length} bytes, the length of the memory next() returned`));
    }
    first.set([0, 1, 0, 0]);
    reads.filled(4);
    expect(() => {
      reads.filled(0);
    }).toThrow(RangeError);
    // The layout went on from the good report: the next read is the announced payload and a header.
    expect(reads.next().length).toBe(65_536 + 4);
  });

  it('refuses strategies whose frames are not the payload alone, and bad options', () => {
    expect(() => frameReads(varint())).toThrow(
      new TypeError('frameReads needs a binary length-prefix strategy (u8 … u64le, lengthPrefix()), got varint'),
    );
    expect(() => frameReads(lengthPrefix({ bytesToStrip: 0 }))).toThrow(
      new TypeError('frameReads needs frames without header bytes: u32be(bytesToStrip=0) keeps 4 (bytesToStrip 0 of a 4-byte header)'),
    );
    expect(() => frameReads(u32be(), { minFrameLength: 0 })).toThrow(
      new RangeError('minFrameLength must be a safe integer of at least 1 (got 0)'),
    );
    expect(() => frameReads(u32be(), { blockSize: 1.5 })).toThrow(
      new RangeError('blockSize must be a safe integer of at least 1 (got 1.5)'),
    );
    expect(() => frameReads(u32be(), 5 as unknown as FrameReadsOptions)).toThrow(TypeError);
    // Inheriting from a strategy does not make one (no engine error about private members).
    expect(() => frameReads(Object.create(u32be()) as FramingStrategy)).toThrow(
      new TypeError('frameReads needs a binary length-prefix strategy (u8 … u64le, lengthPrefix()), got u32be'),
    );
    expect(() => frameReads(null as unknown as FramingStrategy)).toThrow(
      new TypeError('frameReads needs a binary length-prefix strategy (u8 … u64le, lengthPrefix()), got null'),
    );
  });
});

describe('createReadMemory (what decodeFramesAsync hands to a connection)', () => {
  it('is a new frameReads with its defaults for each stream, for the binary length prefixes', () => {
    const strategy = u32be();
    const payloads = Array.from({ length: 6 }, (_, i) => payloadOf(65_536 + 7 * i, i));
    const memory = strategy.createReadMemory?.();
    expect(memory).toBeDefined();
    expect(strategy.createReadMemory?.()).not.toBe(memory);
    const { frames } = readThrough(strategy, wireOf(strategy, payloads), memory!, () => 65_536);
    expect(frames.map(toHex)).toEqual(payloads.map(toHex));
    for (const frame of frames.slice(1)) expect(ownMemory(frame, 4)).toBe(true);
    // Frames under frameReads' 64 KiB share its blocks.
    const fresh = strategy.createReadMemory?.();
    expect(fresh).toBeDefined();
    const small = readThrough(strategy, wireOf(strategy, [payloadOf(100, 1), payloadOf(100, 2)]), fresh!);
    expect(small.frames.every((frame) => frame.buffer.byteLength === 65_536)).toBe(true);
  });

  it('is undefined when frames keep header bytes (bytesToStrip under the header length)', () => {
    expect(lengthPrefix({ bytesToStrip: 0 }).createReadMemory?.()).toBeUndefined();
    expect(lengthPrefix({ lengthFieldOffset: 2, lengthFieldLength: 2, bytesToStrip: 2 }).createReadMemory?.()).toBeUndefined();
    expect(lengthPrefix({ lengthFieldOffset: 2, lengthFieldLength: 2 }).createReadMemory?.()).toBeDefined();
  });
});
