import { bytesText } from './errors.js';
import { indexOfByte } from './index-of-byte.js';
import { keepWarm } from './warm.js';

const EMPTY = new Uint8Array(0);
/** Consumed chunk slots are compacted away once there are this many and they fill half the list. */
const COMPACT_THRESHOLD = 1024;
/** Chunk parts up to this many bytes are copied byte by byte rather than with `set`. */
const SMALL_COPY = 32;

/** Options of {@link ChunkBuffer}. */
export interface ChunkBufferOptions {
  /**
   * Whether a `take` that must copy (its bytes span chunks that are not back to back in
   * memory) copies into one array this buffer keeps and reuses, instead of a new array each
   * time. The result is then *borrowed*: valid only until the next `take` that copies, which
   * overwrites it. Saves allocating and filling fresh memory per copy (large frames arriving in
   * many reads); costs holding one array as large as the largest such take. Takes that are
   * views are views either way, and `peek` always copies into a new array. Defaults to `false`.
   */
  borrowed?: boolean;
}

/**
 * A queue of received chunks that behaves like one contiguous byte array.
 *
 * - `push` stores the chunk itself: no copy.
 * - Reads, searches and `peek` address bytes by offset from the front, across chunk
 *   boundaries. Finding the chunk that holds an offset is O(1) for the access patterns
 *   decoders use (front, near the previous access, or just after it) and O(log chunks)
 *   otherwise; a search then costs O(bytes searched), inside chunks done by `indexOfByte`
 *   (`memchr` on Node).
 * - `take(n)` removes `n` bytes from the front and returns them: a view (no copy) when they
 *   lie in one chunk, or in chunks that lie back to back in one `ArrayBuffer` (a reader that
 *   fills one block of memory read after read); otherwise one copy. Either is a plain
 *   `Uint8Array`, even when the chunks are Node `Buffer`s.
 *
 * So a million 1-byte pushes followed by a million 1-byte takes is linear, and so is one
 * 8 MiB take from 1-byte chunks.
 *
 * Offsets are always relative to the current front. Out-of-range offsets throw a
 * `RangeError` (the searches clamp them instead), and so do offsets that are not whole
 * numbers; they are programming errors, not wire errors.
 *
 * @example
 * ```ts
 * const buf = new ChunkBuffer();
 * buf.push(Uint8Array.of(0, 0));
 * buf.push(Uint8Array.of(0, 3, 104, 105, 33));
 * buf.readUint32BE(0);   // 3, read across the two chunks
 * buf.skip(4);
 * buf.take(3);           // Uint8Array [104, 105, 33], a view into the second chunk
 * ```
 */
export class ChunkBuffer {
  // The chunk list. Slots before `head` are consumed (set to EMPTY so they can be
  // collected) and are compacted away in bulk, never shifted one by one.
  private chunks: Uint8Array[] = [];
  // starts[i]: absolute stream position of chunks[i][0]; lets lookups binary-search.
  private starts: number[] = [];
  // Index of the first chunk that still holds unconsumed bytes.
  private head = 0;
  // Absolute stream position of the first unconsumed byte, and one past the last pushed.
  private front = 0;
  private end = 0;
  // Index of the chunk found by the last lookup: decoders read near where they read last.
  private cursor = 0;
  // chunks[head] (EMPTY when nothing is buffered) and the index of the front byte in it:
  // the hot reads and takes touch only these two fields.
  private first: Uint8Array = EMPTY;
  private firstAt = 0;
  // With `borrowed`: the array that copying takes copy into, grown to the largest one.
  private readonly borrowed: boolean;
  private scratch: Uint8Array = EMPTY;

  constructor(options: ChunkBufferOptions = {}) {
    this.borrowed = options.borrowed === true;
  }

  /** Number of unconsumed bytes. */
  get length(): number {
    return this.end - this.front;
  }

  /** Number of chunks that still hold unconsumed bytes. */
  get chunkCount(): number {
    return this.chunks.length - this.head;
  }

  /**
   * Appends a chunk without copying it. The buffer keeps a reference: do not modify the
   * chunk afterwards. Empty chunks are ignored. Anything but a `Uint8Array` (a `Buffer` is
   * one) throws a `TypeError`.
   */
  push(chunk: Uint8Array): void {
    // A socket with `setEncoding()` yields strings, which have a `length` too: refuse them
    // instead of corrupting every later read.
    if (!(chunk instanceof Uint8Array) && !isUint8Array(chunk)) {
      throw new TypeError(`chunk must be a Uint8Array (got ${describe(chunk)})`);
    }
    const n = chunk.length;
    if (n === 0) return;
    const chunks = this.chunks;
    chunks.push(chunk);
    this.starts.push(this.end);
    this.end += n;
    // The buffer was empty (consumed slots are always compacted or cleared away first).
    if (chunks.length - 1 === this.head) {
      this.first = chunk;
      this.firstAt = 0;
    }
  }

  /** Drops every buffered byte. */
  clear(): void {
    this.chunks = [];
    this.starts = [];
    this.head = 0;
    this.cursor = 0;
    this.front = this.end;
    this.first = EMPTY;
    this.firstAt = 0;
  }

  /** The byte at `offset`. */
  byteAt(offset: number): number {
    const at = this.headIndex(offset, 1);
    if (at >= 0) return this.first[at]!;
    this.checkRange(offset, 1);
    const i = this.locate(offset);
    return this.chunks[i]![this.front + offset - this.starts[i]!]!;
  }

  /** Unsigned 8-bit integer at `offset`. */
  readUint8(offset: number): number {
    return this.byteAt(offset);
  }

  /** Unsigned big-endian 16-bit integer at `offset`. */
  readUint16BE(offset: number): number {
    const at = this.headIndex(offset, 2);
    if (at >= 0) {
      const c = this.first;
      return (c[at]! << 8) | c[at + 1]!;
    }
    return this.readUint(offset, 2, false);
  }

  /** Unsigned little-endian 16-bit integer at `offset`. */
  readUint16LE(offset: number): number {
    return this.readUint(offset, 2, true);
  }

  /** Unsigned big-endian 24-bit integer at `offset`. */
  readUint24BE(offset: number): number {
    return this.readUint(offset, 3, false);
  }

  /** Unsigned little-endian 24-bit integer at `offset`. */
  readUint24LE(offset: number): number {
    return this.readUint(offset, 3, true);
  }

  /** Unsigned big-endian 32-bit integer at `offset`. */
  readUint32BE(offset: number): number {
    const at = this.headIndex(offset, 4);
    if (at >= 0) {
      const c = this.first;
      return c[at]! * 0x1000000 + ((c[at + 1]! << 16) | (c[at + 2]! << 8) | c[at + 3]!);
    }
    return this.readUint(offset, 4, false);
  }

  /** Unsigned little-endian 32-bit integer at `offset`. */
  readUint32LE(offset: number): number {
    return this.readUint(offset, 4, true);
  }

  /** Unsigned big-endian 64-bit integer at `offset`, as a bigint. */
  readBigUint64BE(offset: number): bigint {
    this.checkRange(offset, 8);
    return (BigInt(this.readUint(offset, 4, false)) << 32n) | BigInt(this.readUint(offset + 4, 4, false));
  }

  /** Unsigned little-endian 64-bit integer at `offset`, as a bigint. */
  readBigUint64LE(offset: number): bigint {
    this.checkRange(offset, 8);
    return (BigInt(this.readUint(offset + 4, 4, true)) << 32n) | BigInt(this.readUint(offset, 4, true));
  }

  /**
   * Unsigned integer of `byteLength` bytes (1 to 6) at `offset`, big-endian unless
   * `littleEndian`. Widths up to 6 bytes are exact in a JavaScript number.
   */
  readUint(offset: number, byteLength: number, littleEndian = false): number {
    if (!Number.isInteger(byteLength) || byteLength < 1 || byteLength > 6) {
      throw new RangeError(`byteLength must be an integer from 1 to 6 (got ${byteLength})`);
    }
    this.checkRange(offset, byteLength);
    let i = this.locate(offset);
    let chunk = this.chunks[i]!;
    let at = this.front + offset - this.starts[i]!;
    let value = 0;
    for (let k = 0; k < byteLength; k++) {
      if (at === chunk.length) {
        chunk = this.chunks[++i]!;
        at = 0;
      }
      const b = chunk[at++]!;
      // Multiplication instead of shifts keeps values above 2^31 positive and exact.
      value = littleEndian ? value + b * 2 ** (8 * k) : value * 256 + b;
    }
    this.cursor = i;
    return value;
  }

  /**
   * Offset of the first `byte` (an integer from 0 to 255, else a `RangeError`) at or after
   * `fromOffset` and before `endOffset`, or -1. Each chunk is searched with `indexOfByte`
   * (`memchr` on Node), never past `endOffset`.
   *
   * The offsets are clamped to the buffer, not checked against it: a negative `fromOffset`
   * (`-Infinity` too) counts as 0, an `endOffset` past the end (`Infinity` too) as `length`.
   * An offset that is `NaN` or not a whole number is a `RangeError`, as it is for the reads
   * (`fromOffset 2.5 is not a whole byte: offsets must be integers`).
   *
   * @param fromOffset where the search starts. Defaults to 0.
   * @param endOffset where it stops (exclusive); clamped to `length`. Defaults to `length`.
   */
  indexOf(byte: number, fromOffset = 0, endOffset = this.length): number {
    // Buffer#indexOf would search for `byte & 255`, Uint8Array#indexOf for nothing: refuse.
    if (!Number.isInteger(byte) || byte < 0 || byte > 255) {
      throw new RangeError(`byte must be an integer from 0 to 255 (got ${byte})`);
    }
    // The native indexOf would truncate 2.5 to 2 (a match before fromOffset) and read NaN as
    // 0 (the chunk's consumed bytes): one test per call, the rest only on the unusual path.
    if (!Number.isInteger(fromOffset) || !Number.isInteger(endOffset)) checkSearchOffsets(fromOffset, endOffset);
    const stop = Math.min(endOffset, this.length);
    if (fromOffset < 0) fromOffset = 0;
    if (fromOffset >= stop) return -1;
    const absStop = this.front + stop;
    let i = this.locate(fromOffset);
    let at = this.front + fromOffset - this.starts[i]!;
    const last = this.chunks.length;
    for (; i < last; i++, at = 0) {
      const chunk = this.chunks[i]!;
      const start = this.starts[i]!;
      const chunkEnd = start + chunk.length;
      // Search only up to `endOffset`: a bounded scan of a large chunk must not cost the
      // whole chunk (a delimiter decoder calls this with its frame limit as the bound).
      const found =
        chunkEnd <= absStop ? indexOfByte(chunk, byte, at) : indexOfByte(view(chunk, 0, absStop - start), byte, at);
      if (found !== -1) {
        this.cursor = i;
        return start + found - this.front;
      }
      if (chunkEnd >= absStop) break;
    }
    this.cursor = Math.min(i, last - 1);
    return -1;
  }

  /**
   * Offset of the first occurrence of `sequence` that starts at or after `fromOffset` and
   * ends at or before `endOffset`, or -1. Matches that straddle any number of chunks are
   * found. A sequence that starts before `endOffset` but is not complete yet is not a match:
   * resume later from `max(fromOffset, length - sequence.length + 1)`.
   *
   * The offsets are clamped and checked as {@link indexOf}'s are: out of range is clamped
   * (±`Infinity` too), `NaN` or not whole is a `RangeError`.
   *
   * @param fromOffset where the search starts. Defaults to 0.
   * @param endOffset the match must end at or before it; clamped to `length`. Defaults to `length`.
   */
  indexOfSequence(sequence: Uint8Array, fromOffset = 0, endOffset = this.length): number {
    const m = sequence.length;
    if (m === 0) throw new RangeError('sequence must not be empty');
    const first = sequence[0]!;
    if (m === 1) return this.indexOf(first, fromOffset, endOffset);
    if (!Number.isInteger(fromOffset) || !Number.isInteger(endOffset)) checkSearchOffsets(fromOffset, endOffset);
    const stop = Math.min(endOffset, this.length);
    let from = Math.max(fromOffset, 0);
    while (from + m <= stop) {
      const at = this.indexOf(first, from, stop - m + 1);
      if (at === -1) return -1;
      if (this.matchesAt(at + 1, sequence, 1)) return at;
      from = at + 1;
    }
    return -1;
  }

  /** True if the bytes at `offset` equal `sequence` (false if they run past the end). */
  startsWith(sequence: Uint8Array, offset = 0): boolean {
    if (!Number.isInteger(offset) || offset < 0 || offset + sequence.length > this.length) return false;
    return sequence.length === 0 || this.matchesAt(offset, sequence, 0);
  }

  /**
   * The bytes from `start` to `end` (exclusive) without consuming them: a view when they lie
   * in one chunk (made by the chunk's own `subarray`, so a Node `Buffer` chunk gives a
   * `Buffer`), otherwise a copy. Do not modify the result.
   */
  peek(start = 0, end = this.length): Uint8Array {
    const n = this.rangeLength(start, end);
    if (n === 0) return EMPTY;
    const i = this.locate(start);
    const chunk = this.chunks[i]!;
    const at = this.front + start - this.starts[i]!;
    // The chunk's own subarray: a Buffer chunk gives a Buffer, as documented.
    if (at + n <= chunk.length) return chunk.subarray(at, at + n);
    return this.copyOut(i, at, n);
  }

  /**
   * Copies the bytes from `start` to `end` (exclusive) into `target` from `targetStart`, without
   * consuming them, and returns how many it copied. For a decoder that builds a frame from
   * pieces of the buffer (a block at a time, unescaping as it goes): each byte is copied once,
   * where `peek` or `take` first would copy a frame that spans chunks whole. A `RangeError` if
   * the bytes are not all in the buffer or do not fit in `target` from `targetStart`.
   */
  copyTo(target: Uint8Array, targetStart = 0, start = 0, end = this.length): number {
    if (!isUint8Array(target)) throw new TypeError(`target must be a Uint8Array (got ${describe(target)})`);
    const n = this.rangeLength(start, end);
    if (!Number.isInteger(targetStart) || targetStart < 0 || targetStart + n > target.length) {
      throw new RangeError(
        `target of ${bytesText(target.length)} has no room for ${bytesText(n)} from targetStart ${String(targetStart)}`,
      );
    }
    if (n === 0) return 0;
    const i = this.locate(start);
    this.copyOut(i, this.front + start - this.starts[i]!, n, target, targetStart);
    return n;
  }

  /**
   * Removes `n` bytes from the front and returns them: a view (no copy) when they lie in one
   * chunk, or in chunks that each start where the one before ends in the same `ArrayBuffer`;
   * otherwise one new array holding a copy (with `borrowed`, a view of the reused array, valid
   * until the next take that copies).
   */
  take(n: number): Uint8Array {
    const chunk = this.first;
    const at = this.firstAt;
    const stop = at + n;
    if (stop < chunk.length && n > 0 && Number.isInteger(n)) {
      // Fast path: the bytes lie inside the first chunk, which keeps more after them.
      this.front += n;
      this.firstAt = stop;
      return view(chunk, at, n);
    }
    if (n === 0) return EMPTY;
    this.checkRange(0, n);
    const out =
      stop <= chunk.length || this.adjacent(this.head, stop - chunk.length)
        ? view(chunk, at, n)
        : this.copyOut(this.head, at, n, this.borrowed ? this.lend(n) : undefined);
    this.advance(n);
    return out;
  }

  /** Removes `n` bytes from the front without returning them. */
  skip(n: number): void {
    const stop = this.firstAt + n;
    if (stop < this.first.length && n > 0 && Number.isInteger(n)) {
      this.front += n;
      this.firstAt = stop;
      return;
    }
    if (n === 0) return;
    this.checkRange(0, n);
    this.advance(n);
  }

  /**
   * Whether the `rest` bytes that follow chunk `i` lie in chunks that each start where the one
   * before ends, in the same `ArrayBuffer` (a reader that fills one block read after read): the
   * bytes are then one run of memory, and a view of it needs no copy.
   */
  private adjacent(i: number, rest: number): boolean {
    const chunks = this.chunks;
    let prev = chunks[i]!;
    while (rest > 0) {
      const next = chunks[++i]!;
      // Offsets first: `buffer` is only read once they line up.
      if (next.byteOffset !== prev.byteOffset + prev.length || next.buffer !== prev.buffer) return false;
      rest -= next.length;
      prev = next;
    }
    return true;
  }

  // The first `n` bytes of the reused array, grown first if it is shorter.
  private lend(n: number): Uint8Array {
    if (this.scratch.length < n) this.scratch = new Uint8Array(n);
    return new Uint8Array(this.scratch.buffer, 0, n);
  }

  // Copies `n` bytes from chunk `i`, offset `at`, on into `out` (a new array if not given) from
  // `outAt`.
  private copyOut(i: number, at: number, n: number, out: Uint8Array = new Uint8Array(n), outAt = 0): Uint8Array {
    let written = outAt;
    const stop = outAt + n;
    while (written < stop) {
      const chunk = this.chunks[i++]!;
      const part = Math.min(chunk.length - at, stop - written);
      if (part <= SMALL_COPY) {
        // For a few bytes a plain loop beats `set` (a native call, and a view to make).
        for (let k = 0; k < part; k++) out[written + k] = chunk[at + k]!;
      } else {
        out.set(part === chunk.length ? chunk : view(chunk, at, part), written);
      }
      written += part;
      at = 0;
    }
    return out;
  }

  private matchesAt(offset: number, sequence: Uint8Array, from: number): boolean {
    let i = this.locate(offset);
    let chunk = this.chunks[i]!;
    let at = this.front + offset - this.starts[i]!;
    for (let k = from; k < sequence.length; k++) {
      if (at === chunk.length) {
        chunk = this.chunks[++i]!;
        at = 0;
      }
      if (chunk[at++] !== sequence[k]) return false;
    }
    return true;
  }

  private advance(n: number): void {
    this.front += n;
    if (this.front === this.end) {
      // Common case: everything consumed. Start over with fresh, empty lists.
      this.clear();
      return;
    }
    const chunks = this.chunks;
    const starts = this.starts;
    let head = this.head;
    while (starts[head]! + chunks[head]!.length <= this.front) {
      chunks[head] = EMPTY;
      head++;
    }
    this.head = head;
    this.first = chunks[head]!;
    this.firstAt = this.front - starts[head]!;
    if (this.cursor < head) this.cursor = head;
    if (head >= COMPACT_THRESHOLD && head * 2 >= chunks.length) {
      chunks.splice(0, head);
      starts.splice(0, head);
      this.cursor -= head;
      this.head = 0;
    }
  }

  /** Index of the chunk holding the byte at `offset` (which must be in range). */
  private locate(offset: number): number {
    const abs = this.front + offset;
    const starts = this.starts;
    const chunks = this.chunks;
    let c = this.cursor;
    if (c < this.head) c = this.head;
    if (abs >= starts[c]!) {
      if (abs < starts[c]! + chunks[c]!.length) return (this.cursor = c);
      c++;
      if (c < chunks.length && abs < starts[c]! + chunks[c]!.length) return (this.cursor = c);
    }
    let lo = this.head;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= abs) lo = mid;
      else hi = mid - 1;
    }
    return (this.cursor = lo);
  }

  /**
   * Index inside the first chunk of the byte at `offset` when the `n` bytes from there lie
   * entirely in that chunk (and the arguments are valid integers), else -1. The fast path
   * of the hot reads: no lookup, no cross-chunk loop.
   */
  private headIndex(offset: number, n: number): number {
    const at = this.firstAt + offset;
    return at + n <= this.first.length && offset >= 0 && Number.isInteger(offset) ? at : -1;
  }

  /** The length of the range `start..end` of `peek` and `copyTo`, which must lie in the buffer. */
  private rangeLength(start: number, end: number): number {
    // `end - start` would read an `end` of '2', null or true as a number: refuse what is not one.
    if (typeof end !== 'number') throw notANumberEnd(start, end);
    const n = end - start;
    // "End before start" only for whole offsets: checkRange calls a fraction not whole.
    if (n < 0 && Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= this.length) {
      throw new RangeError(`end (${end}) must not be before start (${start})`);
    }
    this.checkRange(start, n);
    return n;
  }

  private checkRange(offset: number, n: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(n) || offset < 0 || n < 0 || offset + n > this.length) {
      throw rangeError(offset, n, this.length);
    }
  }
}

/**
 * The error for bytes `offset..offset + n` that are not whole bytes (`NaN`, a fraction), or not
 * all in the buffer (±`Infinity` among them, as the searches take it).
 */
function rangeError(offset: number, n: number, length: number): RangeError {
  const range = `bytes ${offset}..${offset + n}`;
  return isWholeOrInfinite(offset) && isWholeOrInfinite(n)
    ? new RangeError(`${range} are out of range (buffer holds ${bytesText(length)})`)
    : new RangeError(`${range} are not whole bytes: offsets and lengths must be integers`);
}

/** The error for a `peek` end that is not a number (a string, null, true), said as it is. */
function notANumberEnd(start: number, end: unknown): RangeError {
  const shown = typeof end === 'string' ? JSON.stringify(end) : typeof end === 'object' && end !== null ? describe(end) : String(end);
  return new RangeError(`bytes ${String(start)}..${shown} are not whole bytes: offsets and lengths must be integers`);
}

function isWholeOrInfinite(value: number): boolean {
  return Number.isInteger(value) || value === Infinity || value === -Infinity;
}

/**
 * The unusual path of the searches' offset check: passes ±Infinity (clamped like any offset
 * out of range), refuses `NaN`, fractions and non-numbers.
 */
function checkSearchOffsets(fromOffset: number, endOffset: number): void {
  checkSearchOffset('fromOffset', fromOffset);
  checkSearchOffset('endOffset', endOffset);
}

function checkSearchOffset(name: string, value: number): void {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number (got ${describe(value)})`);
  if (!isWholeOrInfinite(value)) {
    throw new RangeError(`${name} ${value} is not a whole byte: offsets must be integers`);
  }
}

/**
 * `n` bytes of `chunk` from `at`, as a plain `Uint8Array` on the same memory. Cheaper than
 * `subarray`, which on a Node `Buffer` runs Buffer's own wrapper and builds another Buffer.
 */
function view(chunk: Uint8Array, at: number, n: number): Uint8Array {
  return new Uint8Array(chunk.buffer, chunk.byteOffset + at, n);
}

/**
 * True if `value` is a `Uint8Array` (a Node `Buffer` is one), from this realm or another: one
 * made in a worker, a `vm` context or an iframe fails `instanceof Uint8Array`. The check the
 * framewire packages use for the bytes they are given.
 */
export function isUint8Array(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) && (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Uint8Array')
  );
}

/** What a value is, for error messages: `null`, `Array`, `string`. Internal to the package. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? Object.prototype.toString.call(value).slice(8, -1) : typeof value;
}

keepWarm(new ChunkBuffer());
