import {
  FrameTooLargeError,
  MalformedHeaderError,
  TruncatedFrameError,
  UnencodablePayloadError,
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
  ReadMemory,
} from '@framewire/chunk-buffer';
// frame-reads.ts imports this module too: each uses the other only inside functions.
import { frameReads } from './frame-reads.js';
import { booleanOption, checkOptionsObject, checkPayload, describe, integerOption } from './shared.js';

/** Widths, in bytes, a binary length field can have. */
export type LengthFieldLength = 1 | 2 | 3 | 4 | 8;

/** Byte order of a binary length field. */
export type ByteOrder = 'big' | 'little';

/**
 * Options of {@link lengthPrefix}. The names are those of Netty's
 * `LengthFieldBasedFrameDecoder` and tokio's `length_delimited::Builder`.
 *
 * Vocabulary used below:
 * - the **header** is the `lengthFieldOffset` bytes before the length field plus the length
 *   field itself (`headerLength = lengthFieldOffset + lengthFieldLength`);
 * - the **content** is everything after the header (what the encoder is given);
 * - the **frame** is what the decoder returns: the wire bytes after the first
 *   `bytesToStrip` bytes. With the defaults the frame is the content is the payload.
 */
export interface LengthPrefixOptions extends FramingOptions {
  /**
   * Width of the length field in bytes: 1, 2, 3, 4 or 8. An 8-byte length is read exactly
   * (as a bigint when needed), so a huge declared length is `ERR_FRAME_TOO_LARGE`, never a
   * wrapped-around small number. Applies to both. Defaults to `4`.
   */
  lengthFieldLength?: LengthFieldLength;
  /** Byte order of the length field. Ignored for 1-byte fields. Applies to both. Defaults to `'big'`. */
  byteOrder?: ByteOrder;
  /**
   * Number of bytes before the length field (a protocol's own header bytes: magic, type,
   * flags). They are part of the header. Applies to decoding: the encoder cannot invent
   * those bytes, so `createEncoder()` throws a `TypeError` when this is not 0 (write the
   * header yourself). Defaults to `0`.
   */
  lengthFieldOffset?: number;
  /**
   * Added to the value of the length field to get the number of content bytes after the
   * header (Netty's decoder semantics; may be negative). tokio's `length_adjustment` counts
   * from where `num_skip` stops instead: with `bytesToStrip` smaller than the header, this is
   * tokio's value minus the header bytes kept (`headerLength - bytesToStrip`). The encoder
   * applies the inverse: it writes `content.length - lengthAdjustment` (plus the header
   * length with `lengthIncludesHeader`), and refuses content for which that is negative with
   * `ERR_UNENCODABLE_PAYLOAD`. Applies to both. Defaults to `0`.
   */
  lengthAdjustment?: number;
  /**
   * The length field counts the whole header as well as the content (Netty's
   * `lengthIncludesLengthFieldLength`, Twisted's `prefixLength` included). Equivalent to
   * a `lengthAdjustment` of minus the header length, and combinable with it.
   * Applies to both. Defaults to `false`.
   */
  lengthIncludesHeader?: boolean;
  /**
   * Number of header bytes removed from the front of each frame the decoder returns, from 0
   * to the header length (Netty's `initialBytesToStrip` and tokio's `num_skip` may go on into
   * the content; strip those bytes from each frame yourself). Applies to decoding (the
   * encoder always writes the whole header; with a smaller value, decoding an encoded payload
   * returns the kept header bytes too).
   * Defaults to the header length: frames are content only, like tokio's default.
   */
  bytesToStrip?: number;
  /**
   * Largest frame, in bytes, the decoder returns and the encoder produces, checked on the
   * final frame: after `lengthAdjustment` and `bytesToStrip` (with the defaults, the
   * payload). If the length field cannot express that much, the field's own maximum is the
   * effective limit (255 for `u8`, 65,535 for `u16be`), reported by the strategy's
   * `maxFrameLength`. Applies to both. Defaults to `DEFAULT_MAX_FRAME_LENGTH` (8 MiB).
   */
  maxFrameLength?: number;
}

/** The validated, frozen configuration of one {@link lengthPrefix} strategy. */
export interface LengthPrefixConfig {
  readonly name: string;
  readonly lengthFieldLength: LengthFieldLength;
  readonly littleEndian: boolean;
  readonly lengthFieldOffset: number;
  readonly lengthAdjustment: number;
  readonly lengthIncludesHeader: boolean;
  readonly bytesToStrip: number;
  readonly headerLength: number;
  /** Subtracted from the field value along with adding lengthAdjustment: header length or 0. */
  readonly includedHeader: number;
  /** Effective limit on the frame: min(maxFrameLength option, what the field can express). */
  readonly maxFrameLength: number;
  /** The maxFrameLength option as given (or its default), for error messages. */
  readonly requestedMaxFrameLength: number;
  /** Largest value the length field can hold; Infinity for 8-byte fields (beyond safe integers). */
  readonly fieldMax: number;
}

const FIELD_LENGTHS: readonly number[] = [1, 2, 3, 4, 8];
const TWO_POW_32 = 4294967296;
// An 8-byte field whose high 32 bits reach this holds a value of 2^53 or more.
const UNSAFE_HIGH_WORD = 0x200000;

/**
 * A binary length prefix: an unsigned integer of 1, 2, 3, 4 or 8 bytes, big- or
 * little-endian, announcing the length of what follows. The defaults (4-byte big-endian
 * length of the payload alone, header stripped) are wire-compatible with Netty's
 * `LengthFieldPrepender(4)` + `LengthFieldBasedFrameDecoder(max, 0, 4, 0, 4)`, tokio's
 * `LengthDelimitedCodec::new()` and Twisted's `Int32StringReceiver`. The presets
 * (`u8`, `u16be` … `u64le`) are this with `lengthFieldLength` and `byteOrder` set.
 *
 * How the decoder reads a frame: it waits for the header, reads the length field value `V`
 * once, computes the content length `V + lengthAdjustment` (minus the header length when
 * `lengthIncludesHeader`), checks the frame length against `maxFrameLength`, then waits
 * until the whole frame has arrived and takes it (a view, no copy, when it lies in one
 * chunk). It never allocates by the declared length: memory grows only with the bytes that
 * actually arrive.
 *
 * How the encoder writes one: it is given the content, writes the length field
 * (`content.length - lengthAdjustment`, plus the header length when
 * `lengthIncludesHeader`) and returns `[lengthField, content]`. It cannot write the bytes
 * before a length field, so with `lengthFieldOffset > 0` `createEncoder()` throws.
 *
 * Zero-length frames are legal: a length of 0 yields an empty frame.
 *
 * The diagrams below are each checked by a test of the same name in `length-prefix.test.ts`.
 *
 * ```text
 * defaults (u32be): 4-byte length of the payload, header stripped
 *
 *   BEFORE DECODE (16 bytes)                      AFTER DECODE (12 bytes)
 *   +-------------+----------------+              +----------------+
 *   | Length      | Payload        |  ----------> | Payload        |
 *   | 00 00 00 0C | "HELLO, WORLD" |              | "HELLO, WORLD" |
 *   +-------------+----------------+              +----------------+
 *
 * u16le: 2-byte little-endian length
 *
 *   BEFORE DECODE (14 bytes)                      AFTER DECODE (12 bytes)
 *   +--------+----------------+                   +----------------+
 *   | Length | Payload        |  ---------------> | Payload        |
 *   | 0C 00  | "HELLO, WORLD" |                   | "HELLO, WORLD" |
 *   +--------+----------------+                   +----------------+
 *
 * bytesToStrip 0: the length field stays in the frame
 *   lengthFieldLength = 2, bytesToStrip = 0
 *
 *   BEFORE DECODE (14 bytes)                      AFTER DECODE (14 bytes)
 *   +--------+----------------+                   +--------+----------------+
 *   | Length | Payload        |  ---------------> | Length | Payload        |
 *   | 00 0C  | "HELLO, WORLD" |                   | 00 0C  | "HELLO, WORLD" |
 *   +--------+----------------+                   +--------+----------------+
 *
 * lengthIncludesHeader: the length counts its own 2 bytes
 *   lengthFieldLength = 2, lengthIncludesHeader = true
 *
 *   BEFORE DECODE (14 bytes)                      AFTER DECODE (12 bytes)
 *   +--------+----------------+                   +----------------+
 *   | Length | Payload        |  ---------------> | Payload        |
 *   | 00 0E  | "HELLO, WORLD" |                   | "HELLO, WORLD" |
 *   +--------+----------------+                   +----------------+
 *
 * lengthFieldOffset 2: a 3-byte length after 2 bytes of another header (decode only)
 *   lengthFieldOffset = 2, lengthFieldLength = 3, bytesToStrip = 0
 *
 *   BEFORE DECODE (17 bytes)                      AFTER DECODE (17 bytes)
 *   +----------+----------+----------------+      +----------+----------+----------------+
 *   | Header 1 | Length   | Payload        | ---> | Header 1 | Length   | Payload        |
 *   | CA FE    | 00 00 0C | "HELLO, WORLD" |      | CA FE    | 00 00 0C | "HELLO, WORLD" |
 *   +----------+----------+----------------+      +----------+----------+----------------+
 *
 * lengthAdjustment 2: 2 more bytes follow the length than it counts
 *   lengthFieldLength = 3, lengthAdjustment = 2, bytesToStrip = 0
 *
 *   BEFORE DECODE (17 bytes)                      AFTER DECODE (17 bytes)
 *   +----------+----------+----------------+      +----------+----------+----------------+
 *   | Length   | Header 1 | Payload        | ---> | Length   | Header 1 | Payload        |
 *   | 00 00 0C | CA FE    | "HELLO, WORLD" |      | 00 00 0C | CA FE    | "HELLO, WORLD" |
 *   +----------+----------+----------------+      +----------+----------+----------------+
 *
 * offset 1, adjustment 1, strip 3: keep only what follows the length field
 *   lengthFieldOffset = 1, lengthFieldLength = 2, lengthAdjustment = 1, bytesToStrip = 3
 *
 *   BEFORE DECODE (16 bytes)                      AFTER DECODE (13 bytes)
 *   +------+--------+------+----------------+     +------+----------------+
 *   | HDR1 | Length | HDR2 | Payload        | --> | HDR2 | Payload        |
 *   | CA   | 00 0C  | FE   | "HELLO, WORLD" |     | FE   | "HELLO, WORLD" |
 *   +------+--------+------+----------------+     +------+----------------+
 *
 * offset 1, length counts the whole frame, strip 3
 *   lengthFieldOffset = 1, lengthFieldLength = 2, lengthIncludesHeader = true, bytesToStrip = 3
 *
 *   BEFORE DECODE (16 bytes)                      AFTER DECODE (13 bytes)
 *   +------+--------+------+----------------+     +------+----------------+
 *   | HDR1 | Length | HDR2 | Payload        | --> | HDR2 | Payload        |
 *   | CA   | 00 10  | FE   | "HELLO, WORLD" |     | FE   | "HELLO, WORLD" |
 *   +------+--------+------+----------------+     +------+----------------+
 * ```
 *
 * Errors (codes of the `FramingError` family from `@framewire/chunk-buffer`):
 * - `ERR_FRAME_TOO_LARGE` — decoding: the header declares a frame over `maxFrameLength`,
 *   raised as soon as the header is read, before any of the frame is buffered; encoding: the
 *   payload is over `maxFrameLength` or does not fit the length field (70,000 bytes on
 *   `u16be`) — the length is never truncated.
 * - `ERR_MALFORMED_HEADER` — the length field with `lengthAdjustment` /
 *   `lengthIncludesHeader` gives a negative content length.
 * - `ERR_UNENCODABLE_PAYLOAD` — encoding content too short for the length field to count: shorter than
 *   `lengthAdjustment` (less the header length with `lengthIncludesHeader`).
 * - `ERR_TRUNCATED_FRAME` — `end()` with part of a header or frame left.
 * All decoding errors are unrecoverable (a length prefix cannot find the next frame): the
 * decoder rethrows the same error on every later call without reading the buffer again.
 *
 * Security: the limit bounds the memory one connection can make the decoder hold to
 * `maxWireLength` (= `bytesToStrip + maxFrameLength`). Keep it no larger than you need.
 *
 * @throws RangeError / TypeError for invalid options, naming the option and the value.
 */
export function lengthPrefix(options?: LengthPrefixOptions): FramingStrategy {
  return new LengthPrefixStrategy(resolveConfig(options));
}

function resolveConfig(options: LengthPrefixOptions | undefined): LengthPrefixConfig {
  checkOptionsObject(options, 'lengthPrefix');
  const o: LengthPrefixOptions = options ?? {};
  const width: unknown = o.lengthFieldLength ?? 4;
  if (typeof width !== 'number' || !FIELD_LENGTHS.includes(width)) {
    throw new RangeError(`lengthFieldLength must be 1, 2, 3, 4 or 8 (got ${describe(width)})`);
  }
  const lengthFieldLength = width as LengthFieldLength;
  const byteOrder: unknown = o.byteOrder ?? 'big';
  if (byteOrder !== 'big' && byteOrder !== 'little') {
    throw new RangeError(`byteOrder must be 'big' or 'little' (got ${describe(byteOrder)})`);
  }
  const lengthFieldOffset = integerOption('lengthFieldOffset', o.lengthFieldOffset, 0, 0);
  const lengthAdjustment = integerOption(
    'lengthAdjustment',
    o.lengthAdjustment,
    0,
    Number.MIN_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
    'a safe integer',
  );
  const lengthIncludesHeader = booleanOption('lengthIncludesHeader', o.lengthIncludesHeader, false);
  const headerLength = lengthFieldOffset + lengthFieldLength;
  if (!Number.isSafeInteger(headerLength)) {
    throw new RangeError(`lengthFieldOffset is too large (got ${lengthFieldOffset})`);
  }
  const bytesToStrip = integerOption(
    'bytesToStrip',
    o.bytesToStrip,
    headerLength,
    0,
    headerLength,
    `an integer from 0 to the header length ${headerLength}`,
  );
  const requested = resolveMaxFrameLength(o.maxFrameLength);
  const includedHeader = lengthIncludesHeader ? headerLength : 0;
  const kept = headerLength - bytesToStrip;
  const fieldMax = lengthFieldLength === 8 ? Infinity : 2 ** (8 * lengthFieldLength) - 1;
  // The largest content the field can express, and so the largest frame.
  const maxContent = fieldMax + lengthAdjustment - includedHeader;
  const name = strategyName(lengthFieldLength, byteOrder, o, lengthFieldOffset, lengthAdjustment, bytesToStrip, headerLength);
  if (maxContent < 0) {
    throw new RangeError(
      `${name}: a ${lengthFieldLength}-byte length field cannot express any frame with lengthAdjustment ${lengthAdjustment}` +
        (lengthIncludesHeader ? ` and lengthIncludesHeader (header of ${bytesText(headerLength)})` : ''),
    );
  }
  const maxFrameLength = Math.min(requested, kept + maxContent);
  if (maxFrameLength < kept) {
    throw new RangeError(
      `maxFrameLength ${requested} is smaller than the ${bytesText(kept, 'header ')} every ${name} frame keeps (bytesToStrip ${bytesToStrip})`,
    );
  }
  return Object.freeze({
    name,
    lengthFieldLength,
    littleEndian: byteOrder === 'little',
    lengthFieldOffset,
    lengthAdjustment,
    lengthIncludesHeader,
    bytesToStrip,
    headerLength,
    includedHeader,
    maxFrameLength,
    requestedMaxFrameLength: requested,
    fieldMax,
  });
}

/**
 * `u8`, `u16be` … `u64le` for the plain layouts; other layouts add their non-default options:
 * `u16be(lengthFieldOffset=1,lengthAdjustment=1)`.
 */
function strategyName(
  width: LengthFieldLength,
  byteOrder: ByteOrder,
  o: LengthPrefixOptions,
  offset: number,
  adjustment: number,
  strip: number,
  headerLength: number,
): string {
  const base = width === 1 ? 'u8' : `u${8 * width}${byteOrder === 'big' ? 'be' : 'le'}`;
  const extras: string[] = [];
  if (offset !== 0) extras.push(`lengthFieldOffset=${offset}`);
  if (adjustment !== 0) extras.push(`lengthAdjustment=${adjustment}`);
  if (o.lengthIncludesHeader === true) extras.push('lengthIncludesHeader');
  if (strip !== headerLength) extras.push(`bytesToStrip=${strip}`);
  return extras.length === 0 ? base : `${base}(${extras.join(',')})`;
}

export class LengthPrefixStrategy implements FramingStrategy {
  readonly name: string;
  readonly maxFrameLength: number;
  readonly maxWireLength: number;
  readonly #config: LengthPrefixConfig;

  constructor(config: LengthPrefixConfig) {
    this.#config = config;
    this.name = config.name;
    this.maxFrameLength = config.maxFrameLength;
    this.maxWireLength = config.bytesToStrip + config.maxFrameLength;
    Object.freeze(this);
  }

  /** The configuration of a {@link lengthPrefix} strategy; undefined for any other value. */
  static configOf(strategy: unknown): LengthPrefixConfig | undefined {
    // A brand check, not instanceof: an object that merely inherits from a strategy
    // (Object.create(u32be())) has no #config of its own.
    return typeof strategy === 'object' && strategy !== null && #config in strategy ? strategy.#config : undefined;
  }

  createDecoder(): FrameDecoder {
    return new LengthPrefixDecoder(this.#config);
  }

  /**
   * `frameReads(this)` with its defaults, when frames are the payload alone (`bytesToStrip`
   * equal to the header length, the default); `undefined` otherwise. `decodeFramesAsync` hands
   * it to a source that reads into memory it is given (a `@framewire/transport` client
   * connection), so that frames of 64 KiB or more are read into memory of their own and
   * yielded with no copy.
   */
  createReadMemory(): ReadMemory | undefined {
    const c = this.#config;
    return c.bytesToStrip === c.headerLength ? frameReads(this) : undefined;
  }

  createEncoder(): FrameEncoder {
    const c = this.#config;
    if (c.lengthFieldOffset !== 0) {
      throw new TypeError(
        `${c.name} cannot encode: the bytes before the length field (lengthFieldOffset ${c.lengthFieldOffset}) belong to ` +
          'your protocol and the encoder cannot invent them; this configuration is decode-only',
      );
    }
    return new LengthPrefixEncoder(c);
  }
}

class LengthPrefixDecoder implements FrameDecoder {
  // Config copied into own fields: the hot path reads them on every frame.
  private readonly name: string;
  private readonly width: LengthFieldLength;
  private readonly littleEndian: boolean;
  private readonly offset: number;
  private readonly headerLength: number;
  private readonly strip: number;
  // lengthAdjustment minus the included header: content = field value + delta. Not exact when
  // lengthIncludesHeader takes a lengthAdjustment near -2^53 below -(2^53 - 1); only a field of
  // 2^53 or more can then give a content length of 0 or more, and that path (and the error
  // messages) use exactDelta().
  private readonly delta: number;
  private readonly adjustment: number;
  private readonly includedHeader: number;
  private readonly max: number;
  // The largest content length within the limit: frame = headerLength - strip + content.
  private readonly maxContent: number;
  // The default layout: a 4-byte big-endian field at offset 0.
  private readonly plainU32: boolean;
  // -1 while waiting for a header (state Head); else the wire length of the frame whose
  // header was parsed (state Data), so a header is read once however the bytes arrive.
  private wire = -1;
  // The unrecoverable error that ended this stream, rethrown by every later call.
  private failed: FramingError | undefined;

  constructor(c: LengthPrefixConfig) {
    this.name = c.name;
    this.width = c.lengthFieldLength;
    this.littleEndian = c.littleEndian;
    this.offset = c.lengthFieldOffset;
    this.headerLength = c.headerLength;
    this.strip = c.bytesToStrip;
    this.delta = c.lengthAdjustment - c.includedHeader;
    this.adjustment = c.lengthAdjustment;
    this.includedHeader = c.includedHeader;
    this.max = c.maxFrameLength;
    this.maxContent = c.maxFrameLength - (c.headerLength - c.bytesToStrip);
    this.plainU32 = c.lengthFieldLength === 4 && !c.littleEndian && c.lengthFieldOffset === 0;
  }

  decode(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    let wire = this.wire;
    if (wire < 0) {
      if (buffer.length < this.headerLength) return undefined;
      // The default layout (4-byte big-endian field first) reads straight from the buffer.
      const value = this.plainU32 ? buffer.readUint32BE(0) : readLengthField(buffer, this.width, this.offset, this.littleEndian);
      const content = value + this.delta;
      if (value < 0 || content < 0 || content > this.maxContent) return this.badHeader(buffer, value);
      wire = this.headerLength + content;
    }
    if (buffer.length < wire) {
      this.wire = wire;
      return undefined;
    }
    this.wire = -1;
    const strip = this.strip;
    if (strip !== 0) buffer.skip(strip);
    return buffer.take(wire - strip);
  }

  end(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    const n = buffer.length;
    if (n === 0) return undefined;
    throw this.fail(
      new TruncatedFrameError(
        n,
        this.wire < 0
          ? `stream ended inside a ${this.name} header (${n} of ${bytesText(this.headerLength)} received)`
          : `stream ended inside a ${this.name} frame (${n} of ${bytesText(this.wire)} received)`,
      ),
    );
  }

  /**
   * A length that is negative after adjustment, over the limit, or too large for a number:
   * throws the error (and keeps it). Only an 8-byte field of 2^53 or more brought back under
   * the limit by a lengthAdjustment near -2^53 passes: decoding then goes on.
   */
  private badHeader(buffer: ChunkBuffer, value: number): Uint8Array | undefined {
    if (value < 0) {
      this.wire = this.hugeHeader(readHugeLengthField(buffer, this.offset, this.littleEndian));
      return this.decode(buffer);
    }
    const content = value + this.delta;
    if (content < 0) throw this.fail(this.negativeLength(value));
    const frame = this.headerLength - this.strip + content;
    // A lengthAdjustment near 2^53 takes the frame length past 2^53: reported exactly, as a bigint.
    const declared = Number.isSafeInteger(frame) ? frame : BigInt(this.headerLength - this.strip) + BigInt(value) + this.exactDelta();
    throw this.fail(this.tooLarge(declared));
  }

  /** lengthAdjustment minus the included header, exactly (see `delta`). */
  private exactDelta(): bigint {
    return BigInt(this.adjustment) - BigInt(this.includedHeader);
  }

  /** An 8-byte length of 2^53 or more: exact arithmetic in bigint. */
  private hugeHeader(value: bigint): number {
    const content = value + this.exactDelta();
    if (content < 0n) throw this.fail(this.negativeLength(value));
    const frame = BigInt(this.headerLength - this.strip) + content;
    // Only a lengthAdjustment near -2^53 brings such a value back under the limit.
    if (frame > BigInt(this.max)) throw this.fail(this.tooLarge(frame));
    return this.headerLength + Number(content);
  }

  private negativeLength(value: number | bigint): MalformedHeaderError {
    const delta = this.exactDelta();
    return new MalformedHeaderError(
      `${this.name} length field holds ${value}, which leaves ${BigInt(value) + delta} content bytes ` +
        `after lengthAdjustment/lengthIncludesHeader (${delta >= 0n ? '+' : ''}${delta}); a length cannot be negative`,
    );
  }

  private tooLarge(frame: number | bigint): FrameTooLargeError {
    return new FrameTooLargeError(
      frame,
      this.max,
      `${this.name} header declares a frame of ${bytesText(frame)}, over the maximum frame length of ${bytesText(this.max)}`,
    );
  }

  private fail(error: FramingError): FramingError {
    this.failed = error;
    return error;
  }
}

class LengthPrefixEncoder implements FrameEncoder {
  private readonly c: LengthPrefixConfig;
  // Content bytes the header adds to the frame the decoder returns (header minus strip).
  private readonly kept: number;
  // field value = content length - lengthAdjustment + included header.
  private readonly inverseDelta: number;

  constructor(c: LengthPrefixConfig) {
    this.c = c;
    this.kept = c.headerLength - c.bytesToStrip;
    this.inverseDelta = c.includedHeader - c.lengthAdjustment;
  }

  encode(payload: Uint8Array): Uint8Array[] {
    const c = this.c;
    checkPayload(payload, c.name);
    const n = payload.length;
    const frame = this.kept + n;
    if (frame > c.maxFrameLength) throw this.tooLarge(n, frame);
    const value = n + this.inverseDelta;
    if (value < 0) {
      throw new UnencodablePayloadError(
        `${c.name} cannot encode ${bytesText(n)}: with lengthAdjustment ${c.lengthAdjustment}` +
          `${c.lengthIncludesHeader ? ' and lengthIncludesHeader' : ''} every frame has at least ${bytesText(n - value, 'content ')}`,
      );
    }
    const width = c.lengthFieldLength;
    const header = new Uint8Array(width);
    if (width === 8) {
      let high = Math.floor(value / TWO_POW_32);
      let low = value >>> 0;
      if (!Number.isSafeInteger(value)) {
        // A large negative lengthAdjustment takes the field past 2^53: exact in bigint (from the
        // options: inverseDelta itself is not exact past 2^53, with lengthIncludesHeader).
        const exact = BigInt(n) + BigInt(c.includedHeader) - BigInt(c.lengthAdjustment);
        high = Number(exact >> 32n);
        low = Number(exact & 0xffffffffn);
      }
      if (c.littleEndian) {
        writeUint(header, 0, 4, low, true);
        writeUint(header, 4, 4, high, true);
      } else {
        writeUint(header, 0, 4, high, false);
        writeUint(header, 4, 4, low, false);
      }
    } else {
      writeUint(header, 0, width, value, c.littleEndian);
    }
    return [header, payload];
  }

  private tooLarge(n: number, frame: number): FrameTooLargeError {
    const c = this.c;
    if (c.maxFrameLength < c.requestedMaxFrameLength) {
      // The field, not the option, is what limits: say so (tokio #5080 truncated the length instead).
      return new FrameTooLargeError(
        frame,
        c.maxFrameLength,
        `${c.name} cannot encode a payload of ${bytesText(n)}: its ${c.lengthFieldLength}-byte length field holds at most ` +
          `${c.fieldMax}, so frames are limited to ${bytesText(c.maxFrameLength)}`,
      );
    }
    return new FrameTooLargeError(
      frame,
      c.maxFrameLength,
      `${c.name} cannot encode a payload of ${bytesText(n)}: the frame would be ${bytesText(frame)}, over the maximum frame ` +
        `length of ${bytesText(c.maxFrameLength)}`,
    );
  }
}

/**
 * The value of a length field of `width` bytes at `at` in the buffer, or -1 for an 8-byte value
 * of 2^53 or more (not exact in a number; the decoder's `badHeader` deals with it in bigint).
 * Shared by the decoder and `frameReads`, so that both read a header alike.
 */
export function readLengthField(buffer: ChunkBuffer, width: LengthFieldLength, at: number, le: boolean): number {
  // Little-endian fields are read big-endian and byte-swapped: ChunkBuffer's big-endian reads
  // are its fastest path.
  switch (width) {
    case 4:
      return le ? swap32(buffer.readUint32BE(at)) : buffer.readUint32BE(at);
    case 1:
      return buffer.readUint8(at);
    case 2: {
      const value = buffer.readUint16BE(at);
      return le ? ((value & 0xff) << 8) | (value >>> 8) : value;
    }
    case 3: {
      const value = buffer.readUint24BE(at);
      return le ? ((value & 0xff) << 16) | (value & 0xff00) | (value >>> 16) : value;
    }
    case 8: {
      const high = le ? swap32(buffer.readUint32BE(at + 4)) : buffer.readUint32BE(at);
      const low = le ? swap32(buffer.readUint32BE(at)) : buffer.readUint32BE(at + 4);
      // Any length under 4 GiB is `low` itself. (high * 2^32 + low, computed unoptimized, is
      // a heap number even when small; stored in the buffer's offsets, it gives ChunkBuffer
      // another hidden class, which no idle instance keeps: see keepWarm.)
      if (high === 0) return low;
      return high >= UNSAFE_HIGH_WORD ? -1 : high * TWO_POW_32 + low;
    }
  }
}

/**
 * The 8-byte length field at `at`, exactly: for a value `readLengthField` gives as -1 (2^53 or
 * more). Shared by the decoder and `frameReads`, off their fast paths.
 */
export function readHugeLengthField(buffer: ChunkBuffer, at: number, le: boolean): bigint {
  const high = le ? swap32(buffer.readUint32BE(at + 4)) : buffer.readUint32BE(at);
  const low = le ? swap32(buffer.readUint32BE(at)) : buffer.readUint32BE(at + 4);
  return (BigInt(high) << 32n) | BigInt(low);
}

/** The 32-bit unsigned integer with its bytes in the opposite order. */
function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** Writes an unsigned integer of up to 4 bytes (value < 2^32). */
function writeUint(out: Uint8Array, at: number, width: number, value: number, littleEndian: boolean): void {
  let v = value >>> 0;
  if (littleEndian) {
    for (let k = 0; k < width; k++, v >>>= 8) out[at + k] = v & 0xff;
  } else {
    for (let k = width - 1; k >= 0; k--, v >>>= 8) out[at + k] = v & 0xff;
  }
}

// An idle decoder and encoder, kept so that V8 keeps their optimized code (keepWarm, from @framewire/chunk-buffer).
const idle = lengthPrefix();
keepWarm(idle.createDecoder(), idle.createEncoder());
