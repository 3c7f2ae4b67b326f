import {
  FrameTooLargeError,
  MalformedFrameError,
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
import { checkOptionsObject, checkPayload, escapeBytes, exactDigits, hexByte } from './shared.js';

const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const COMMA = 0x2c;
// Shared by every encoded frame: encoders' parts must not be modified by the caller.
const TRAILER = Uint8Array.of(COMMA);

/**
 * D. J. Bernstein's netstrings (<https://cr.yp.to/proto/netstrings.txt>): the payload's
 * length in decimal ASCII, a colon, the payload, a comma. `"hello world!"` is
 * `12:hello world!,`. Wire-compatible with Twisted's `NetstringReceiver`. The diagrams are
 * checked by tests of the same name in `netstring.test.ts`.
 *
 * ```text
 * netstring: "hello world!"
 *
 *   BEFORE DECODE (16 bytes)                         AFTER DECODE (12 bytes)
 *   +--------+-----+----------------+-----+          +----------------+
 *   | Length | ':' | Payload        | ',' |  ------> | Payload        |
 *   | "12"   | 3A  | "hello world!" | 2C  |          | "hello world!" |
 *   +--------+-----+----------------+-----+          +----------------+
 *
 * netstring: the empty string
 *
 *   BEFORE DECODE (3 bytes)                          AFTER DECODE (0 bytes)
 *   +--------+-----+-----+                           ++
 *   | Length | ':' | ',' |  -----------------------> ||
 *   | "0"    | 3A  | 2C  |                           ++
 *   +--------+-----+-----+                           ++
 * ```
 *
 * Decoding follows the spec strictly: the length is one or more ASCII digits with no
 * leading zero (except `0` itself) and no spaces or signs; anything else before the colon
 * is `ERR_MALFORMED_HEADER`. The digits are checked as they arrive: as soon as they
 * exceed `maxFrameLength` (`"1000"` with a limit of 999, before the colon is seen), the
 * decoder fails with `ERR_FRAME_TOO_LARGE`, before any payload is buffered. A byte other
 * than `,` after the payload is `ERR_MALFORMED_FRAME`. The scan position is kept, so a
 * header split anywhere is read once. Empty netstrings (`0:,`) are legal.
 *
 * Errors: `ERR_FRAME_TOO_LARGE` (also from the encoder for a payload over the limit),
 * `ERR_MALFORMED_HEADER`, `ERR_MALFORMED_FRAME`, `ERR_TRUNCATED_FRAME` from `end()`. All
 * decoding errors are unrecoverable; the decoder rethrows the same error on later calls.
 *
 * Security: one connection holds at most `maxWireLength` = digits of the limit + 2 +
 * `maxFrameLength` bytes.
 *
 * @throws RangeError for an invalid `maxFrameLength`.
 */
export function netstring(options?: FramingOptions): FramingStrategy {
  checkOptionsObject(options, 'netstring');
  return new NetstringStrategy(resolveMaxFrameLength(options?.maxFrameLength));
}

class NetstringStrategy implements FramingStrategy {
  readonly name = 'netstring';
  readonly maxFrameLength: number;
  readonly maxWireLength: number;

  constructor(maxFrameLength: number) {
    this.maxFrameLength = maxFrameLength;
    this.maxWireLength = String(maxFrameLength).length + 2 + maxFrameLength;
    Object.freeze(this);
  }

  createDecoder(): FrameDecoder {
    return new NetstringDecoder(this.maxFrameLength);
  }

  createEncoder(): FrameEncoder {
    return new NetstringEncoder(this.maxFrameLength);
  }
}

class NetstringDecoder implements FrameDecoder {
  private readonly max: number;
  // Head state: digits scanned so far and their value, so a split header is read once.
  private scanned = 0;
  private value = 0;
  // -1 while reading the length; else the wire length of the frame (digits, ':', payload, ',').
  private wire = -1;
  // Length of "<digits>:" once known.
  private headLength = 0;
  // The unrecoverable error that ended this stream, rethrown by every later call.
  private failed: FramingError | undefined;

  constructor(max: number) {
    this.max = max;
  }

  decode(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    let wire = this.wire;
    if (wire < 0) {
      const available = buffer.length;
      let i = this.scanned;
      let value = this.value;
      for (;;) {
        if (i === available) {
          this.scanned = i;
          this.value = value;
          return undefined;
        }
        const c = buffer.byteAt(i);
        if (c >= ZERO && c <= NINE) {
          // A digit after a leading "0": the only length that may start with 0 is 0 itself.
          if (i === 1 && value === 0) throw this.fail(this.malformed(buffer, i, 'a leading zero', 0));
          value = value * 10 + (c - ZERO);
          if (value > this.max) throw this.fail(this.tooLarge(buffer, i, value));
          i++;
        } else if (c === COLON && i > 0) {
          break;
        } else {
          throw this.fail(this.malformed(buffer, i, i === 0 ? `${hexByte(c)} where a digit must start` : hexByte(c)));
        }
      }
      this.scanned = 0;
      this.value = 0;
      this.headLength = i + 1;
      wire = this.wire = i + 2 + value;
    }
    if (buffer.length < wire) return undefined;
    const trailer = buffer.byteAt(wire - 1);
    if (trailer !== COMMA) {
      const n = wire - 1 - this.headLength;
      throw this.fail(
        new MalformedFrameError(`netstring payload of ${bytesText(n)} is followed by ${hexByte(trailer)}, not ',' (0x2c)`),
      );
    }
    this.wire = -1;
    buffer.skip(this.headLength);
    const frame = buffer.take(wire - 1 - this.headLength);
    buffer.skip(1);
    return frame;
  }

  end(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    const n = buffer.length;
    if (n === 0) return undefined;
    throw this.fail(
      new TruncatedFrameError(
        n,
        this.wire < 0
          ? `stream ended inside a netstring length (${bytesText(n)} received, no ':' yet)`
          : `stream ended inside a netstring (${n} of ${bytesText(this.wire)} received)`,
      ),
    );
  }

  // The error for bytes 0..i of a length, `what` being at byte `at`.
  private malformed(buffer: ChunkBuffer, i: number, what: string, at = i): MalformedHeaderError {
    return new MalformedHeaderError(
      `netstring length ${escapeBytes(buffer.peek(0, i + 1))} has ${what} at byte ${at}: ` +
        'expected decimal digits without leading zeros, then \':\'',
    );
  }

  private tooLarge(buffer: ChunkBuffer, i: number, value: number): FrameTooLargeError {
    const digits = buffer.peek(0, i + 1);
    const declared = Number.isSafeInteger(value) ? value : exactDigits(digits);
    return new FrameTooLargeError(
      declared,
      this.max,
      `netstring length ${escapeBytes(digits)} already declares ${bytesText(declared)}, over the maximum ` +
        `frame length of ${bytesText(this.max)}`,
    );
  }

  private fail(error: FramingError): FramingError {
    this.failed = error;
    return error;
  }
}

class NetstringEncoder implements FrameEncoder {
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  encode(payload: Uint8Array): Uint8Array[] {
    checkPayload(payload, 'netstring');
    const n = payload.length;
    if (n > this.max) {
      throw new FrameTooLargeError(
        n,
        this.max,
        `netstring cannot encode a payload of ${bytesText(n)}, over the maximum frame length of ${bytesText(this.max)}`,
      );
    }
    let digits = 1;
    for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
    const header = new Uint8Array(digits + 1);
    for (let k = digits - 1, v = n; k >= 0; k--, v = Math.floor(v / 10)) header[k] = ZERO + (v % 10);
    header[digits] = COLON;
    return [header, payload, TRAILER];
  }
}

// An idle decoder and encoder, kept so that V8 keeps their optimized code (keepWarm, from @framewire/chunk-buffer).
const idle = netstring();
keepWarm(idle.createDecoder(), idle.createEncoder());
