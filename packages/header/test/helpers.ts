/**
 * Test helpers shared by the header strategy tests: byte builders, a direct decode driver,
 * every-split chunkings.
 */
import { ChunkBuffer, FramingError, concatBytes } from '@framewire/chunk-buffer';
import type { FrameDecoder, FramingStrategy } from '@framewire/chunk-buffer';
import { expect } from 'vitest';

const utf8 = new TextEncoder();

/** Bytes from a hex string with optional spaces: `hex('ac 02')`. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** UTF-8 bytes of a string. */
export function bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** Concatenation of byte arrays and strings (as UTF-8). */
export function cat(...parts: (Uint8Array | string)[]): Uint8Array {
  return concatBytes(parts.map((p) => (typeof p === 'string' ? bytes(p) : p)));
}

/** The wire bytes of `payloads` encoded one after the other. */
export function encodeAll(strategy: FramingStrategy, payloads: readonly Uint8Array[]): Uint8Array {
  const encoder = strategy.createEncoder();
  return concatBytes(payloads.flatMap((p) => encoder.encode(p)));
}

/** What a decoder made of a stream: the frames (copied), then the error that stopped it, if any. */
export interface DecodeResult {
  frames: Uint8Array[];
  error?: FramingError;
}

/**
 * Drives a fresh decoder over `chunks` exactly as the contract says: push a chunk, call
 * `decode` until it returns undefined; at the end, `end()`. Stops at the first error.
 */
export function decodeChunks(strategy: FramingStrategy, chunks: Iterable<Uint8Array>): DecodeResult {
  return drive(strategy.createDecoder(), new ChunkBuffer(), chunks);
}

/** {@link decodeChunks} with a given decoder and buffer (to inspect them afterwards). */
export function drive(decoder: FrameDecoder, buffer: ChunkBuffer, chunks: Iterable<Uint8Array>): DecodeResult {
  const frames: Uint8Array[] = [];
  try {
    for (const chunk of chunks) {
      buffer.push(chunk);
      let frame: Uint8Array | undefined;
      while ((frame = decoder.decode(buffer)) !== undefined) frames.push(frame.slice());
    }
    const last = decoder.end(buffer);
    if (last !== undefined) frames.push(last.slice());
    return { frames };
  } catch (error) {
    if (!(error instanceof FramingError)) throw error;
    return { frames, error };
  }
}

/** `wire` cut at the given offsets (sorted, within 0..length). */
export function cut(wire: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const at of offsets) {
    chunks.push(wire.subarray(from, at));
    from = at;
  }
  chunks.push(wire.subarray(from));
  return chunks;
}

/**
 * Chunkings of `wire`: whole, byte by byte, cut once at every offset, and, for streams of
 * up to `pairLimit` bytes, cut twice at every pair of offsets (so a header can be split
 * into three pieces). Each comes with a label for failure messages.
 */
export function* chunkings(wire: Uint8Array, pairLimit = 48): Generator<[string, Uint8Array[]]> {
  yield ['whole', [wire]];
  yield ['byte by byte', Array.from({ length: wire.length }, (_, i) => wire.subarray(i, i + 1))];
  for (let a = 0; a <= wire.length; a++) yield [`cut at ${a}`, cut(wire, [a])];
  if (wire.length <= pairLimit) {
    for (let a = 1; a < wire.length; a++) {
      for (let b = a + 1; b < wire.length; b++) yield [`cut at ${a} and ${b}`, cut(wire, [a, b])];
    }
  }
}

/** What a stream should decode to: frames, then optionally an error code. */
export interface Expected {
  frames: readonly Uint8Array[];
  code?: string;
}

/**
 * Asserts that `wire` decodes to `expected` under every chunking from {@link chunkings}:
 * the same frames, byte for byte, and the same error code (or none).
 */
export function expectEverySplit(strategy: FramingStrategy, wire: Uint8Array, expected: Expected, pairLimit?: number): void {
  for (const [label, chunks] of chunkings(wire, pairLimit)) {
    const result = decodeChunks(strategy, chunks);
    expect(result.frames.map(toHex), label).toEqual(expected.frames.map(toHex));
    expect(result.error?.code, label).toBe(expected.code);
  }
}

/** Asserts two lists of frames are equal byte for byte (fast on large frames). */
export function expectFrames(actual: readonly Uint8Array[], expected: readonly Uint8Array[], label?: string): void {
  expect(actual.map((f) => f.length), label).toEqual(expected.map((f) => f.length));
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    let same = true;
    for (let k = 0; k < a.length; k++) {
      if (a[k] !== e[k]) {
        same = false;
        break;
      }
    }
    expect(same, `${label ?? ''} frame ${i} differs`).toBe(true);
  }
}

/** Hex string of bytes, for readable comparisons. */
export function toHex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** A payload of `n` bytes with varied content (`i * 31 + seed` mod 256). */
export function payload(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}
