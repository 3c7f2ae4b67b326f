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
import { checkOptionsObject, checkPayload, hexByte } from './shared.js';

// POW7[i] = 2^(7i): the weight of the i-th 7-bit group (exact as doubles up to i = 9).
const POW7: readonly number[] = Array.from({ length: 10 }, (_, i) => 2 ** (7 * i));

/** Bytes in the canonical unsigned LEB128 encoding of `value` (1 for 0). */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    n++;
  }
  return n;
}

/**
 * An unsigned LEB128 varint length, then the payload: protobuf's length-delimited format
 * (`writeDelimitedTo` / `parseDelimitedFrom` in Java, `encodeDelimited` / `decodeDelimited`
 * in protobuf.js). Each varint byte carries 7 bits of the length, least significant group
 * first; the high bit says "more bytes follow". The encoder writes the canonical (shortest)
 * form. The diagrams are checked by tests of the same name in `varint.test.ts`.
 *
 * ```text
 * varint: 300-byte payload behind a 2-byte varint
 *
 *   BEFORE DECODE (302 bytes)                  AFTER DECODE (300 bytes)
 *   +--------+---------------------+           +---------------------+
 *   | Length | Payload (300 bytes) |  -------> | Payload (300 bytes) |
 *   | AC 02  |                     |           |                     |
 *   +--------+---------------------+           +---------------------+
 *     AC = 1|0101100 (more; low bits 44), 02 = 0|0000010 (last; 2 × 128): 44 + 256 = 300
 *
 * varint: lengths up to 127 take one byte
 *
 *   BEFORE DECODE (3 bytes)                    AFTER DECODE (2 bytes)
 *   +--------+---------+                       +---------+
 *   | Length | Payload |  -------------------> | Payload |
 *   | 02     | "hi"    |                       | "hi"    |
 *   +--------+---------+                       +---------+
 * ```
 *
 * Decoding rules, with `N` = the length in bytes of the limit's own encoding (for the 8 MiB
 * default, N = 4):
 * - varints of up to N bytes are accepted, including non-canonical ones padded with `0x80`
 *   bytes (`82 00` = 2) as protobuf parsers accept them; a value over the limit is
 *   `ERR_FRAME_TOO_LARGE`;
 * - a varint that goes on past N bytes is rejected when its byte N + 1 arrives, without
 *   reading further: `ERR_FRAME_TOO_LARGE` if that byte carries value bits (the length is
 *   at least 2^(7N), over the limit), `ERR_MALFORMED_HEADER` if it carries none (zero
 *   padding past any length the limit allows). Since N is at most 8, a varint over 10
 *   bytes (which protobuf rejects) is always rejected by this rule first.
 *
 * The header is parsed as its bytes arrive and its progress is kept, so a varint split
 * at any byte is read once and correctly. Zero-length frames (`00`) are legal.
 *
 * Errors: `ERR_FRAME_TOO_LARGE` (declared length over the limit, raised as soon as the
 * header shows it, before any payload is buffered; the encoder raises it for a payload over
 * the limit), `ERR_MALFORMED_HEADER` (see above), `ERR_TRUNCATED_FRAME` from `end()`. All
 * decoding errors are unrecoverable; the decoder rethrows the same error on later calls.
 *
 * Security: one connection holds at most `maxWireLength` = N + `maxFrameLength` bytes.
 *
 * @throws RangeError for an invalid `maxFrameLength`.
 */
export function varint(options?: FramingOptions): FramingStrategy {
  checkOptionsObject(options, 'varint');
  return new VarintStrategy(resolveMaxFrameLength(options?.maxFrameLength));
}

class VarintStrategy implements FramingStrategy {
  readonly name = 'varint';
  readonly maxFrameLength: number;
  readonly maxWireLength: number;
  /** Bytes in the encoding of maxFrameLength: the longest varint the decoder reads. */
  readonly #maxHeader: number;

  constructor(maxFrameLength: number) {
    this.maxFrameLength = maxFrameLength;
    this.#maxHeader = varintLength(maxFrameLength);
    this.maxWireLength = this.#maxHeader + maxFrameLength;
    Object.freeze(this);
  }

  createDecoder(): FrameDecoder {
    return new VarintDecoder(this.maxFrameLength, this.#maxHeader);
  }

  createEncoder(): FrameEncoder {
    return new VarintEncoder(this.maxFrameLength);
  }
}

class VarintDecoder implements FrameDecoder {
  private readonly max: number;
  private readonly maxHeader: number;
  // Head state: how many varint bytes were read so far and the value they hold, so bytes
  // of a split varint are never read twice.
  private headBytes = 0;
  private value = 0;
  // -1 while reading the varint; else the wire length (varint + payload) of the frame.
  private wire = -1;
  // The unrecoverable error that ended this stream, rethrown by every later call.
  private failed: FramingError | undefined;

  constructor(max: number, maxHeader: number) {
    this.max = max;
    this.maxHeader = maxHeader;
  }

  decode(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    let wire = this.wire;
    if (wire < 0) {
      // Fast path: a one-byte varint (a length up to 127) at the front.
      const first = this.headBytes === 0 && buffer.length !== 0 ? buffer.byteAt(0) : -1;
      if (first >= 0 && first <= this.max && first < 0x80) {
        this.headBytes = 1;
        wire = first + 1;
      } else {
        wire = this.readVarint(buffer, first);
        if (wire < 0) return undefined;
      }
    }
    if (buffer.length < wire) {
      this.wire = wire;
      return undefined;
    }
    const head = this.headBytes;
    this.wire = -1;
    this.headBytes = 0;
    buffer.skip(head);
    return buffer.take(wire - head);
  }

  /**
   * Reads the varint on from where the last call stopped; `first` is its first byte when the
   * caller has read it already, else -1. Returns the frame's wire length (varint + payload),
   * or -1 when the buffer ends inside the varint (its progress kept).
   */
  private readVarint(buffer: ChunkBuffer, first: number): number {
    const available = buffer.length;
    let i = this.headBytes;
    let value = this.value;
    for (;;) {
      if (i === available) {
        this.headBytes = i;
        this.value = value;
        return -1;
      }
      const b = i === 0 && first >= 0 ? first : buffer.byteAt(i);
      if (i === this.maxHeader) throw this.fail(this.overlong(buffer, i, b, value));
      value += (b & 0x7f) * POW7[i]!;
      i++;
      if (b < 0x80) break;
      // More bytes to come, which may add nothing (`00`): the length is at least `value` now.
      if (value > this.max) throw this.fail(this.tooLarge(buffer, i, value, true));
    }
    if (value > this.max) throw this.fail(this.tooLarge(buffer, i, value, false));
    this.headBytes = i;
    this.value = 0;
    return i + value;
  }

  end(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    const n = buffer.length;
    if (n === 0) return undefined;
    throw this.fail(
      new TruncatedFrameError(
        n,
        this.wire < 0
          ? `stream ended inside a varint header (${bytesText(n)} received, the last with the continuation bit set)`
          : `stream ended inside a varint frame (${n} of ${bytesText(this.wire)} received)`,
      ),
    );
  }

  /** The error for a varint that goes on past `maxHeader` bytes; `b` is its byte at index `i`. */
  private overlong(buffer: ChunkBuffer, i: number, b: number, valueSoFar: number): FramingError {
    // Value bits past the longest varint the limit allows: the length is at least 2^(7N).
    if ((b & 0x7f) !== 0) return this.tooLarge(buffer, i + 1, (b & 0x7f) * POW7[i]! + valueSoFar, true);
    const shown = Array.from(buffer.peek(0, i + 1), hexByte).join(' ');
    return new MalformedHeaderError(
      `varint header (${shown}…) is longer than the ${bytesText(this.maxHeader)} any length up to the maximum frame length ` +
        `of ${this.max} needs, and byte ${i + 1} carries no value bits: zero padding is not a length`,
    );
  }

  /**
   * The error for a length over the limit that the varint's first `n` bytes hold: the whole
   * varint, or (`continued`) its bytes so far, which make the length at least `value`. Exact
   * (a bigint) past 2^53.
   */
  private tooLarge(buffer: ChunkBuffer, n: number, value: number, continued: boolean): FrameTooLargeError {
    const head = buffer.peek(0, n);
    let declared: number | bigint = value;
    if (!Number.isSafeInteger(value)) {
      declared = 0n;
      for (let k = n - 1; k >= 0; k--) declared = (declared << 7n) | BigInt(head[k]! & 0x7f);
    }
    const what = continued
      ? `varint header (${Array.from(head, hexByte).join(' ')}…) declares a frame of at least ${bytesText(declared)}`
      : `varint header declares a frame of ${bytesText(declared)}`;
    return new FrameTooLargeError(declared, this.max, `${what}, over the maximum frame length of ${bytesText(this.max)}`);
  }

  private fail(error: FramingError): FramingError {
    this.failed = error;
    return error;
  }
}

class VarintEncoder implements FrameEncoder {
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  encode(payload: Uint8Array): Uint8Array[] {
    checkPayload(payload, 'varint');
    let n = payload.length;
    if (n > this.max) {
      throw new FrameTooLargeError(
        n,
        this.max,
        `varint cannot encode a payload of ${bytesText(n)}, over the maximum frame length of ${bytesText(this.max)}`,
      );
    }
    const header = new Uint8Array(varintLength(n));
    let i = 0;
    while (n >= 0x80) {
      // `& 0x7f` is exact for any safe integer: it keeps the low bits of n mod 2^32.
      header[i++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 0x80);
    }
    header[i] = n;
    return [header, payload];
  }
}

// An idle decoder and encoder, kept so that V8 keeps their optimized code (keepWarm, from @framewire/chunk-buffer).
const idle = varint();
keepWarm(idle.createDecoder(), idle.createEncoder());
