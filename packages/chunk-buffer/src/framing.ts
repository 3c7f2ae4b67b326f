import type { ChunkBuffer } from './chunk-buffer.js';

/**
 * The default maximum frame length of every framewire strategy: 8 MiB (8,388,608 bytes),
 * the same as tokio's `LengthDelimitedCodec`. Large enough for ordinary messages; small
 * enough that a hostile peer cannot make one connection hold more than that in memory.
 * Raise it per strategy with `maxFrameLength` when you carry bigger frames.
 */
export const DEFAULT_MAX_FRAME_LENGTH = 8 * 1024 * 1024;

/**
 * A per-connection decoder: turns buffered bytes into frames. Decoders are stateful (they
 * remember a parsed header or how far a delimiter search got), so create one per stream.
 *
 * The contract, which every strategy and {@link Deframer} rely on:
 *
 * - `decode(buffer)` returns the next complete frame and removes exactly its bytes (header,
 *   payload, footer) from `buffer`; or returns `undefined` when more bytes are needed, having
 *   consumed nothing it would need again. The caller calls it again until `undefined`. Every
 *   frame removes at least one byte (the `Deframer` ends the stream at a frame that removed none).
 * - A decoder never re-scans bytes it has already inspected when more arrive: it keeps its
 *   scan position between calls.
 * - A decoder keeps no array it got from `buffer.take` past the call that took it: a
 *   `ChunkBuffer` with `borrowed` overwrites it on the next take that copies.
 * - Bad input throws a {@link FramingError}. If `error.recoverable` is true, the decoder has
 *   already discarded the bad frame and may be called again; otherwise the stream is lost
 *   and every later call rethrows the same error without looking at the bytes again.
 * - At end of stream the caller drains `decode`, then calls `end(buffer)` once: it returns a
 *   final frame where the strategy allows one (an unterminated last line, when enabled),
 *   `undefined` when nothing is left, or throws a {@link TruncatedFrameError} for leftover
 *   bytes.
 */
export interface FrameDecoder {
  /** Next complete frame, or `undefined` when more bytes are needed. */
  decode(buffer: ChunkBuffer): Uint8Array | undefined;
  /** End-of-stream hook: a final frame, `undefined`, or a thrown {@link TruncatedFrameError}. */
  end(buffer: ChunkBuffer): Uint8Array | undefined;
}

/**
 * Turns a payload into the bytes to write. Returns parts (for example header, payload,
 * footer) so the payload is passed through without a copy where the wire format allows.
 * Refuses payloads the wire cannot carry: over `maxFrameLength` or the length field
 * ({@link FrameTooLargeError}), or containing an unescaped delimiter
 * ({@link UnencodablePayloadError}).
 */
export interface FrameEncoder {
  /** The parts to write, in order. Do not modify them; the payload may be one of them. */
  encode(payload: Uint8Array): Uint8Array[];
}

/** Options every strategy accepts. */
export interface FramingOptions {
  /**
   * Largest payload, in bytes, the decoder accepts and the encoder produces. Applies to
   * both. Defaults to {@link DEFAULT_MAX_FRAME_LENGTH} (8 MiB).
   */
  maxFrameLength?: number;
}

/**
 * A framing strategy: a named, configured factory of decoders and encoders. Strategies are
 * immutable; create one per configuration and share it between connections.
 */
export interface FramingStrategy {
  /** The strategy's name as used by the CLI and the docs: `u32be`, `varint`, `delim:0d0a`… */
  readonly name: string;
  /** Largest payload in bytes (see {@link FramingOptions.maxFrameLength}). */
  readonly maxFrameLength: number;
  /**
   * Most wire bytes one frame of `maxFrameLength` can occupy (header, escaping, footer).
   * The decode loop caps its buffer at this by default.
   */
  readonly maxWireLength: number;
  /** A fresh decoder for one stream. */
  createDecoder(): FrameDecoder;
  /** An encoder (encoders hold no per-stream state, but may hold scratch space). */
  createEncoder(): FrameEncoder;
  /**
   * Optional: memory laid out for this strategy's frames, for the reads of one stream, or
   * `undefined` when the strategy has none in this configuration. A source that reads into
   * memory it is handed (a method under {@link READ_INTO}, as a `@framewire/transport`
   * connection has) then reads each large frame into memory of its own, and the frame is
   * decoded with no copy. `decodeFramesAsync` asks for it when its source has such a method.
   * The binary length prefixes of `@framewire/header` have it (`frameReads`).
   */
  createReadMemory?(): ReadMemory | undefined;
}

/**
 * Memory for a source's reads, chosen read by read: before each read the source asks `next()`
 * for the memory it fills (from its start, at most its length); after a read that brought
 * bytes, `filled(bytesRead)` says how many, and the chunk it yields is a view of that memory.
 * The shape `@framewire/transport`'s `recvInto` takes.
 */
export interface ReadMemory {
  /** The memory the next read fills from its start: at most its length, at least 1 byte. */
  next(): Uint8Array;
  /** The read into the memory `next()` last returned filled its first `bytesRead` bytes. */
  filled(bytesRead: number): void;
}

/**
 * The key under which a source of chunks offers to read into memory it is handed: a method
 * that takes a {@link ReadMemory} and returns whether the source will read into it from its
 * first byte on. `Symbol.for('framewire.readInto')`, so that a package can offer it without
 * importing this one (a `@framewire/transport` connection does).
 */
export const READ_INTO: unique symbol = Symbol.for('framewire.readInto') as typeof READ_INTO;

/** A source of chunks that reads into memory it is handed (see {@link READ_INTO}). */
export interface ReadsInto {
  [READ_INTO](memory: ReadMemory): boolean;
}

/**
 * Validates a `maxFrameLength` option and returns it, or the default when undefined.
 * Throws a `RangeError` naming the option otherwise.
 */
export function resolveMaxFrameLength(value: number | undefined, optionName = 'maxFrameLength'): number {
  if (value === undefined) return DEFAULT_MAX_FRAME_LENGTH;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${optionName} must be a non-negative safe integer (got ${String(value)})`);
  }
  return value;
}

/** Encodes one payload into a single contiguous array (copies; prefer the parts for writing). */
export function encodeFrame(encoder: FrameEncoder, payload: Uint8Array): Uint8Array {
  return concatBytes(encoder.encode(payload));
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  // Not `slice()`: on a Node Buffer it makes a view, not a copy.
  if (parts.length === 1) return new Uint8Array(parts[0]!);
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
