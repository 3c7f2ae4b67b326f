import { ChunkBuffer, FramingError } from '@framewire/chunk-buffer';
import type { FrameDecoder, FramingStrategy } from '@framewire/chunk-buffer';
import { describeThrown, hex } from './bytes.js';
import { ConformanceError } from './errors.js';

/** What happened when a decoder was driven over a list of chunks (see {@link driveDecoder}). */
export interface DecodeRun {
  /** Frames returned by `decode`, then the final frame `end` returned, if any, in order. */
  readonly frames: Uint8Array[];
  /**
   * True if `end` returned a frame (the last one in `frames`). Only a strategy that accepts an
   * unterminated last frame may do so; on a valid stream every frame comes from `decode`.
   */
  readonly endReturnedFrame: boolean;
  /** Recoverable errors `decode` threw (decoding went on after each). */
  readonly recovered: FramingError[];
  /** The unrecoverable error that stopped decoding, if any (from `decode` or `end`). */
  readonly error: FramingError | undefined;
  /** True if `error` came from `end`, false if it came from `decode`. */
  readonly errorAtEnd: boolean;
  /** Index of the chunk being decoded when `error` was thrown (`chunks.length` for `end`). */
  readonly errorChunk: number;
  /** How many frames had been returned when `error` or the first recoverable error was thrown. */
  readonly framesBeforeError: number;
  /** Largest number of bytes left buffered while the decoder waited for more (decode returned undefined). */
  readonly maxWaitingBytes: number;
  /** Bytes left in the buffer after the run. */
  readonly leftoverBytes: number;
  /** decode and end calls made. */
  readonly calls: number;
  /**
   * The first frame `decode` held back, when `frameEnds` was given: after a chunk had been
   * decoded as far as it goes, frame `frame` (0-based) had all its bytes fed (`fed` bytes in
   * all, `chunk` the chunk's index) but `decode` had returned only the frames before it.
   * Undefined when every frame came out in time, or without `frameEnds`.
   */
  readonly lateFrame: { readonly frame: number; readonly fed: number; readonly chunk: number } | undefined;
}

/** Options of {@link driveDecoder}. */
export interface DriveOptions {
  /** The buffer to push the chunks into. Defaults to a new `ChunkBuffer`. */
  buffer?: ChunkBuffer;
  /** Go on decoding after a recoverable error, as the contract allows. Defaults to true. */
  continueAfterRecoverable?: boolean;
  /**
   * Decode as a lending loop does (`new Deframer(strategy, { borrowed: true })`): into a
   * `ChunkBuffer` with `borrowed` (when `buffer` is not given), keeping a copy of each frame as
   * soon as `decode` returns it. A decoder that holds on to bytes it took in an earlier call
   * then returns wrong frames. Defaults to false.
   */
  borrowed?: boolean;
  /** Called after each chunk has been decoded as far as it goes; may throw to stop the run. Defaults to none. */
  afterChunk?: (buffer: ChunkBuffer, chunkIndex: number) => void;
  /**
   * For a valid stream: where each expected frame ends on the wire, as ascending byte offsets
   * from the start of the stream (frame `i` ends at `frameEnds[i]`). After each chunk has been
   * decoded as far as it goes, every frame whose last byte has been fed must have come from
   * `decode`; the first one that has not is reported as `lateFrame`. Defaults to none (not
   * checked).
   */
  frameEnds?: readonly number[];
}

/**
 * Drives a decoder over `chunks` exactly as the framing contract in `@framewire/chunk-buffer`
 * says a decode loop does: push a chunk, call `decode` until it returns `undefined`, and at the
 * end call `end` once. Recoverable `FramingError`s are recorded and decoding goes on; an
 * unrecoverable one stops the run and is returned (not thrown).
 *
 * The contract is checked on the way; a breach throws a {@link ConformanceError}:
 * - `decode` or `end` threw something other than a `FramingError`;
 * - `decode` returned a frame without consuming a byte (a decode loop would spin forever);
 * - `decode` threw a recoverable error twice with no byte consumed in between (even across chunks);
 * - more `decode` calls than the bytes and chunks fed can justify (a hang, bounded);
 * - after an unrecoverable error, the next `decode` call did not rethrow that same error object.
 *
 * With `frameEnds`, it also records (as `lateFrame`, not thrown) the first frame that `decode`
 * still held after its last byte had been fed and the chunk decoded as far as it goes.
 */
export function driveDecoder(
  decoder: FrameDecoder | FramingStrategy,
  chunks: readonly Uint8Array[],
  options: DriveOptions = {},
): DecodeRun {
  const dec = 'createDecoder' in decoder ? decoder.createDecoder() : decoder;
  const borrowed = options.borrowed === true;
  const buffer = options.buffer ?? new ChunkBuffer({ borrowed });
  const continueAfterRecoverable = options.continueAfterRecoverable ?? true;
  let fed = 0;
  for (const chunk of chunks) fed += chunk.length;
  // Every frame or recoverable error must consume a byte or be followed by a call that does, and
  // each chunk ends with one `undefined`: anything above this bound is a decoder going round.
  const maxCalls = 4 * fed + 2 * chunks.length + 16;

  const frames: Uint8Array[] = [];
  const recovered: FramingError[] = [];
  let calls = 0;
  let maxWaitingBytes = 0;
  let framesBeforeError = -1;
  const frameEnds = options.frameEnds ?? [];
  let fedSoFar = 0;
  let due = 0; // frames whose last byte has been fed
  let lateFrame: DecodeRun['lateFrame'];

  const fail = (error: FramingError, atEnd: boolean, chunkIndex: number): DecodeRun => {
    if (framesBeforeError === -1) framesBeforeError = frames.length;
    return {
      frames,
      endReturnedFrame: false,
      recovered,
      error,
      errorAtEnd: atEnd,
      errorChunk: chunkIndex,
      framesBeforeError,
      maxWaitingBytes,
      leftoverBytes: buffer.length,
      calls,
      lateFrame,
    };
  };

  // Bytes consumed so far, and at the last recoverable error: a second recoverable error with
  // nothing consumed in between reports the same bytes again, even across chunks.
  let consumed = 0;
  let consumedAtError = -1;
  for (let c = 0; c < chunks.length; c++) {
    buffer.push(chunks[c]!);
    fedSoFar += chunks[c]!.length;
    for (;;) {
      if (++calls > maxCalls) {
        throw new ConformanceError(
          `decode was called ${calls} times for ${fed} bytes in ${chunks.length} chunks without settling: the decoder goes round without consuming bytes`,
        );
      }
      const before = buffer.length;
      let frame: Uint8Array | undefined;
      try {
        frame = dec.decode(buffer);
      } catch (thrown) {
        consumed += Math.max(0, before - buffer.length);
        const error = asFramingError(thrown, 'decode');
        if (error.recoverable && continueAfterRecoverable) {
          if (framesBeforeError === -1) framesBeforeError = frames.length;
          recovered.push(error);
          if (consumed === consumedAtError) {
            throw new ConformanceError(
              `decode threw ${error.code} twice without consuming a byte in between (${buffer.length} bytes buffered): an error must be reported once`,
              { cause: error },
            );
          }
          consumedAtError = consumed;
          continue;
        }
        if (!error.recoverable) checkRethrows(dec, buffer, error);
        return fail(error, false, c);
      }
      consumed += Math.max(0, before - buffer.length);
      if (frame === undefined) break;
      checkFrameType(frame, 'decode');
      if (buffer.length >= before) {
        throw new ConformanceError(
          `decode returned a frame (${hex(frame)}) without consuming any byte (${before} bytes buffered): a decode loop would never end`,
        );
      }
      frames.push(borrowed ? frame.slice() : frame);
    }
    maxWaitingBytes = Math.max(maxWaitingBytes, buffer.length);
    // A frame whose last byte has arrived must not wait for the next chunk: on a connection that
    // stays open, the next chunk may never come.
    while (due < frameEnds.length && frameEnds[due]! <= fedSoFar) due++;
    if (lateFrame === undefined && frames.length < due) lateFrame = { frame: frames.length, fed: fedSoFar, chunk: c };
    options.afterChunk?.(buffer, c);
  }

  calls++;
  let last: Uint8Array | undefined;
  try {
    last = dec.end(buffer);
  } catch (thrown) {
    return fail(asFramingError(thrown, 'end'), true, chunks.length);
  }
  if (last !== undefined) {
    checkFrameType(last, 'end');
    frames.push(borrowed ? last.slice() : last);
  }
  return {
    frames,
    endReturnedFrame: last !== undefined,
    recovered,
    error: undefined,
    errorAtEnd: false,
    errorChunk: -1,
    framesBeforeError: framesBeforeError === -1 ? frames.length : framesBeforeError,
    maxWaitingBytes,
    leftoverBytes: buffer.length,
    calls,
    lateFrame,
  };
}

/**
 * Decodes `chunks` with a fresh decoder of `strategy` and returns the frames; throws the
 * first `FramingError` (recoverable ones included) or a {@link ConformanceError} on a contract
 * breach. A convenience for tests.
 */
export function decodeChunks(strategy: FramingStrategy, chunks: readonly Uint8Array[]): Uint8Array[] {
  const run = driveDecoder(strategy, chunks, { continueAfterRecoverable: false });
  if (run.error) throw run.error;
  return run.frames;
}

// Strategies written in JavaScript can return anything; say so plainly.
function checkFrameType(frame: unknown, where: 'decode' | 'end'): void {
  if (!(frame instanceof Uint8Array)) {
    throw new ConformanceError(`${where} returned ${typeof frame}, not a Uint8Array or undefined`);
  }
}

function asFramingError(thrown: unknown, where: 'decode' | 'end'): FramingError {
  if (thrown instanceof FramingError) return thrown;
  if (thrown instanceof ConformanceError) throw thrown;
  const what = describeThrown(thrown);
  throw new ConformanceError(`${where} threw ${what}, which is not a FramingError`, { cause: thrown });
}

// After an unrecoverable error the contract says every later call rethrows it.
function checkRethrows(decoder: FrameDecoder, buffer: ChunkBuffer, error: FramingError): void {
  let again: unknown;
  try {
    const frame = decoder.decode(buffer);
    again = frame === undefined ? 'undefined' : `a frame ${hex(frame)}`;
  } catch (thrown) {
    if (thrown === error) return;
    again = thrown instanceof FramingError ? `a new ${thrown.code} ("${thrown.message}")` : thrown;
  }
  const what = typeof again === 'string' ? again : describeThrown(again);
  throw new ConformanceError(
    `after the unrecoverable ${error.code} ("${error.message}"), the next decode call gave ${what} instead of rethrowing that same error (the contract: every later call rethrows it without looking at the bytes again)`,
    { cause: error },
  );
}
