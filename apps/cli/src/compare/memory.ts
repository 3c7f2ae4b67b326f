/**
 * Speed in memory: how fast a strategy encodes and decodes, with no socket involved.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { concatBytes, Deframer, type FramingStrategy } from '@framewire/chunk-buffer';
import type { Fitting } from './carry.js';
import { Random, textPayload } from './data.js';
import { tryEncode, type RefusalCode } from './overhead.js';

/** Encode and decode speed for one payload size. */
export interface MemorySpeed {
  /** Payload size in bytes (text payloads). */
  payloadBytes: number;
  /** Payload megabytes (10⁶ bytes) encoded per second, or `null` when the size cannot be carried. */
  encodeMBps: number | null;
  /** Frames encoded per second, or `null`. */
  encodeFramesPerSec: number | null;
  /** Payload megabytes (10⁶ bytes) decoded per second, or `null`. */
  decodeMBps: number | null;
  /** Frames decoded per second, or `null`. */
  decodeFramesPerSec: number | null;
}

/** How long each measurement runs. */
export interface TimeBudget {
  /** Milliseconds of warm-up (not counted) before each measurement. */
  warmupMs: number;
  /** Milliseconds each measurement runs, in three windows; the fastest window counts. */
  measureMs: number;
}

// The decode benchmark feeds the stream in chunks of this size, as a socket delivers it.
const CHUNK_BYTES = 64 * 1024;

/**
 * `stream` cut into 64 KiB chunks, each a copy of its own, as socket reads are: views of one
 * buffer, back to back, would let the decoder return a frame that spans them as one view,
 * without the copy a socket needs.
 */
export function socketChunks(stream: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < stream.length; offset += CHUNK_BYTES) chunks.push(stream.slice(offset, offset + CHUNK_BYTES));
  return chunks;
}

/** Runs `round` (which does some work and returns how many frames it handled) for `ms`. */
function timed(ms: number, round: () => number): { frames: number; seconds: number } {
  let frames = 0;
  const start = performance.now();
  let now = start;
  do {
    frames += round();
    now = performance.now();
  } while (now - start < ms);
  return { frames, seconds: (now - start) / 1000 };
}

/**
 * Splits `ms` into three windows and returns the fastest one's rate: a garbage collection or
 * another process taking the CPU slows one window, not the figure.
 */
function fastestOf3(ms: number, round: () => number): number {
  let best = 0;
  for (let window = 0; window < 3; window++) {
    const { frames, seconds } = timed(ms / 3, round);
    best = Math.max(best, frames / seconds);
  }
  return best;
}

/**
 * Why the encoder refuses one of `payloads`, or `undefined` when it carries them all. A
 * refused text payload (a delimiter such as `delim:20` inside it) is recorded in `fitting` as
 * `test` at `size`; one too large for the strategy is the `—` the overhead table explains.
 */
export function refusalOf(strategy: FramingStrategy, payloads: readonly Uint8Array[], size: number, test: string, fitting?: Fitting): RefusalCode | undefined {
  for (const bytes of payloads) {
    const outcome = tryEncode(strategy, bytes);
    if (outcome.ok) continue;
    if (outcome.refused === 'ERR_UNENCODABLE_PAYLOAD') fitting?.refused(test, size);
    return outcome.refused;
  }
  return undefined;
}

/**
 * Measures encoding (producing the wire parts of each payload; the payload is not copied
 * where the format allows) and decoding (a {@link Deframer} over the encoded stream, cut into
 * 64 KiB chunks as a socket would deliver it) of text payloads of `size` bytes. Every figure
 * is `null` when the encoder refuses one of the payloads (see {@link refusalOf}).
 */
export function measureMemorySpeed(strategy: FramingStrategy, size: number, budget: TimeBudget, seed: number, fitting?: Fitting): MemorySpeed {
  const random = new Random(seed ^ size ^ 0x3e3);
  const payloads = Array.from({ length: 8 }, () => textPayload(random, size));
  const none: MemorySpeed = { payloadBytes: size, encodeMBps: null, encodeFramesPerSec: null, decodeMBps: null, decodeFramesPerSec: null };
  if (refusalOf(strategy, payloads, size, 'speed in memory', fitting) !== undefined) return none;

  // About 1 ms of work per round keeps the clock out of the measurement.
  const framesPerRound = Math.max(8, Math.min(4096, Math.floor(256 * 1024 / (size + 16))));
  const encoder = strategy.createEncoder();
  let sink = 0;
  const encodeRound = (): number => {
    for (let i = 0; i < framesPerRound; i++) {
      const parts = encoder.encode(payloads[i & 7]!);
      sink += parts.length;
    }
    return framesPerRound;
  };
  if (budget.warmupMs > 0) timed(budget.warmupMs, encodeRound);
  const encodeRate = fastestOf3(budget.measureMs, encodeRound);

  // A stream of about 256 KiB (at least 16 frames, at most 4,096), copied out of the
  // encoder's parts: one decode round stays short next to the time budget.
  const streamFrames = Math.max(16, Math.min(4096, Math.floor((256 * 1024) / (size + 16))));
  const wire: Uint8Array[] = [];
  for (let i = 0; i < streamFrames; i++) wire.push(...encoder.encode(payloads[i & 7]!).map((part) => part.slice()));
  const stream = concatBytes(wire);
  const chunks = socketChunks(stream);
  const decodeRound = (): number => {
    const deframer = new Deframer(strategy);
    let frames = 0;
    for (const chunk of chunks) {
      deframer.push(chunk, (frame) => {
        frames++;
        sink += frame.length;
      });
    }
    deframer.end();
    if (frames !== streamFrames) throw new Error(`${strategy.name} decoded ${frames} of ${streamFrames} frames`);
    return frames;
  };
  if (budget.warmupMs > 0) timed(budget.warmupMs, decodeRound);
  const decodeRate = fastestOf3(budget.measureMs, decodeRound);
  if (sink < 0) throw new Error('unreachable');

  return {
    payloadBytes: size,
    encodeMBps: (encodeRate * size) / 1e6,
    encodeFramesPerSec: encodeRate,
    decodeMBps: (decodeRate * size) / 1e6,
    decodeFramesPerSec: decodeRate,
  };
}
