import { FrameTooLargeError, MalformedFrameError, TruncatedFrameError, resolveMaxFrameLength, keepWarm, indexOfByte, bytesText } from '@framewire/chunk-buffer';
import type {
  ChunkBuffer,
  FrameDecoder,
  FrameEncoder,
  FramingError,
  FramingOptions,
  FramingStrategy,
} from '@framewire/chunk-buffer';
import { WindowedDecoder, allocate, byteHex, checkOptionsObject, checkPayload, pool, SMALL_FRAME, tooLongOption } from './internal.js';
import type { TooLongAction } from './internal.js';

/** Options of {@link cobs}. */
export interface CobsOptions extends FramingOptions {
  /**
   * Largest payload in bytes, counted *decoded*. Applies to both: the encoder refuses a longer
   * payload with a `FrameTooLargeError`; the decoder fails as soon as the encoded bytes seen
   * without a terminator prove the decoded payload would be longer (at most one extra byte per
   * 254), so it never buffers more than about `maxFrameLength × 255/254` bytes. Defaults to
   * `DEFAULT_MAX_FRAME_LENGTH` (8 MiB).
   */
  maxFrameLength?: number;
  /**
   * What the decoder does with a frame longer than `maxFrameLength`: `'fail'` throws an
   * unrecoverable `FrameTooLargeError`; `'discard'` throws a recoverable one once, drops the
   * frame up to and including its `00` terminator and goes on. Applies to decoding. Defaults to
   * `'fail'`.
   */
  onTooLong?: TooLongAction;
}

/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999) with a `00` terminator: the payload
 * is rewritten without any `00` byte, so `00` can end the frame. Binary-safe; overhead 1 byte per
 * 254 (at least 1), plus the terminator. Named `cobs`. Interoperates with PacketSerial
 * (`COBSPacketSerial`), the `cobs` crate/Python package and other COBS libraries that use a
 * `00` delimiter.
 *
 * Each run of up to 254 non-zero bytes is preceded by a code byte: `code - 1` data bytes follow,
 * then an implied `00` — except after code `FF` (254 bytes, no zero) and at the end of the frame.
 *
 * ```text
 * cobs()
 *
 * BEFORE (payload, 4 bytes)        AFTER (wire, 6 bytes)
 * 11 22 00 33                →     03 11 22 02 33 00
 *                                  ↑  └───┘ ↑  ↑  ↑ terminator
 *                                  │  data  │  └ data
 *                                  │        └ code: 1 byte, then (end of frame)
 *                                  └ code: 2 bytes, then 00
 *
 * 00                         →     01 01 00
 * (empty)                    →     01 00
 * ```
 *
 * Zero-length payloads are legal (`01 00`). A bare `00` (an empty encoded frame) carries no
 * payload and is skipped, so a sender may send `00` to flush a receiver's partial frame.
 *
 * Errors: a code byte that runs past the terminator is a `MalformedFrameError` with
 * `recoverable: true`: the decoder has dropped the frame, terminator included, and goes on with
 * the next one (COBS resynchronises at every `00`). Leftover bytes at end of stream are a
 * `TruncatedFrameError`. A frame over `maxFrameLength` is a `FrameTooLargeError` (see
 * `onTooLong`) whose `length` is, as `FrameTooLargeError` documents, the frame's length when its
 * `00` was seen — decoded, as the limit counts it — or else the bytes seen so far without a
 * `00`: encoded bytes, code bytes counted.
 *
 * The decoded payload is a view of the received chunk when it holds no `00` and fits one code
 * block (up to 254 bytes); otherwise it is decoded into one new array.
 */
export function cobs(options: CobsOptions = {}): FramingStrategy {
  const o = checkOptionsObject(options, 'cobs');
  const maxFrameLength = resolveMaxFrameLength(o.maxFrameLength);
  const scanLimit = cobsScanLimit(maxFrameLength);
  const config: CobsConfig = Object.freeze({
    maxFrameLength,
    discard: tooLongOption(o.onTooLong) === 'discard',
    scanLimit,
  });
  return Object.freeze({
    name: 'cobs',
    maxFrameLength,
    // The longest valid frame, terminator included (a non-canonical encoding with extra FF
    // blocks is accepted too), so the decode loop's safety cap never fires before the decoder.
    maxWireLength: scanLimit,
    createDecoder: (): FrameDecoder => new CobsDecoder(config),
    createEncoder: (): FrameEncoder => new CobsEncoder(config),
  });
}

interface CobsConfig {
  readonly maxFrameLength: number;
  readonly discard: boolean;
  /** Encoded bytes without a terminator that prove the decoded payload exceeds the limit. */
  readonly scanLimit: number;
}

/** Bytes COBS needs for a payload of `n` bytes, terminator not counted. */
function cobsEncodedLength(n: number): number {
  return n + Math.max(1, Math.ceil(n / 254));
}

// The fewest bytes an encoded frame of `n` bytes can decode to: every block but the last is a
// full FF block (254 data bytes, no implied zero).
function minDecodedLength(n: number): number {
  return n - Math.ceil(n / 255);
}

// The smallest encoded length whose frames all decode to more than `max` bytes.
function cobsScanLimit(max: number): number {
  let n = max + 1 + Math.ceil((max + 1) / 254);
  // Near 2^53 the steps below cannot move n (n - 1 === n), and no buffer gets that long.
  if (n >= Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  while (n > 1 && minDecodedLength(n - 1) > max) n--;
  while (minDecodedLength(n) <= max) n++;
  return n;
}

class CobsDecoder extends WindowedDecoder implements FrameDecoder {
  // Where the next search for the 00 terminator starts: no 00 before it.
  private scanFrom = 0;
  // True while dropping an oversized frame up to its terminator ('discard' mode).
  private discarding = false;
  // The unrecoverable error that ended the stream; every later call rethrows it.
  private failed: FramingError | undefined;
  // A one-block frame of up to this many encoded bytes (code byte included) fits the limit.
  private readonly maxEncoded: number;

  constructor(private readonly config: CobsConfig) {
    super();
    this.maxEncoded = config.maxFrameLength + 1;
  }

  decode(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    const config = this.config;
    if (!this.discarding) {
      let win = this.win;
      let at = this.winAt;
      if (at === win.length || buffer.length < win.length - at) {
        // Within the scan limit, frames are cut from the window; otherwise the bounded search below.
        if (buffer.chunkCount === 1 && buffer.length < config.scanLimit) {
          win = this.openWindow(buffer);
        } else {
          this.closeWindow();
          win = this.win;
        }
        at = 0;
      }
      while (at < win.length) {
        const q = indexOfByte(win, 0, at + this.scanFrom);
        if (q === -1) {
          // Not in this chunk: go on after it, without searching its bytes again.
          this.scanFrom = win.length - at;
          break;
        }
        buffer.skip(q + 1 - at);
        this.scanFrom = 0;
        if (q === at) {
          at++;
          if (at === win.length) break;
          this.winAt = at;
          continue;
        }
        // One block covering the whole frame, within the limit: the payload is the frame without
        // its code byte, as a view made straight on the window's memory (cheaper than `subarray`).
        if (win[at] === q - at && q - at <= this.maxEncoded) {
          const frame = new Uint8Array(this.winBuffer, this.winOffset + at + 1, q - at - 1);
          this.passWindow(q + 1);
          return frame;
        }
        // The window moves past the frame first: decoding it may throw a recoverable error.
        this.passWindow(q + 1);
        return this.decodeFrame(win, at, q);
      }
      this.closeWindow();
    }
    for (;;) {
      const stop = this.discarding ? buffer.length : config.scanLimit;
      const q = buffer.indexOf(0, this.scanFrom, stop);
      if (q === -1) {
        const scanned = Math.min(buffer.length, stop);
        if (this.discarding) {
          buffer.skip(scanned);
          this.scanFrom = 0;
          return undefined;
        }
        this.scanFrom = scanned;
        if (scanned >= config.scanLimit) {
          this.tooLong(
            buffer,
            scanned,
            `no 00 terminator within ${bytesText(scanned, 'encoded ')}, decoding to more than the maximum frame length of ${bytesText(config.maxFrameLength)}`,
            false,
          );
        }
        return undefined;
      }
      this.scanFrom = 0;
      if (this.discarding) {
        buffer.skip(q + 1);
        this.discarding = false;
        continue;
      }
      if (q === 0) {
        // A bare 00: an empty encoded frame, carrying nothing. Skipped.
        buffer.skip(1);
        continue;
      }
      // A frame that spans chunks is decoded straight out of the buffer, a block at a time, into
      // one new array: one copy per byte, and one pass over memory the frame has not touched yet.
      try {
        const frame = decodeBuffered(buffer, q);
        this.checkDecoded(frame.length);
        return frame;
      } finally {
        buffer.skip(q + 1);
      }
    }
  }

  end(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    this.scanFrom = 0;
    this.closeWindow();
    if (this.discarding) {
      // The stream ended inside an oversized frame that was already reported: drop the rest.
      this.discarding = false;
      buffer.skip(buffer.length);
      return undefined;
    }
    const n = buffer.length;
    if (n === 0) return undefined;
    throw (this.failed = new TruncatedFrameError(n, `stream ended inside a COBS frame: ${bytesText(n)} without a 00 terminator`));
  }

  // Decodes bytes[start, end), a whole frame of the window already removed from the buffer
  // (terminator too). Never a Node Buffer (its `slice` makes a view; a copy is needed here).
  private decodeFrame(bytes: Uint8Array, start: number, end: number): Uint8Array {
    const size = decodedLength(bytes, start, end);
    this.checkDecoded(size);
    // One block covering the whole frame: the payload is the frame without its code byte.
    if (bytes[start] === end - start) return bytes.subarray(start + 1, end);
    return decodeBlocks(bytes, start, end, size);
  }

  private checkDecoded(size: number): void {
    const max = this.config.maxFrameLength;
    if (size > max) {
      this.tooLong(undefined, size, `frame decodes to ${bytesText(size)}, over the maximum frame length of ${bytesText(max)}`, true);
    }
  }

  // `dropped`: the whole frame, terminator included, is already gone from the buffer.
  private tooLong(buffer: ChunkBuffer | undefined, length: number, message: string, dropped: boolean): never {
    const { discard, maxFrameLength } = this.config;
    const error = new FrameTooLargeError(length, maxFrameLength, discard ? `${message}; dropping the frame` : message, {
      recoverable: discard,
    });
    if (!discard) throw (this.failed = error);
    if (!dropped && buffer !== undefined) {
      this.discarding = true;
      buffer.skip(Math.min(buffer.length, this.scanFrom));
      this.scanFrom = 0;
    }
    throw error;
  }
}

// Walks the code bytes of one encoded frame, bytes[start, end) without its terminator: its
// decoded length, or a MalformedFrameError when a block runs past the end.
function decodedLength(bytes: Uint8Array, start: number, end: number): number {
  let size = 0;
  let i = start;
  while (i < end) {
    const code = bytes[i]!;
    const next = i + code;
    if (next > end) throw blockPastEnd(code, i - start, end - i - 1);
    size += code - 1;
    i = next;
    if (i < end && code !== 0xff) size++;
  }
  return size;
}

// Runs of more than this many bytes are copied natively (`set` from a view, `copyWithin`); shorter
// ones byte by byte, which is cheaper for a few bytes than a native call and a view.
const COPY_THRESHOLD = 16;

function decodeBlocks(bytes: Uint8Array, start: number, end: number, size: number): Uint8Array {
  if (size === end - start - 1) {
    // No FF block before the last one: every code byte after the first stands exactly where its
    // block's implied zero goes. One copy of everything after the first code byte (for a small
    // frame, `slice`: one call that allocates and copies), then a zero written over each later
    // code byte.
    let out: Uint8Array;
    if (size <= SMALL_FRAME) {
      out = bytes.slice(start + 1, end);
    } else {
      out = allocate(size);
      copy(bytes, start + 1, end, out, 0);
    }
    for (let i = start + bytes[start]!; i < end; i += bytes[i]!) out[i - start - 1] = 0;
    return out;
  }
  const out = allocate(size);
  let o = 0;
  let i = start;
  while (i < end) {
    const code = bytes[i]!;
    const blockEnd = i + code;
    i++;
    o = copy(bytes, i, blockEnd, out, o);
    i = blockEnd;
    // The implied zero (written: pooled memory may hold bytes of an output that was abandoned).
    if (i < end && code !== 0xff) out[o++] = 0;
  }
  return out;
}

// A code byte whose block runs past the end of its frame: the frame is dropped.
function blockPastEnd(code: number, offset: number, left: number): MalformedFrameError {
  return new MalformedFrameError(
    `COBS code ${byteHex(code)} at offset ${offset} announces ${bytesText(code - 1, 'data ')}, but the frame ends ${bytesText(left)} later; frame dropped`,
    { recoverable: true },
  );
}

// The encoded frame at the buffer's front, its first `end` bytes (terminator not counted),
// decoded block by block into one new array: each block's data copied out of the chunks that
// hold it, then its implied zero. It makes decodedLength's checks as it goes, without a pass of
// its own over the code bytes, so the caller checks the decoded length afterwards. Consumes
// nothing: the caller drops the frame, decoded or not.
function decodeBuffered(buffer: ChunkBuffer, end: number): Uint8Array {
  // At most end - 1 bytes: every block but the first code byte's, and fewer for each FF block.
  pool.reserve(end - 1);
  const out = pool.array;
  const base = pool.offset;
  let o = base;
  let i = 0;
  for (;;) {
    const code = buffer.byteAt(i);
    const blockEnd = i + code;
    if (blockEnd > end) throw blockPastEnd(code, i, end - i - 1);
    if (code - 1 > COPY_THRESHOLD) o += buffer.copyTo(out, o, i + 1, blockEnd);
    else for (let k = i + 1; k < blockEnd; k++) out[o++] = buffer.byteAt(k);
    i = blockEnd;
    if (i >= end) break;
    if (code !== 0xff) out[o++] = 0;
  }
  return pool.commit(o - base);
}

class CobsEncoder implements FrameEncoder {
  constructor(private readonly config: CobsConfig) {}

  encode(payload: Uint8Array): Uint8Array[] {
    checkPayload(payload, 'cobs');
    const n = payload.length;
    const max = this.config.maxFrameLength;
    if (n > max) {
      throw new FrameTooLargeError(n, max, `payload of ${bytesText(n)} exceeds the maximum frame length of ${bytesText(max)}`);
    }
    pool.reserve(cobsEncodedLength(n) + 1);
    const out = pool.array;
    const base = pool.offset;
    let o = base;
    let i = 0;
    for (;;) {
      let zero = indexOfByte(payload, 0, i);
      if (zero === -1) zero = n;
      const runStart = i;
      while (zero - i >= 254) {
        out[o++] = 0xff;
        o = copy(payload, i, i + 254, out, o);
        i += 254;
      }
      // A run of 254 bytes that ends the payload needs no closing empty block.
      if (zero === n && i === n && i > runStart) break;
      out[o++] = zero - i + 1;
      o = copy(payload, i, zero, out, o);
      if (zero === n) break;
      i = zero + 1;
    }
    out[o++] = 0;
    return [pool.commit(o - base)];
  }
}

function copy(from: Uint8Array, start: number, end: number, to: Uint8Array, at: number): number {
  if (end - start > COPY_THRESHOLD) {
    // A view made straight on the memory: cheaper than `subarray` (which, on a Node Buffer, makes a Buffer).
    to.set(new Uint8Array(from.buffer, from.byteOffset + start, end - start), at);
    return at + end - start;
  }
  for (let k = start; k < end; k++) to[at++] = from[k]!;
  return at;
}

// An idle decoder and encoder, kept so that V8 keeps their optimized code (keepWarm, from @framewire/chunk-buffer).
const idle = cobs();
keepWarm(idle.createDecoder(), idle.createEncoder());

