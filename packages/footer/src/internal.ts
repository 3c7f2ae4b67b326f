// Helpers shared by the footer strategies. Not exported from the package.
import { indexOfByte, isUint8Array, type ChunkBuffer } from '@framewire/chunk-buffer';

const NO_BYTES = new Uint8Array(0);

/** What a footer decoder does with a frame longer than `maxFrameLength`. */
export type TooLongAction = 'fail' | 'discard';

/** Lowercase hex of `bytes`, two digits per byte, no separator: `0d0a`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
}

/** `0x0a`-style hex of one byte. */
export function byteHex(byte: number): string {
  return `0x${(byte < 16 ? '0' : '') + byte.toString(16)}`;
}

/** A short description of a value for error messages: strings quoted, objects by type. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** Offset of the first occurrence of `needle` in `haystack` at or after `from`, or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const m = needle.length;
  const first = needle[0]!;
  const last = haystack.length - m;
  for (let at = indexOfByte(haystack, first, from); at !== -1 && at <= last; at = indexOfByte(haystack, first, at + 1)) {
    let k = 1;
    while (k < m && haystack[at + k] === needle[k]) k++;
    if (k === m) return at;
  }
  return -1;
}

/** True if `a[aFrom .. aFrom+n)` equals `b[bFrom .. bFrom+n)`. */
export function bytesEqual(a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[aFrom + k] !== b[bFrom + k]) return false;
  return true;
}

/**
 * True if the buffered bytes from `offset` to the end are the first bytes of `sequence` (a
 * match that may still complete when more bytes arrive). `offset` must be below `buffer.length`
 * and `buffer.length - offset` below `sequence.length`.
 */
export function endsWithPrefixOf(buffer: ChunkBuffer, offset: number, sequence: Uint8Array): boolean {
  const n = buffer.length - offset;
  for (let k = 0; k < n; k++) if (buffer.byteAt(offset + k) !== sequence[k]) return false;
  return true;
}

/**
 * Throws a `TypeError` unless `payload` is a `Uint8Array` (a Node `Buffer` is one, and so is one
 * from another realm). An encoder given anything else would read it as bytes wrongly: a string
 * or a plain array passed its delimiter check as is, a `Uint16Array`'s values went into the COBS
 * output cut to bytes (`0x100` became a `00` inside the frame).
 */
export function checkPayload(payload: unknown, name: string): asserts payload is Uint8Array {
  if (isUint8Array(payload)) return;
  throw new TypeError(`${name} encoder: payload must be a Uint8Array (got ${describe(payload)})`);
}

/** Validates an options object (undefined allowed) and returns it. */
export function checkOptionsObject<T extends object>(options: T | undefined, what: string): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new TypeError(`${what} options must be an object (got ${describe(options)})`);
  }
  return options;
}

/** Validates a boolean option, returning `fallback` when it is undefined. */
export function booleanOption(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${option} must be a boolean (got ${describe(value)})`);
  return value;
}

/** Validates `onTooLong`. */
export function tooLongOption(value: unknown): TooLongAction {
  if (value === undefined) return 'fail';
  if (value !== 'fail' && value !== 'discard') {
    throw new RangeError(`onTooLong must be 'fail' or 'discard' (got ${describe(value)})`);
  }
  return value;
}

/** Validates a `name` option. */
export function nameOption(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`name must be a non-empty string (got ${describe(value)})`);
  }
  return value;
}

/**
 * Typed arrays up to this many bytes live on V8's heap: creating one, or a `slice` this small,
 * is cheap. Larger ones get memory of their own, which costs about a microsecond each.
 */
export const SMALL_FRAME = 64;

// Typed arrays over SMALL_FRAME bytes live outside the JavaScript heap, and creating one costs
// about a microsecond: per frame, that would dominate COBS and SLIP. Output arrays up to POOLED_MAX
// bytes are therefore carved from a shared slab, as Node does for small Buffers. Each committed
// region is handed out once and never reused, so the arrays are independent; a small frame kept
// alive keeps its slab (16 KiB) alive with it. A reserved region that was not committed (an
// encoder or decoder threw half-way) is reserved again: pooled memory is not zero-filled. A
// larger output gets an array of its own, which `array` keeps until the next reserve, after
// the caller may have dropped it. Letting go of it at commit was tried and measured slower:
// COBS frames of 8 MiB in 1 KiB chunks decoded in 10.7–11.1 ms instead of 7.4–7.6 ms (median of
// seven processes each, two rounds), with 244 page faults per MiB instead of 0–33.
const SLAB_SIZE = 16 * 1024;
const POOLED_MAX = 1024;

/**
 * Where encoders and decoders write their output: `reserve(n)` makes room for up to `n` bytes
 * at `array[offset]`; `commit(length)` hands the first `length` of them out as one view.
 */
class OutputPool {
  /** The array to write into, from `offset`, after `reserve`. */
  array: Uint8Array = new Uint8Array(0);
  offset = 0;
  private slab: Uint8Array = new Uint8Array(0);
  private slabBuffer: ArrayBufferLike = this.slab.buffer;
  private used = 0;

  reserve(n: number): void {
    if (n > POOLED_MAX) {
      this.array = new Uint8Array(n);
      this.offset = 0;
      return;
    }
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(SLAB_SIZE);
      this.slabBuffer = this.slab.buffer;
      this.used = 0;
    }
    this.array = this.slab;
    this.offset = this.used;
  }

  commit(length: number): Uint8Array {
    const array = this.array;
    if (array !== this.slab) return length === array.length ? array : array.subarray(0, length);
    // A view made straight on the slab's memory (its byteOffset is 0): cheaper than `subarray`.
    const out = new Uint8Array(this.slabBuffer, this.offset, length);
    this.used = this.offset + length;
    return out;
  }
}

/** The shared output pool (one thread, and every region is handed out once). */
export const pool = new OutputPool();

/** A new array of `n` bytes, possibly a view into a shared slab; its contents are not defined. */
export function allocate(n: number): Uint8Array {
  if (n <= SMALL_FRAME) return new Uint8Array(n);
  pool.reserve(n);
  return pool.commit(n);
}

/**
 * The receive window of a footer decoder: a view of the buffer's front chunk, searched directly
 * while the buffered bytes lie in that one chunk, so that each frame costs one native search
 * and one view. `win[winAt]` is the buffer's first byte.
 */
export abstract class WindowedDecoder {
  // The window: a plain Uint8Array even when the chunk is a Node Buffer (whose `slice` makes a
  // view, where the decoders need a copy; searched with indexOfByte, memchr on Node either way).
  protected win: Uint8Array = NO_BYTES;
  protected winAt = 0;
  // The window's memory: frames are views made straight on it (cheaper than `subarray`).
  protected winBuffer: ArrayBufferLike = NO_BYTES.buffer;
  protected winOffset = 0;

  /** Opens the window on the buffered bytes, which must lie in one chunk. */
  protected openWindow(buffer: ChunkBuffer): Uint8Array {
    const front = buffer.peek(0, buffer.length);
    const win = new Uint8Array(front.buffer, front.byteOffset, front.length);
    this.win = win;
    this.winAt = 0;
    this.winBuffer = win.buffer;
    this.winOffset = win.byteOffset;
    return win;
  }

  /** Moves the window past a frame that ended at `win[end - 1]`, closing it when used up. */
  protected passWindow(end: number): void {
    if (end === this.win.length) this.closeWindow();
    else this.winAt = end;
  }

  /** Lets go of the window: an idle decoder must not keep a consumed chunk alive. */
  protected closeWindow(): void {
    this.win = NO_BYTES;
    this.winAt = 0;
    this.winBuffer = NO_BYTES.buffer;
  }
}
