/**
 * The wire errors of framewire: one small family under {@link FramingError}, each with a
 * stable `code` that callers can switch on (Node style). Messages carry the numbers.
 *
 * @module
 */

/**
 * `1 byte`, `2 bytes`, for messages; `what` goes before the noun (`bytesText(1, 'header ')` is
 * `1 header byte`). The one the framewire packages use, for messages that count bytes.
 */
export function bytesText(n: number | bigint, what = ''): string {
  return `${n} ${what}byte${n === 1 || n === 1n ? '' : 's'}`;
}

/** Stable codes carried by every {@link FramingError}. */
export type FramingErrorCode =
  | 'ERR_FRAME_TOO_LARGE'
  | 'ERR_MALFORMED_HEADER'
  | 'ERR_MALFORMED_FRAME'
  | 'ERR_TRUNCATED_FRAME'
  | 'ERR_UNENCODABLE_PAYLOAD';

/** Options shared by every framing error. */
export interface FramingErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /**
   * True when the decoder has already dropped the offending bytes and may be called again
   * (a delimiter strategy resynchronising at the next delimiter). False when the stream
   * cannot be trusted any more (a length prefix lost its place). Defaults to `false`.
   */
  recoverable?: boolean;
}

// Marks the errors of every copy of this package. An application can end up with two copies
// side by side (npm nests one under `@framewire/footer` when the application's own copy is out
// of footer's range): the strategies then throw the errors of one copy and the `Deframer` of the
// other checks them, and a plain `instanceof` would fail across the two.
const BRAND = Symbol.for('@framewire/chunk-buffer FramingError');

/**
 * Base class of every error a framing strategy or the decode loop raises on bad input.
 *
 * `instanceof` (and {@link isFramingError}) also recognise the errors of another copy of
 * `@framewire/chunk-buffer` installed next to this one: `error instanceof FrameTooLargeError`
 * holds for any copy's `FrameTooLargeError`, so a strategy from a package that brought its own
 * copy still has its recoverable errors recovered from.
 */
export abstract class FramingError extends Error {
  /**
   * `value instanceof C`: an instance of `C` by its prototype chain, or a `FramingError` of
   * another copy of this package with a class of `C`'s name in its chain.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null || (value as { [BRAND]?: unknown })[BRAND] !== true) return false;
    for (let proto: unknown = Object.getPrototypeOf(value); proto !== null && typeof proto === 'object'; proto = Object.getPrototypeOf(proto)) {
      const ctor = (proto as { constructor?: unknown }).constructor;
      if (typeof ctor === 'function' && ctor.name === this.name) return true;
    }
    return false;
  }

  /** The stable, machine-readable code. */
  abstract readonly code: FramingErrorCode;
  /**
   * Whether decoding may go on after this error: the bad frame was discarded and the
   * decoder is back in sync. See {@link FramingErrorOptions.recoverable}.
   */
  readonly recoverable: boolean;

  constructor(message: string, options: FramingErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.recoverable = options.recoverable ?? false;
  }

  override get name(): string {
    return this.constructor.name;
  }
}
Object.defineProperty(FramingError.prototype, BRAND, { value: true });

/**
 * A frame is longer than the configured maximum. Raised as soon as a header declares the
 * length or a delimiter scan passes the limit, never after buffering the excess.
 */
export class FrameTooLargeError extends FramingError {
  readonly code = 'ERR_FRAME_TOO_LARGE' as const;
  /**
   * The declared frame length (a bigint when it does not fit a safe integer), or, for a
   * delimiter scan that is still running, the number of bytes seen so far.
   */
  readonly length: number | bigint;
  /** The limit that was crossed. */
  readonly maxFrameLength: number;

  constructor(length: number | bigint, maxFrameLength: number, message?: string, options?: FramingErrorOptions) {
    super(message ?? `frame of ${bytesText(length)} exceeds the maximum frame length of ${bytesText(maxFrameLength)}`, options);
    this.length = length;
    this.maxFrameLength = maxFrameLength;
  }
}

/** A header could not be parsed (bad digits, an over-long varint, a negative length…). */
export class MalformedHeaderError extends FramingError {
  readonly code = 'ERR_MALFORMED_HEADER' as const;
}

/** A frame body is invalid: a bad escape sequence, a missing trailer. */
export class MalformedFrameError extends FramingError {
  readonly code = 'ERR_MALFORMED_FRAME' as const;
}

/** The stream ended inside a frame: `bufferedBytes` bytes were left that form no frame. */
export class TruncatedFrameError extends FramingError {
  readonly code = 'ERR_TRUNCATED_FRAME' as const;
  /** How many bytes of the incomplete frame had arrived. */
  readonly bufferedBytes: number;

  constructor(bufferedBytes: number, message?: string, options?: FramingErrorOptions) {
    super(message ?? `stream ended inside a frame (${bytesText(bufferedBytes)} of an incomplete frame received)`, options);
    this.bufferedBytes = bufferedBytes;
  }
}

/**
 * An encoder was given a payload its wire format cannot carry: the payload contains the
 * delimiter of a delimiter strategy that does not escape it. (A payload over the limit or
 * too long for the length field is a {@link FrameTooLargeError}.) The encoder refuses
 * instead of corrupting the stream.
 */
export class UnencodablePayloadError extends FramingError {
  readonly code = 'ERR_UNENCODABLE_PAYLOAD' as const;
}

/**
 * True if `error` is a {@link FramingError} (optionally with the given code), of this copy of
 * the package or of another one installed next to it.
 */
export function isFramingError(error: unknown, code?: FramingErrorCode): error is FramingError {
  return error instanceof FramingError && (code === undefined || error.code === code);
}
