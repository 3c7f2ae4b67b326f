import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedOf, type Expected } from './tally.js';
import { encodeStream, isTextWire, type Wire } from './wire.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** How many frames of what size, cut into chunks of what size. */
export interface Size {
  frames: number;
  payloadLength: number;
  chunkSize: number;
}

/** The workload shapes of the issue; `quick` keeps the shape (frame and chunk sizes) where it can. */
export const SHAPES = {
  w1: {
    title: 'W1: 64 B frames in 64 KiB chunks',
    full: { frames: 1_000_000, payloadLength: 64, chunkSize: 64 * KiB },
    quick: { frames: 50_000, payloadLength: 64, chunkSize: 64 * KiB },
  },
  w2: {
    title: 'W2: 1 MiB frames in 64 KiB chunks',
    full: { frames: 256, payloadLength: MiB, chunkSize: 64 * KiB },
    quick: { frames: 16, payloadLength: MiB, chunkSize: 64 * KiB },
  },
  w3: {
    title: 'W3: 1 KiB frames in 7-byte chunks',
    full: { frames: 10_000, payloadLength: KiB, chunkSize: 7 },
    quick: { frames: 1_000, payloadLength: KiB, chunkSize: 7 },
  },
  w4: {
    title: 'W4: lines of 63 B + \\n in 64 KiB chunks',
    full: { frames: 1_000_000, payloadLength: 63, chunkSize: 64 * KiB },
    quick: { frames: 50_000, payloadLength: 63, chunkSize: 64 * KiB },
  },
  // W5 measures growth: the large frame is 8 × the small one in both modes. A pass decodes
  // 4 different large frames or 32 different small ones, so both passes move the same bytes,
  // neither reads its input twice (a frame decoded again would come from the CPU cache), and a
  // pass lasts long enough to time; the growth is the ratio of the times per frame.
  'w5-large': {
    title: 'W5: large frames in 1 KiB chunks',
    full: { frames: 4, payloadLength: 8 * MiB, chunkSize: KiB },
    quick: { frames: 4, payloadLength: 2 * MiB, chunkSize: KiB },
  },
  'w5-small': {
    title: 'W5: small frames (1/8 of the large) in 1 KiB chunks',
    full: { frames: 32, payloadLength: MiB, chunkSize: KiB },
    quick: { frames: 32, payloadLength: MiB / 4, chunkSize: KiB },
  },
} as const satisfies Record<string, { title: string; full: Size; quick: Size }>;

export type Shape = keyof typeof SHAPES;

export function isShape(name: string): name is Shape {
  return Object.hasOwn(SHAPES, name);
}

export function sizeOf(shape: Shape, quick: boolean): Size {
  return quick ? SHAPES[shape].quick : SHAPES[shape].full;
}

/** A workload ready to be decoded: all bytes in memory, cut into chunks, expected results known. */
export interface Workload {
  readonly shape: Shape;
  readonly wire: Wire;
  readonly size: Size;
  /** Length of the encoded stream. */
  readonly wireBytes: number;
  /** The encoded stream cut every `size.chunkSize` bytes, regardless of frame boundaries (see {@link cut}). */
  readonly chunks: readonly Buffer[];
  /** The frames of a pass. */
  readonly expected: Expected;
}

/** The encoded stream of a workload, in one piece, and what decoding it must give. */
interface Encoded {
  readonly stream: Buffer;
  readonly expected: Expected;
}

/**
 * Generates a workload: random payloads (printable ASCII for text wire formats, which may not
 * carry every byte), encoded with the suite's own encoders, cut into chunks.
 */
export function generate(shape: Shape, wire: Wire, quick: boolean, seed = 0x2545f491): Workload {
  return workloadOf(shape, wire, quick, encode(shape, wire, quick, seed));
}

function encode(shape: Shape, wire: Wire, quick: boolean, seed = 0x2545f491): Encoded {
  const size = sizeOf(shape, quick);
  const payloads = randomPayloads(size.frames * size.payloadLength, isTextWire(wire), seed);
  const expected = expectedOf(payloads, size.frames, size.payloadLength);
  return { stream: encodeStream(wire, payloads, size.frames, size.payloadLength), expected };
}

function workloadOf(shape: Shape, wire: Wire, quick: boolean, { stream, expected }: Encoded): Workload {
  const size = sizeOf(shape, quick);
  const room = Buffer.allocUnsafeSlow(spreadLength(stream.length, size.chunkSize));
  stream.copy(room);
  return { shape, wire, size, wireBytes: stream.length, chunks: cut(room, stream.length, size.chunkSize), expected };
}

/**
 * {@link generate}, through a cache directory the orchestrator creates for one suite run (and
 * deletes after it): the first process that needs a workload generates it and stores the
 * encoded stream and the expected results; later processes read them back. Generating the
 * larger workloads takes longer than decoding them, and every run is a fresh process.
 */
export function loadOrGenerate(shape: Shape, wire: Wire, quick: boolean, cacheDir: string | undefined): Workload {
  if (cacheDir === undefined) return generate(shape, wire, quick);
  const key = join(cacheDir, `${shape}-${wire.replace(':', '_')}-${quick ? 'quick' : 'full'}`);
  if (existsSync(`${key}.json`)) {
    const expected = JSON.parse(readFileSync(`${key}.json`, 'utf8')) as Expected;
    const size = sizeOf(shape, quick);
    // Read straight into a buffer with room for the gaps: no second copy of the stream.
    const { room, length } = readWithRoom(`${key}.bin`, size.chunkSize);
    return { shape, wire, size, wireBytes: length, chunks: cut(room, length, size.chunkSize), expected };
  }
  const encoded = encode(shape, wire, quick);
  // Written under temporary names and renamed, so a reader never sees half a file.
  writeFileSync(`${key}.bin.${process.pid}`, encoded.stream);
  renameSync(`${key}.bin.${process.pid}`, `${key}.bin`);
  writeFileSync(`${key}.json.${process.pid}`, JSON.stringify(encoded.expected));
  renameSync(`${key}.json.${process.pid}`, `${key}.json`);
  return workloadOf(shape, wire, quick, encoded);
}

/** Bytes a stream of `length` takes once {@link cut} has put a byte of space after each chunk but the last. */
function spreadLength(length: number, chunkSize: number): number {
  return length + Math.max(Math.ceil(length / chunkSize) - 1, 0);
}

/** The file, read into the start of a buffer of {@link spreadLength} bytes. */
function readWithRoom(path: string, chunkSize: number): { room: Buffer; length: number } {
  const fd = openSync(path, 'r');
  try {
    const length = fstatSync(fd).size;
    const room = Buffer.allocUnsafeSlow(spreadLength(length, chunkSize));
    for (let at = 0; at < length; ) {
      const n = readSync(fd, room, at, length - at, at);
      if (n === 0) throw new Error(`${path} ended at byte ${at} of ${length}`);
      at += n;
    }
    return { room, length };
  } finally {
    closeSync(fd);
  }
}

/**
 * The `length`-byte stream at the start of `room` (of {@link spreadLength} bytes) cut every
 * `chunkSize` bytes (the last chunk may be shorter), the chunks moved apart in place so that a
 * byte of space lies between each and the next. The chunks are apart in memory, as socket reads
 * are: a decoder cannot hand out bytes that span chunks as one view of the stream (which
 * `ChunkBuffer.take` does for chunks back to back in memory), so every decoder copies them.
 */
export function cut(room: Buffer, length: number, chunkSize: number): Buffer[] {
  const count = Math.ceil(length / chunkSize);
  // From the last chunk back, so that no chunk is overwritten before it has moved.
  for (let i = count - 1; i > 0; i--) room.copyWithin(i * chunkSize + i, i * chunkSize, Math.min((i + 1) * chunkSize, length));
  const chunks: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * chunkSize + i;
    chunks.push(room.subarray(at, at + Math.min(chunkSize, length - i * chunkSize)));
  }
  return chunks;
}

/** Deterministic pseudo-random bytes (xorshift32); `text` maps them onto printable ASCII. */
export function randomPayloads(length: number, text: boolean, seed: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length);
  let x = seed >>> 0 || 1;
  const words = length >>> 2;
  const view = new Uint32Array(out.buffer, out.byteOffset, words);
  for (let i = 0; i < words; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view[i] = x >>> 0;
  }
  for (let i = words * 4; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  if (text) for (let i = 0; i < length; i++) out[i] = 0x20 + (out[i]! % 95);
  return out;
}
