/**
 * The wire errors of framewire: one small family under {@link FramingError}, each with a
 * stable `code` that callers can switch on (Node style). Messages carry the numbers.
 *
 * @module
 */

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

/** Base class of every error a framing strategy or the decode loop raises on bad input. */
export abstract class FramingError extends Error {
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
    super(message ?? `frame of ${length} bytes exceeds the maximum frame length of ${maxFrameLength} bytes`, options);
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
    super(message ?? `stream ended inside a frame (${bufferedBytes} bytes of an incomplete frame received)`, options);
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

/** True if `error` is a {@link FramingError} (optionally with the given code). */
export function isFramingError(error: unknown, code?: FramingErrorCode): error is FramingError {
  return error instanceof FramingError && (code === undefined || error.code === code);
}
