// Test helpers for the footer strategies: byte literals, a decode driver that records what a
// decode loop would see, every way to cut a stream into chunks, and a buffer that counts work.
import { ChunkBuffer, FramingError, encodeFrame } from '@framewire/chunk-buffer';
import type { FrameDecoder, FramingStrategy } from '@framewire/chunk-buffer';
import { expect } from 'vitest';

/** Bytes from hex, spaces allowed: `hex('68 69 0a')`. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  if (digits.length % 2 !== 0 || /[^0-9a-f]/i.test(digits)) throw new Error(`bad hex in test: ${text}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Hex of bytes with spaces, for readable assertions. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of a string. */
export function text(s: string): Uint8Array {
  return encoder.encode(s);
}

/** A frame as a string (UTF-8). */
export function str(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `n` copies of `byte`. */
export function fill(n: number, byte: number): Uint8Array {
  return new Uint8Array(n).fill(byte);
}

/** The wire bytes of several payloads, encoded one after the other. */
export function encodeAll(strategy: FramingStrategy, payloads: readonly Uint8Array[]): Uint8Array {
  const enc = strategy.createEncoder();
  return concat(...payloads.map((p) => encodeFrame(enc, p)));
}

/** What a decode loop saw. */
export interface Run {
  /** Every frame, in order (copied, so later buffer activity cannot change them). */
  frames: Uint8Array[];
  /** The recoverable errors, in order. */
  recovered: FramingError[];
  /** How many frames had come out when each recoverable error was thrown. */
  recoveredAt: number[];
  /** The unrecoverable error that ended the run (from decode or end), if any. */
  error: FramingError | undefined;
  /** Bytes fed when `error` was thrown (the whole stream if it came from end). */
  fedAtError: number;
  /** The most bytes left buffered after a decode call returned or threw. */
  maxBuffered: number;
  /** Bytes left in the buffer at the end of the run. */
  leftover: number;
}

/**
 * Drives a decoder over chunks as a decode loop does: push, decode until undefined (going on
 * after a recoverable error), then `end` once. Non-framing errors are rethrown.
 */
export function run(
  subject: FramingStrategy | FrameDecoder,
  chunks: readonly Uint8Array[],
  buffer: ChunkBuffer = new ChunkBuffer(),
): Run {
  const dec = 'createDecoder' in subject ? subject.createDecoder() : subject;
  const result: Run = {
    frames: [],
    recovered: [],
    recoveredAt: [],
    error: undefined,
    fedAtError: 0,
    maxBuffered: 0,
    leftover: 0,
  };
  let fed = 0;
  const step = (fn: () => Uint8Array | undefined): 'frame' | 'done' | 'error' => {
    try {
      const frame = fn();
      result.maxBuffered = Math.max(result.maxBuffered, buffer.length);
      if (frame === undefined) return 'done';
      result.frames.push(frame.slice());
      return 'frame';
    } catch (thrown) {
      result.maxBuffered = Math.max(result.maxBuffered, buffer.length);
      if (!(thrown instanceof FramingError)) throw thrown;
      if (thrown.recoverable) {
        result.recovered.push(thrown);
        result.recoveredAt.push(result.frames.length);
        return 'frame';
      }
      result.error = thrown;
      result.fedAtError = fed;
      return 'error';
    }
  };
  for (const chunk of chunks) {
    buffer.push(chunk);
    fed += chunk.length;
    for (;;) {
      const r = step(() => dec.decode(buffer));
      if (r === 'error') {
        result.leftover = buffer.length;
        return result;
      }
      if (r === 'done') break;
    }
  }
  step(() => dec.end(buffer));
  result.leftover = buffer.length;
  return result;
}

/** The stream as one chunk, byte by byte, and cut in two at every offset. */
export function everySplit(wire: Uint8Array): Uint8Array[][] {
  const ways: Uint8Array[][] = [[wire], Array.from(wire, (b) => Uint8Array.of(b))];
  for (let cut = 1; cut < wire.length; cut++) ways.push([wire.subarray(0, cut), wire.subarray(cut)]);
  return ways;
}

/** The stream cut in three at every pair of offsets (for short streams: n² ways). */
export function everyTripleSplit(wire: Uint8Array): Uint8Array[][] {
  const ways: Uint8Array[][] = [];
  for (let a = 0; a <= wire.length; a++) {
    for (let b = a; b <= wire.length; b++) ways.push([wire.subarray(0, a), wire.subarray(a, b), wire.subarray(b)]);
  }
  return ways;
}

/** A summary of a run that two runs can be compared by. */
export function outcome(r: Run): { frames: string[]; recovered: string[]; error: string | undefined } {
  return {
    frames: r.frames.map(toHex),
    recovered: r.recovered.map((e) => e.code),
    error: r.error?.code,
  };
}

/**
 * Runs the strategy over every split of `wire` (and every 3-way split when short) and expects
 * the same outcome each time; returns the outcome of the one-chunk run.
 */
export function decodeEverySplit(strategy: FramingStrategy, wire: Uint8Array): Run {
  const whole = run(strategy, [wire]);
  const expected = outcome(whole);
  const ways = wire.length <= 40 ? [...everySplit(wire), ...everyTripleSplit(wire)] : everySplit(wire);
  for (const chunks of ways) {
    const got = outcome(run(strategy, chunks));
    expect(got, `chunks ${chunks.map((c) => `[${toHex(c)}]`).join(' ')}`).toEqual(expected);
  }
  return whole;
}

