import { ChunkBuffer, describe } from './chunk-buffer.js';
import { FrameTooLargeError, FramingError, bytesText } from './errors.js';
import { READ_INTO, type FrameDecoder, type FrameEncoder, type FramingStrategy, type ReadsInto } from './framing.js';
import { keepWarm } from './warm.js';

/** Options of the decode loop ({@link Deframer}, {@link decodeFrames}, {@link createDecoderStream}). */
export interface DeframerOptions {
  /**
   * Most bytes held while waiting for a frame to complete. A safety net above the decoder's
   * own limit: if a decoder ever leaves more than this buffered, the loop fails with
   * `ERR_FRAME_TOO_LARGE`. Always in force: also when, without `onRecoverableError`, pushes
   * that stop at recoverable errors leave the bytes after them undecoded faster than later
   * calls decode them (more than this plus 16 of the largest chunk pushed: the error's `cause`
   * is the recoverable one). Defaults to the strategy's `maxWireLength` (at most
   * `Number.MAX_SAFE_INTEGER`), or to 8 MiB + 64 KiB when a bare decoder is given.
   */
  maxBufferedBytes?: number;
  /**
   * Called with each recoverable error (the decoder discarded a bad frame and is back in
   * sync, as delimiter strategies are); decoding then goes on. When absent, recoverable
   * errors are thrown like the others. An exception it throws (the error it was given too)
   * ends the stream as one of `onFrame` does: it is raised after the frames before it, and
   * every later call rethrows it. A decoder that throws a recoverable error again with no byte
   * consumed since the last one (a breach of the contract: it would be called forever) is not
   * reported: the stream ends, after the frames before it, with an `Error` whose `cause` is
   * the decoder's error. Defaults to undefined.
   */
  onRecoverableError?: (error: FramingError) => void;
  /**
   * Lends frames instead of giving them: a frame that spans chunks (not back to back in
   * memory) is copied into one array the loop reuses (a {@link ChunkBuffer} with `borrowed`),
   * so it is valid only until `onFrame` returns. Copy it (`frame.slice()`) to keep it. For
   * large frames handled on the spot (checksummed, parsed, forwarded), this saves filling fresh
   * memory per frame: over the thirteen full bench runs from 2026-12-07 17:23 to 12-08 01:37,
   * 64 KiB frames over loopback TCP read at 0.82–1.16× a raw socket reader borrowed, 0.73–1.02×
   * owned (one run's TCP ratios move by 10–20% on that VM). Only the {@link Deframer}'s callback form
   * can lend: the array forms of `push` and `end`, `decodeFrames`, `decodeFramesAsync` and
   * `createDecoderStream` hand frames on after the call, and throw a `TypeError` when given
   * `borrowed: true`. Defaults to `false`.
   */
  borrowed?: boolean;
}

const DEFAULT_BARE_DECODER_CAP = 8 * 1024 * 1024 + 64 * 1024;

/**
 * The synchronous decode loop: push chunks as they arrive, get back the frames each chunk
 * completed. One `Deframer` per stream.
 *
 * Frames completed before an error are always delivered before it is raised: with a callback
 * they have been passed to it; in array form they are returned and the error is thrown by the
 * next `push` or `end` call. After an unrecoverable error every call throws that same error.
 *
 * @example
 * ```ts
 * const deframer = new Deframer(u32be());
 * socket.on('data', (chunk) => deframer.push(chunk, (frame) => handle(frame)));
 * socket.on('end', () => deframer.end(handle));
 * ```
 */
export class Deframer {
  /** The receive buffer. Exposed for inspection (how many bytes wait for a frame). */
  readonly buffer: ChunkBuffer;
  private readonly decoder: FrameDecoder;
  private readonly cap: number;
  private readonly onRecoverableError: ((error: FramingError) => void) | undefined;
  // An error raised after frames were decoded in array mode, thrown on the next call.
  private pending: Error | undefined;
  // What ended this stream, rethrown on every later call: an unrecoverable error, or whatever
  // `onFrame` threw (as it was thrown, an Error or not).
  private failed: { readonly error: unknown } | undefined;
  // end() was called: push() is refused.
  private ended = false;
  // end() decoded everything: a later end() returns nothing. Not set while a recoverable error
  // (thrown, or held for the next call) leaves bytes after it, which the next end() decodes.
  private finished = false;
  private readonly borrowed: boolean;
  // The largest chunk pushed so far: the slack above the cap is BEHIND_CHUNKS of them for bytes
  // left undecoded behind recoverable errors thrown without a handler (see behindError).
  private largestChunk = 0;

  /**
   * Takes a strategy (its `createDecoder()` is called once, here) or a decoder. Throws a
   * `TypeError` for anything else: a `createDecoder` that is not a function, a decoder (given
   * or made) without `decode` and `end` methods, options that are not an object.
   */
  constructor(strategy: FramingStrategy | FrameDecoder, options: DeframerOptions = {}) {
    const isStrategy = checkArguments(strategy, options);
    this.decoder = isStrategy ? checkDecoder((strategy as FramingStrategy).createDecoder(), true) : (strategy as FrameDecoder);
    // A strategy whose limit is near 2^53 may announce a wire length past it: no cap is lower.
    const cap =
      options.maxBufferedBytes ??
      (isStrategy ? Math.min((strategy as FramingStrategy).maxWireLength, Number.MAX_SAFE_INTEGER) : DEFAULT_BARE_DECODER_CAP);
    if (!Number.isSafeInteger(cap) || cap < 1) {
      const what = options.maxBufferedBytes === undefined ? "the strategy's maxWireLength" : 'maxBufferedBytes';
      throw new RangeError(`${what} must be a positive safe integer (got ${String(cap)})`);
    }
    this.cap = cap;
    this.onRecoverableError = options.onRecoverableError;
    this.borrowed = options.borrowed === true;
    this.buffer = new ChunkBuffer({ borrowed: this.borrowed });
  }

  /** Bytes received but not yet part of a delivered frame. */
  get bufferedBytes(): number {
    return this.buffer.length;
  }

  /** Adds a chunk (not copied) and returns the frames it completed, in order. */
  push(chunk: Uint8Array): Uint8Array[];
  /** Adds a chunk (not copied) and calls `onFrame` for each frame it completed, in order. */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void;
  push(chunk: Uint8Array, onFrame?: (frame: Uint8Array) => void): Uint8Array[] | undefined {
    if (this.failed !== undefined) throw this.failed.error;
    if (this.ended) throw new Error('push() after end()');
    if (onFrame === undefined && this.borrowed) throw lendingNeedsCallback('the array forms of push() and end()');
    // Buffer the chunk before raising a pending error: when that error is recoverable the
    // caller goes on, and the chunk's bytes must not be lost (the next call decodes them).
    this.buffer.push(chunk);
    if (chunk.length > this.largestChunk) this.largestChunk = chunk.length;
    this.check(true);
    return this.drain(onFrame, false);
  }

  /**
   * Signals the end of the stream and returns the last frames, including a final frame the
   * strategy allows without a terminator. Throws a `TruncatedFrameError` when bytes of an
   * incomplete frame remain. Once it has decoded everything, calling it again returns nothing;
   * after a recoverable error (thrown, or held for the next call) the next call decodes the
   * bytes after the bad frame.
   */
  end(): Uint8Array[];
  /** Signals the end of the stream, passing the last frames to `onFrame`. */
  end(onFrame: (frame: Uint8Array) => void): void;
  end(onFrame?: (frame: Uint8Array) => void): Uint8Array[] | undefined {
    if (onFrame === undefined && this.borrowed) throw lendingNeedsCallback('the array forms of push() and end()');
    this.check();
    if (this.finished) return onFrame ? undefined : [];
    this.ended = true;
    const frames = this.drain(onFrame, true);
    if (this.pending === undefined) this.finished = true;
    return frames;
  }

  private check(pushing = false): void {
    if (this.failed !== undefined) throw this.failed.error;
    if (this.pending !== undefined) {
      let error = this.pending;
      this.pending = undefined;
      // This call decodes nothing: the chunk it buffered waits for the next one.
      if (pushing) error = this.behindError(error);
      this.fail(error);
      throw error;
    }
  }

  // An exception of onFrame or onRecoverableError ends the stream, whatever it is (a
  // recoverable FramingError too), and is rethrown as it was thrown.
  private callbackFailed(thrown: unknown): unknown {
    this.failed = { error: thrown };
    return thrown;
  }

  private fail(error: Error): void {
    if (!(error instanceof FramingError && error.recoverable)) this.failed = { error };
  }

  /**
   * Without a handler, a push that stops at a recoverable error leaves the bytes after the bad
   * frame for the next call, and the array form spends one call more on throwing it: one error
   * reported per call. When bad frames come faster than that, the bytes left grow with every
   * chunk. A burst of them is caught up once they stop; bytes past the cap plus BEHIND_CHUNKS of
   * the largest chunk are not, and end the stream with an unrecoverable `FrameTooLargeError`
   * whose `cause` is the recoverable error. Anything else is returned as it is.
   */
  private behindError(error: Error): Error {
    const buffered = this.buffer.length;
    const slack = BEHIND_CHUNKS * this.largestChunk;
    if (!(error instanceof FramingError && error.recoverable) || buffered <= this.cap + slack) return error;
    return new FrameTooLargeError(
      buffered,
      this.cap,
      `buffered ${bytesText(buffered)}, over the cap of ${bytesText(this.cap)} plus ${BEHIND_CHUNKS} chunks of ${bytesText(this.largestChunk)}, ` +
        `while recoverable errors were thrown one call at a time, faster than the calls decoded the bytes ` +
        `after them; pass onRecoverableError to decode past them. The last recoverable error (the cause): ${error.message}`,
      { cause: error },
    );
  }

  private drain(onFrame: ((frame: Uint8Array) => void) | undefined, atEnd: boolean): Uint8Array[] | undefined {
    const frames: Uint8Array[] | undefined = onFrame ? undefined : [];
    const emit = onFrame ?? ((frame: Uint8Array) => frames!.push(frame));
    const { buffer, decoder } = this;
    // The buffered length at the last recoverable error of this call: a second one with no byte
    // consumed in between is a decoder that does not drop the bad frame (see below).
    let recoveredAt = -1;
    for (;;) {
      try {
        let frame: Uint8Array | undefined;
        // Measured before each call (onFrame may push more bytes): a frame returned with no byte
        // consumed breaks the contract, and the decoder would return it forever.
        let before = buffer.length;
        while ((frame = decoder.decode(buffer)) !== undefined) {
          if (buffer.length === before) throw frameWithoutBytes(before);
          try {
            emit(frame);
          } catch (thrown) {
            throw this.callbackFailed(thrown);
          }
          before = buffer.length;
        }
        if (atEnd) {
          frame = decoder.end(buffer);
          if (frame !== undefined) {
            try {
              emit(frame);
            } catch (thrown) {
              throw this.callbackFailed(thrown);
            }
          }
        } else if (buffer.length > this.cap) {
          throw new FrameTooLargeError(
            buffer.length,
            this.cap,
            `buffered ${bytesText(buffer.length)} without completing a frame, over the cap of ${bytesText(this.cap)}`,
          );
        }
        return frames;
      } catch (thrown) {
        // What onFrame threw (see callbackFailed) goes on as it is.
        if (this.failed !== undefined && this.failed.error === thrown) throw thrown;
        let error = thrown instanceof Error ? thrown : new Error(textOf(thrown), { cause: thrown });
        if (error instanceof FramingError && error.recoverable && this.onRecoverableError) {
          if (buffer.length === recoveredAt) {
            // A recoverable error says the decoder dropped the bad frame. One thrown again with
            // no byte consumed since the last means it did not, and would be called forever:
            // the stream ends, after the frames before it, as for an unrecoverable error.
            error = stuckDecoder(error, recoveredAt);
          } else {
            recoveredAt = buffer.length;
            try {
              this.onRecoverableError(error);
            } catch (handlerThrown) {
              // As an exception of onFrame: it ends the stream, after the frames before it (in
              // array form they are returned, and the next call throws it).
              this.callbackFailed(handlerThrown);
              if (frames && frames.length > 0) return frames;
              throw handlerThrown;
            }
            continue;
          }
        }
        // Without a handler the call stops here, and the bytes after the bad frame wait for the
        // next call, within the cap and its slack.
        if (!atEnd) error = this.behindError(error);
        if (frames && frames.length > 0) {
          this.pending = error;
          return frames;
        }
        this.fail(error);
        throw error;
      }
    }
  }
}

// How many chunks (of the largest pushed) may wait undecoded above the cap behind recoverable
// errors thrown without a handler, before the stream ends (see Deframer.behindError).
const BEHIND_CHUNKS = 16;

// An idle Deframer, kept warm here and by the idle generators below.
const idleDeframer = new Deframer({ decode: () => undefined, end: () => undefined });
keepWarm(idleDeframer);

// The error that ends the stream when a decoder returns a frame without consuming a byte: a
// breach of the framing contract (every frame removes its bytes), not a wire error.
function frameWithoutBytes(buffered: number): Error {
  return new Error(
    `the decoder broke the framing contract: decode() returned a frame without consuming a byte ` +
      `(${bytesText(buffered)} buffered), and would return frames forever; a frame must remove its bytes from the buffer`,
  );
}

// The error that ends the stream when a decoder throws recoverable errors without consuming a
// byte: a breach of the framing contract, not a wire error.
function stuckDecoder(error: FramingError, buffered: number): Error {
  return new Error(
    `the decoder broke the framing contract: it threw a recoverable ${error.name} again without consuming a byte ` +
      `since the last one (${bytesText(buffered)} buffered), and would be called forever; a recoverable error must ` +
      `drop the bad frame. The decoder's error (the cause): ${error.message}`,
    { cause: error },
  );
}

// The Deframer's arguments, for a caller without TypeScript: a clear TypeError, not the
// engine's from deep inside the first push or the first end. Returns whether `strategy` is a
// strategy (it has a createDecoder) rather than a decoder.
function checkArguments(strategy: unknown, options: unknown): boolean {
  if (typeof strategy !== 'object' || strategy === null) throw notAStrategy(strategy);
  const { createDecoder, decode } = strategy as Record<string, unknown>;
  const isStrategy = createDecoder !== undefined;
  if (isStrategy) {
    if (typeof createDecoder !== 'function') throw new TypeError(`createDecoder must be a function (got ${describe(createDecoder)})`);
  } else if (decode === undefined) {
    throw notAStrategy(strategy);
  } else {
    checkDecoder(strategy, false);
  }
  if (typeof options !== 'object' || options === null) throw new TypeError(`Deframer options must be an object (got ${describe(options)})`);
  const handler = (options as DeframerOptions).onRecoverableError;
  if (handler !== undefined && typeof handler !== 'function') {
    throw new TypeError(`onRecoverableError must be a function (got ${describe(handler)})`);
  }
  return isStrategy;
}

function notAStrategy(strategy: unknown): TypeError {
  return new TypeError(`Deframer needs a framing strategy (with createDecoder) or a decoder (with decode); got ${describe(strategy)}`);
}

// A decoder, given or made by a strategy's createDecoder(): an object with decode and end.
function checkDecoder(decoder: unknown, made: boolean): FrameDecoder {
  const whose = made ? "the decoder from the strategy's createDecoder()" : 'the decoder';
  if (typeof decoder !== 'object' || decoder === null) {
    throw new TypeError(`${whose} is not an object with decode() and end() methods (got ${describe(decoder)})`);
  }
  for (const method of ['decode', 'end'] as const) {
    const value = (decoder as Record<string, unknown>)[method];
    if (typeof value !== 'function') throw new TypeError(`${whose} has no ${method}() method (got ${describe(value)})`);
  }
  return decoder as FrameDecoder;
}

/**
 * `String(value)`, for the message of the Error that carries a thrown non-Error. `String` throws
 * for an object with no usable `toString` (one made by `Object.create(null)`): its tag then.
 */
function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return 'a thrown value with no string form';
    }
  }
}

function lendingNeedsCallback(what: string): TypeError {
  return new TypeError(
    `${what} cannot lend frames: borrowed frames are valid only inside the Deframer's onFrame callback. ` +
      'Use new Deframer(strategy, { borrowed: true }).push(chunk, onFrame), or leave borrowed unset',
  );
}

// The loops below hand each frame on after decoding the next ones: they cannot lend frames.
function ownedOnly(options: DeframerOptions | undefined, what: string): DeframerOptions | undefined {
  if (options?.borrowed === true) throw lendingNeedsCallback(what);
  return options;
}

/** A source of chunks: an iterable or async iterable (a Node socket is one). */
export type ChunkSource = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Decodes frames from a synchronous iterable of chunks. Frames are yielded as they complete;
 * an error is thrown after every frame before it was yielded.
 */
export function decodeFrames(
  source: Iterable<Uint8Array>,
  strategy: FramingStrategy | FrameDecoder,
  options?: DeframerOptions,
): Generator<Uint8Array, void, undefined> {
  return new SyncFrames(source, new Deframer(strategy, ownedOnly(options, 'decodeFrames()')));
}

type Step = IteratorResult<Uint8Array, void>;

const EMPTY_CHUNK = new Uint8Array(0);

const DONE_STEP: Step = Object.freeze({ value: undefined, done: true });

/**
 * What the two generators below share: the frames of the last chunk read, handed out one by
 * one, and the source iterator. They are written out rather than as a `function*` / `async
 * function*`, which suspend and resume at every `yield` (and, async, pay several promise turns
 * for it), where handing out a frame already decoded takes an index.
 */
abstract class Frames<Chunks extends Iterator<Uint8Array> | AsyncIterator<Uint8Array>> {
  protected frames: Uint8Array[] = [];
  protected at = 0;
  protected chunks: Chunks | undefined;
  protected finished = false;
  // The error the last chunk raised after its frames: thrown once they are out, before the
  // source is read again (a live source may send nothing more for a long time).
  protected held: { readonly error: unknown } | undefined;

  constructor(protected readonly deframer: Deframer) {}

  /**
   * The next frame of the last chunk, or the end; undefined when there is none: the caller
   * then throws a held error (see {@link takeHeld}) or reads the source.
   */
  protected buffered(): Step | undefined {
    if (this.at < this.frames.length) return { value: this.frames[this.at++]!, done: false };
    // The array forms hold an error that follows frames for the next call: make that call
    // now, with no new bytes, so that the error comes before the source is read again.
    if (this.frames.length > 0 && this.held === undefined) {
      try {
        const more = this.finished ? this.deframer.end() : this.deframer.push(EMPTY_CHUNK);
        if (more.length > 0) {
          this.frames = more;
          this.at = 1;
          return { value: more[0]!, done: false };
        }
      } catch (error) {
        this.held = { error };
      }
    }
    if (this.finished && this.held === undefined) return DONE_STEP;
    this.frames = [];
    this.at = 0;
    return undefined;
  }

  /** Takes the held error, if any: the iteration ends with it. */
  protected takeHeld(): { readonly error: unknown } | undefined {
    const held = this.held;
    this.held = undefined;
    return held;
  }

  /** Decodes what the source gave: a chunk's frames, or at its end the last ones. */
  protected feed(step: IteratorResult<Uint8Array>): void {
    this.at = 0;
    try {
      if (step.done === true) {
        this.finished = true;
        this.frames = this.deframer.end();
      } else {
        this.frames = this.deframer.push(step.value);
      }
    } catch (error) {
      this.frames = [];
      this.held = { error };
    }
  }

  /** Ends the iteration; returns the source iterator when it is still open, to be closed. */
  protected end(): Chunks | undefined {
    const open = this.finished ? undefined : this.chunks;
    this.finished = true;
    this.frames = [];
    this.at = 0;
    this.held = undefined;
    return open;
  }
}

/**
 * Closes a source that an error ends the iteration of. An error of the close itself is
 * dropped, as a `for...of` drops it, so that it does not hide the error being thrown.
 */
function closeQuietly(chunks: Iterator<Uint8Array> | undefined): void {
  try {
    chunks?.return?.();
  } catch {
    // The error that ended the iteration is the one to report.
  }
}

/** {@link closeQuietly} for an async source, whose close is awaited (a connection stops reading). */
async function closeQuietlyAsync(chunks: AsyncIterator<Uint8Array> | Iterator<Uint8Array> | undefined): Promise<void> {
  try {
    await chunks?.return?.();
  } catch {
    // The error that ended the iteration is the one to report.
  }
}

/**
 * `decodeFrames`'s generator. As a `function*` did: the source is read only once the frames of
 * its last chunk are all out; a decoding error closes the source (`return()`) and ends the
 * iteration, as do `return()` and `throw()` (an error thrown by the source's `return()` is
 * dropped when the iteration ends with an error, as a `for...of` drops it); an error of the
 * source, or of getting its iterator, ends it.
 */
class SyncFrames extends Frames<Iterator<Uint8Array>> implements Generator<Uint8Array, void, undefined> {
  constructor(
    private readonly source: Iterable<Uint8Array>,
    deframer: Deframer,
  ) {
    super(deframer);
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): Step {
    for (;;) {
      const out = this.buffered();
      if (out !== undefined) return out;
      const held = this.takeHeld();
      if (held !== undefined) {
        closeQuietly(this.end());
        throw held.error;
      }
      let step: IteratorResult<Uint8Array>;
      try {
        this.chunks ??= this.source[Symbol.iterator]();
        step = this.chunks.next();
      } catch (error) {
        this.finished = true; // the source failed: nothing to close
        throw error;
      }
      this.feed(step);
    }
  }

  return(): Step {
    this.end()?.return?.();
    return DONE_STEP;
  }

  throw(error: unknown): never {
    closeQuietly(this.end());
    throw error;
  }
}

/** Options of {@link decodeFramesAsync}. */
export interface DecodeFramesAsyncOptions extends DeframerOptions {
  /**
   * Whether to lay out the source's reads for the strategy's frames: when the strategy has
   * read memory (`createReadMemory()`, as the binary length prefixes of `@framewire/header`
   * have) and the source reads into memory it is handed (a {@link READ_INTO} method, as a
   * `@framewire/transport` client connection has), `decodeFramesAsync` hands it over at once,
   * and large frames are read into memory of their own and yielded with no copy (smaller ones
   * into shared blocks: a small frame kept for long keeps its block alive; `slice()` it).
   * Defaults to `true`; `false` leaves the source's reads as they are.
   */
  layoutReads?: boolean;
}

/**
 * Decodes frames from an async (or sync) iterable of chunks, such as a Node socket or a
 * framewire transport connection. Frames are yielded as they complete; an error is thrown
 * after every frame before it was yielded. Breaking out of the loop stops reading the source.
 *
 * With a source that reads into memory it is handed, the reads are laid out for the
 * strategy's frames first (see {@link DecodeFramesAsyncOptions.layoutReads}).
 */
export function decodeFramesAsync(
  source: ChunkSource,
  strategy: FramingStrategy | FrameDecoder,
  options?: DecodeFramesAsyncOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const frames = new AsyncFrames(source, new Deframer(strategy, ownedOnly(options, 'decodeFramesAsync()')));
  // Checked after the Deframer, which checks that options is an object.
  const layoutReads = options?.layoutReads;
  if (layoutReads !== undefined && typeof layoutReads !== 'boolean') {
    throw new TypeError(`layoutReads must be a boolean (got ${describe(layoutReads)})`);
  }
  if (layoutReads !== false) layOutReads(source, strategy);
  return frames;
}

/** Hands the strategy's read memory to a source that reads into memory it is handed. */
function layOutReads(source: ChunkSource, strategy: FramingStrategy | FrameDecoder): void {
  const readInto = (source as Partial<ReadsInto>)[READ_INTO];
  const createReadMemory = (strategy as Partial<FramingStrategy>).createReadMemory;
  if (typeof readInto !== 'function' || typeof createReadMemory !== 'function') return;
  const memory = createReadMemory.call(strategy);
  if (memory !== undefined) readInto.call(source, memory);
}

/**
 * `decodeFramesAsync`'s generator. As an `async function*` did: calls are served one at a time,
 * in order; the source is read only once the frames of its last chunk are all out; a decoding
 * error closes the source (`return()`, awaited: a connection stops reading) and ends the
 * iteration, as do `return()` and `throw()` (an error of the source's `return()` is dropped
 * when the iteration ends with an error, as a `for await` drops it); an error of the source,
 * or of getting its iterator, ends it.
 */
class AsyncFrames
  extends Frames<AsyncIterator<Uint8Array> | Iterator<Uint8Array>>
  implements AsyncGenerator<Uint8Array, void, undefined>
{
  // Calls not yet settled, and the result of the last one, which the next queued call waits for.
  private inFlight = 0;
  private tail: Promise<Step> = Promise.resolve(DONE_STEP);

  constructor(
    private readonly source: ChunkSource,
    deframer: Deframer,
  ) {
    super(deframer);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<Step> {
    // The hot path: a frame of the last chunk, with no call queued before this one.
    if (this.inFlight === 0 && this.at < this.frames.length) {
      return Promise.resolve({ value: this.frames[this.at++]!, done: false });
    }
    return this.queue(() => this.pull());
  }

  return(): Promise<Step> {
    return this.queue(async () => {
      try {
        await this.end()?.return?.();
        return DONE_STEP;
      } finally {
        this.inFlight--;
      }
    });
  }

  throw(error: unknown): Promise<Step> {
    return this.queue(async () => {
      try {
        await closeQuietlyAsync(this.end());
        throw error;
      } finally {
        this.inFlight--;
      }
    });
  }

  // Runs `task` (which counts itself out of `inFlight` when it settles) now, or after the
  // calls queued before it, whether they fulfilled or rejected.
  private queue(task: () => Promise<Step>): Promise<Step> {
    const result = ++this.inFlight === 1 ? task() : this.tail.then(task, task);
    this.tail = result;
    return result;
  }

  private async pull(): Promise<Step> {
    try {
      for (;;) {
        const out = this.buffered();
        if (out !== undefined) return out;
        const held = this.takeHeld();
        if (held !== undefined) {
          await closeQuietlyAsync(this.end());
          throw held.error;
        }
        let step: IteratorResult<Uint8Array>;
        try {
          this.chunks ??= Symbol.asyncIterator in this.source ? this.source[Symbol.asyncIterator]() : this.source[Symbol.iterator]();
          step = await this.chunks.next();
        } catch (error) {
          this.finished = true; // the source failed: nothing to close
          throw error;
        }
        this.feed(step);
      }
    } finally {
      this.inFlight--;
    }
  }
}

keepWarm(new SyncFrames([], idleDeframer), new AsyncFrames([], idleDeframer));

/**
 * The decode loop as a WHATWG transform stream: bytes in, frames out. Works wherever streams do
 * (Node ≥ 18, browsers, Deno, Bun). Frames decoded before an error are read before the readable
 * side errors, whether the error is the decoder's or the source's (an abort of the writable
 * side, which a pipe does when its source fails).
 *
 * It is a `{ readable, writable }` pair, as `TextDecoderStream` is, rather than an instance of
 * `TransformStream`: a `TransformStream` tells its transformer nothing when its reader takes a
 * frame, so it could only have waited for its queue to empty by polling. Here the readable side
 * pulls: bytes are decoded when its reader asks for frames (as a `TransformStream`'s
 * backpressure has it), and an error waits, without a timer, for the reader's next read after
 * the frames before it. The writable side fails at once with the error, so a pipe stops reading
 * its source; cancelling the readable side errors the writable side with the reason.
 *
 * @example
 * ```ts
 * const frames = response.body.pipeThrough(createDecoderStream(u32be()));
 * ```
 */
export function createDecoderStream(
  strategy: FramingStrategy | FrameDecoder,
  options?: DeframerOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const deframer = new Deframer(strategy, ownedOnly(options, 'createDecoderStream()'));
  let frames!: ReadableStreamDefaultController<Uint8Array>;
  let input!: WritableStreamDefaultController;
  // The reader asked for a frame since the last one was enqueued (its queue is empty).
  let wanted = false;
  // A write waiting for the reader to ask, woken by `pull` or `cancel`.
  let waiting: (() => void) | undefined;
  // An error to raise on the readable side once the frames queued before it are read.
  let failure: { readonly error: unknown } | undefined;
  // The readable side was cancelled (with this reason): nothing more is decoded.
  let cancelled: { readonly reason: unknown } | undefined;
  // The readable side is closed or errored (or closing after its queue): nothing more goes in.
  let over = false;

  const wake = (): void => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.();
  };
  const enqueue = (frame: Uint8Array): void => {
    wanted = false; // cleared first: an enqueue that leaves a read waiting pulls again
    frames.enqueue(frame);
  };
  // Ends the readable side with `error` after the frames it holds (at once when it holds none:
  // with a high-water mark of 0 its desired size is minus the frames queued).
  const fail = (error: unknown): void => {
    if (over) return;
    over = true;
    if (frames.desiredSize === 0) frames.error(error);
    else failure = { error };
  };
  const decode = (step: (onFrame: (frame: Uint8Array) => void) => void): void => {
    try {
      step(enqueue);
    } catch (error) {
      fail(error);
      throw error;
    }
  };

  const readable = new ReadableStream<Uint8Array>(
    {
      start: (controller) => {
        frames = controller;
      },
      // Called when a read finds the queue empty: every frame before a held error is read.
      pull: () => {
        if (failure !== undefined) {
          frames.error(failure.error);
          failure = undefined;
          return;
        }
        wanted = true;
        wake();
      },
      cancel: (reason: unknown) => {
        over = true;
        failure = undefined;
        cancelled = { reason };
        input.error(reason);
        wake();
      },
    },
    { highWaterMark: 0 },
  );
  const writable = new WritableStream<Uint8Array>(
    {
      start: (controller) => {
        input = controller;
      },
      write: async (chunk) => {
        // As a TransformStream does: decode once the reader wants frames.
        if (!wanted && cancelled === undefined) {
          await new Promise<void>((resolve) => {
            waiting = resolve;
          });
        }
        if (cancelled !== undefined) throw cancelled.reason;
        decode((onFrame) => {
          deframer.push(chunk, onFrame);
        });
      },
      close: () => {
        decode((onFrame) => {
          deframer.end(onFrame);
        });
        over = true;
        frames.close(); // after the frames it holds
      },
      // The source piped in failed, or a writer aborted: its reason follows the frames.
      abort: (reason: unknown) => {
        fail(reason);
      },
    },
    { highWaterMark: 1 },
  );
  return Object.freeze({ readable, writable });
}

/**
 * The encoding side as a WHATWG `TransformStream`: payloads in, wire bytes out. Each encoded
 * part is enqueued as it is (the payload is not copied). Throws a `TypeError` at the call when
 * `strategy` has no `createEncoder` function or the encoder it makes has no `encode` method.
 */
export function createEncoderStream(strategy: FramingStrategy): TransformStream<Uint8Array, Uint8Array> {
  // Checked here, for a caller without TypeScript: not at the first payload, with the engine's error.
  if (typeof strategy !== 'object' || (strategy as unknown) === null || (strategy as Partial<FramingStrategy>).createEncoder === undefined) {
    throw new TypeError(`createEncoderStream needs a framing strategy (with createEncoder); got ${describe(strategy)}`);
  }
  const { createEncoder } = strategy as { createEncoder: unknown };
  if (typeof createEncoder !== 'function') throw new TypeError(`createEncoder must be a function (got ${describe(createEncoder)})`);
  const encoder: unknown = strategy.createEncoder();
  if (typeof encoder !== 'object' || encoder === null) {
    throw new TypeError(`the encoder from the strategy's createEncoder() is not an object with an encode() method (got ${describe(encoder)})`);
  }
  const { encode } = encoder as { encode: unknown };
  if (typeof encode !== 'function') {
    throw new TypeError(`the encoder from the strategy's createEncoder() has no encode() method (got ${describe(encode)})`);
  }
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(payload, controller) {
      for (const part of (encoder as FrameEncoder).encode(payload)) controller.enqueue(part);
    },
  });
}
