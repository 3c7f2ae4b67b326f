import {
  FrameTooLargeError,
  MalformedHeaderError,
  TruncatedFrameError,
  resolveMaxFrameLength,
  keepWarm,
  bytesText,
} from '@framewire/chunk-buffer';
import type {
  ChunkBuffer,
  FrameDecoder,
  FrameEncoder,
  FramingError,
  FramingOptions,
  FramingStrategy,
} from '@framewire/chunk-buffer';
import { checkOptionsObject, checkPayload, escapeBytes, exactDigits, integerOption } from './shared.js';

/** Options of {@link ascii}. */
export interface AsciiOptions extends FramingOptions {
  /**
   * Width of the header in characters (bytes), from 1 to 64 (see {@link ascii} for why no
   * wider). The strategy is named `ascii:<width>`. Applies to both. Defaults to `10`, the
   * classic Python sockets tutorial's `HEADERSIZE`.
   */
  width?: number;
  /**
   * Largest payload, in bytes, the decoder accepts and the encoder produces. If `width`
   * digits cannot write that much, the largest `width`-digit number is the effective limit
   * (9,999 for `ascii:4`), reported by the strategy's `maxFrameLength`. Applies to both.
   * Defaults to `DEFAULT_MAX_FRAME_LENGTH` (8 MiB).
   */
  maxFrameLength?: number;
}

/** The widest header `ascii` and `headerStrategy('ascii:W')` accept (why: see {@link ascii}). */
export const MAX_ASCII_WIDTH = 64;

const SPACE = 0x20;
const ZERO = 0x30;
const NINE = 0x39;
/** `n` spaces read as one big-endian integer, by `n` from 0 to 4. */
const SPACES = [0, 0x20, 0x2020, 0x202020, 0x20202020];

/** ASCII whitespace Python's `int()` strips from bytes: space, \t, \n, \v, \f, \r. */
function isSpace(c: number): boolean {
  return c === SPACE || (c >= 0x09 && c <= 0x0d);
}

/**
 * A fixed-width decimal ASCII length, left-aligned and padded with spaces, then the payload:
 * the header of the classic Python sockets tutorial (`f"{len(msg):<10}"` sent before the
 * message, read back with `int(msg[:HEADERSIZE])`). The length counts the payload's bytes
 * (UTF-8 bytes for text, not characters). Named `ascii:<width>`; `ascii()` is `ascii:10`.
 * The diagrams are checked by tests of the same name in `ascii.test.ts`.
 *
 * ```text
 * ascii:10: the tutorial's header
 *
 *   BEFORE DECODE (22 bytes)                           AFTER DECODE (12 bytes)
 *   +------------------------------+----------------+  +----------------+
 *   | Length (10 chars)            | Payload        |  | Payload        |
 *   | "12        "                 | "Hey there!!!" |->| "Hey there!!!" |
 *   | 31 32 20 20 20 20 20 20 20 20|                |  |                |
 *   +------------------------------+----------------+  +----------------+
 *
 * ascii:4: right-aligned digits are read too
 *
 *   BEFORE DECODE (6 bytes)                            AFTER DECODE (2 bytes)
 *   +-------------+---------+                          +---------+
 *   | Length      | Payload |  ----------------------> | Payload |
 *   | "   2"      | "hi"    |                          | "hi"    |
 *   +-------------+---------+                          +---------+
 * ```
 *
 * Decoding accepts what Python's `int()` accepts of such a header, minus signs and
 * underscores: optional leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF)
 * around one run of decimal digits (leading zeros allowed: `"007"` is 7). Anything else — a
 * letter, a sign, a space between digits, a header of only spaces — is
 * `ERR_MALFORMED_HEADER`, with the header's bytes shown escaped in the message. The encoder
 * writes the canonical form: digits without leading zeros, then spaces.
 *
 * Zero-length frames are legal (`"0         "`). Not binary-safe in the header, but the
 * payload can be any bytes.
 *
 * Errors: `ERR_FRAME_TOO_LARGE` (a declared length over the limit, raised as soon as the
 * header is read, before any payload is buffered; the encoder raises it for a payload over
 * the limit, including one whose length does not fit `width` digits), `ERR_MALFORMED_HEADER`,
 * `ERR_TRUNCATED_FRAME` from `end()`. All decoding errors are unrecoverable; the decoder
 * rethrows the same error on later calls.
 *
 * Security: one connection holds at most `maxWireLength` = `width` + `maxFrameLength` bytes.
 *
 * Width: 1 to 64 characters. 16 digits write any length up to `Number.MAX_SAFE_INTEGER` (the
 * largest `maxFrameLength`) and 20 any 64-bit length, so every character past them is
 * padding; 64 leaves room for the padding a protocol may add (an error message still shows
 * such a header whole). A wider header is refused: the decoder buffers the whole header
 * before it can judge it, so `ascii:1000000000` would wait for a gigabyte of header (its
 * `maxWireLength` would count it) before finding a frame or an error.
 *
 * @throws RangeError for a `width` that is not an integer from 1 to 64 (`width must be an
 * integer from 1 to 64 (got 65)`), or an invalid `maxFrameLength`.
 */
export function ascii(options?: AsciiOptions): FramingStrategy {
  checkOptionsObject(options, 'ascii');
  const width = integerOption('width', options?.width, 10, 1, MAX_ASCII_WIDTH);
  const requested = resolveMaxFrameLength(options?.maxFrameLength);
  // 10^width - 1 is exact up to width 15; wider fields can express any safe integer.
  const fieldMax = width <= 15 ? 10 ** width - 1 : Infinity;
  return new AsciiStrategy(width, Math.min(requested, fieldMax), requested);
}

class AsciiStrategy implements FramingStrategy {
  readonly name: string;
  readonly maxFrameLength: number;
  readonly maxWireLength: number;
  readonly #width: number;
  readonly #requested: number;

  constructor(width: number, maxFrameLength: number, requested: number) {
    this.name = `ascii:${width}`;
    this.maxFrameLength = maxFrameLength;
    this.maxWireLength = width + maxFrameLength;
    this.#width = width;
    this.#requested = requested;
    Object.freeze(this);
  }

  createDecoder(): FrameDecoder {
    return new AsciiDecoder(this.name, this.#width, this.maxFrameLength);
  }

  createEncoder(): FrameEncoder {
    return new AsciiEncoder(this.name, this.#width, this.maxFrameLength, this.#requested);
  }
}

class AsciiDecoder implements FrameDecoder {
  private readonly name: string;
  private readonly width: number;
  private readonly max: number;
  // -1 while waiting for the header (state Head); else the wire length of the frame whose
  // header was parsed (state Data).
  private wire = -1;
  // The unrecoverable error that ended this stream, rethrown by every later call.
  private failed: FramingError | undefined;

  constructor(name: string, width: number, max: number) {
    this.name = name;
    this.width = width;
    this.max = max;
  }

  decode(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    let wire = this.wire;
    const width = this.width;
    if (wire < 0) {
      if (buffer.length < width) return undefined;
      wire = this.wire = width + this.parse(buffer);
    }
    if (buffer.length < wire) return undefined;
    this.wire = -1;
    buffer.skip(width);
    return buffer.take(wire - width);
  }

  end(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    const n = buffer.length;
    if (n === 0) return undefined;
    throw this.fail(
      new TruncatedFrameError(
        n,
        this.wire < 0
          ? `stream ended inside an ${this.name} header (${n} of ${bytesText(this.width)} received)`
          : `stream ended inside an ${this.name} frame (${n} of ${bytesText(this.wire)} received)`,
      ),
    );
  }

  /**
   * The payload length in the first `width` bytes of `buffer`, checked against the limit.
   * Reads the header four bytes at a time through ChunkBuffer's integer reads: no view or
   * copy is made on the success path.
   */
  private parse(buffer: ChunkBuffer): number {
    const width = this.width;
    // 0: leading whitespace, 1: in the digits, 2: trailing whitespace.
    let state = 0;
    let value = 0;
    for (let k = 0; k < width; k += 4) {
      const n = width - k >= 4 ? 4 : width - k;
      const word =
        n === 4
          ? buffer.readUint32BE(k)
          : n === 3
            ? buffer.readUint24BE(k)
            : n === 2
              ? buffer.readUint16BE(k)
              : buffer.readUint8(k);
      if (word === SPACES[n]) {
        // All spaces (the padding after the digits, as the encoder writes it): no byte loop.
        if (state === 1) state = 2;
        continue;
      }
      for (let shift = 8 * (n - 1); shift >= 0; shift -= 8) {
        const c = (word >>> shift) & 0xff;
        if (c >= ZERO && c <= NINE) {
          if (state === 2) throw this.fail(this.malformed(buffer));
          state = 1;
          value = value * 10 + (c - ZERO);
        } else if (isSpace(c)) {
          if (state === 1) state = 2;
        } else {
          throw this.fail(this.malformed(buffer));
        }
      }
    }
    if (state === 0) throw this.fail(this.malformed(buffer));
    if (value > this.max) {
      // Past 2^53 the double is approximate: report the exact digits as a bigint.
      const declared = Number.isSafeInteger(value) ? value : exactDigits(buffer.peek(0, width));
      throw this.fail(
        new FrameTooLargeError(
          declared,
          this.max,
          `${this.name} header declares a frame of ${bytesText(declared)}, over the maximum frame length of ${bytesText(this.max)}`,
        ),
      );
    }
    return value;
  }

  private malformed(buffer: ChunkBuffer): MalformedHeaderError {
    return new MalformedHeaderError(
      `${this.name} header ${escapeBytes(buffer.peek(0, this.width))} is not a decimal length ` +
        `(expected digits, optionally surrounded by spaces)`,
    );
  }

  private fail(error: FramingError): FramingError {
    this.failed = error;
    return error;
  }
}

class AsciiEncoder implements FrameEncoder {
  private readonly name: string;
  private readonly width: number;
  private readonly max: number;
  private readonly requested: number;

  constructor(name: string, width: number, max: number, requested: number) {
    this.name = name;
    this.width = width;
    this.max = max;
    this.requested = requested;
  }

  encode(payload: Uint8Array): Uint8Array[] {
    checkPayload(payload, this.name);
    const n = payload.length;
    if (n > this.max) {
      throw new FrameTooLargeError(
        n,
        this.max,
        this.max < this.requested
          ? `${this.name} cannot encode a payload of ${bytesText(n)}: its length does not fit ${this.width} ` +
              `digit${this.width === 1 ? '' : 's'} (at most ${this.max})`
          : `${this.name} cannot encode a payload of ${bytesText(n)}, over the maximum frame length of ${bytesText(this.max)}`,
      );
    }
    const header = new Uint8Array(this.width).fill(SPACE);
    let digits = 1;
    for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
    for (let k = digits - 1, v = n; k >= 0; k--, v = Math.floor(v / 10)) header[k] = ZERO + (v % 10);
    return [header, payload];
  }
}

// An idle decoder and encoder, kept so that V8 keeps their optimized code (keepWarm, from @framewire/chunk-buffer).
const idle = ascii();
keepWarm(idle.createDecoder(), idle.createEncoder());
