import { Deframer, indexOfByte, isUint8Array, keepWarm, type FramingError } from '@framewire/chunk-buffer';
import type { DelimiterPresetOptions } from './delimiter.js';
import { checkOptionsObject, describe } from './internal.js';
import { line } from './line.js';

/** Options of {@link LineTextDecoder}: those of {@link line} (but `stripDelimiter`), plus one. */
export interface LineTextOptions extends Omit<DelimiterPresetOptions, 'stripDelimiter'> {
  /**
   * Called with each recoverable error (with `onTooLong: 'discard'`, a line over the limit
   * that was dropped); decoding then goes on. When absent, recoverable errors are thrown like
   * the others. Defaults to undefined.
   */
  onRecoverableError?: ((error: FramingError) => void) | undefined;
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = new Uint8Array(0);

/**
 * Lines as strings, for text protocols: the {@link line} framing — same options, limits
 * (counted in bytes) and typed errors — with the UTF-8 decoding done once per received chunk
 * for the lines that lie whole in it, instead of once per line. The lines, and the strings,
 * are the same as decoding each frame of `line()` with a `TextDecoder`.
 *
 * - Both `\n` and `\r\n` end a line and are left out of it.
 * - Malformed UTF-8 becomes U+FFFD, as `TextDecoder` does by default; a byte-order mark is kept
 *   (as U+FEFF) wherever it appears.
 * - `end()` reports bytes after the last line ending as a `TruncatedFrameError`, or, with
 *   `allowUnterminatedLast`, delivers them as a last line (as they are).
 * - Lines completed before an error are delivered before it is thrown; after an
 *   unrecoverable error every call throws it again. So does an exception of `onLine`, as one of
 *   `onFrame` does in a `Deframer`: it ends the stream.
 * - Chunks must be `Uint8Array`s (a Node `Buffer` is one); anything else throws a `TypeError`.
 *
 * @example
 * ```ts
 * const lines = new LineTextDecoder();
 * socket.on('data', (chunk) => lines.push(chunk, (text) => console.log(text)));
 * socket.on('end', () => lines.end((text) => console.log(text)));
 * ```
 */
export class LineTextDecoder {
  // The `line` decoder, for whatever is not a run of whole lines inside one chunk: a line
  // begun in an earlier chunk, the bytes after a chunk's last \n, runs longer than the limit.
  readonly #deframer: Deframer;
  readonly #maxFrameLength: number;
  readonly #text = new TextDecoder('utf-8', { ignoreBOM: true });
  // Whether all the decoder was given ended with \n (it may still hold whole lines, after a
  // recoverable error it threw).
  #atLineStart = true;
  // What onLine threw for a line decoded here (not by the Deframer, which keeps its own): it ends
  // the stream, as in a Deframer, and every later call rethrows it.
  #failed: { readonly error: unknown } | undefined;
  #onLine: (line: string) => void = () => undefined;
  readonly #onFrame = (frame: Uint8Array): void => {
    this.#onLine(this.#text.decode(frame));
  };

  /** @throws TypeError or RangeError for invalid options, naming the option. */
  constructor(options: LineTextOptions = {}) {
    const { onRecoverableError, ...lineOptions } = checkOptionsObject(options, 'LineTextDecoder');
    if (onRecoverableError !== undefined && typeof onRecoverableError !== 'function') {
      throw new TypeError(`onRecoverableError must be a function (got ${describe(onRecoverableError)})`);
    }
    // Lines never include their ending: the fast path below strips it, so the decoder must too.
    const { stripDelimiter } = lineOptions as { stripDelimiter?: unknown };
    if (stripDelimiter !== undefined && stripDelimiter !== true) {
      throw new TypeError(`stripDelimiter is not an option of LineTextDecoder, whose lines never include \n or \r\n (got ${describe(stripDelimiter)})`);
    }
    const strategy = line(lineOptions);
    this.#maxFrameLength = strategy.maxFrameLength;
    this.#deframer = new Deframer(strategy, onRecoverableError === undefined ? {} : { onRecoverableError });
  }

  /** Bytes received but not yet part of a delivered line. */
  get bufferedBytes(): number {
    return this.#deframer.bufferedBytes;
  }

  /** Adds a chunk (not copied) and calls `onLine` with each line it completed, in order. */
  push(chunk: Uint8Array, onLine: (line: string) => void): void {
    if (this.#failed !== undefined) throw this.#failed.error;
    this.#onLine = onLine;
    const deframer = this.#deframer;
    // Anything but a Uint8Array (a string from a socket with setEncoding, a Uint16Array, a
    // DataView) gets the buffer's TypeError: searched below as bytes, it would give wrong lines.
    if (!(chunk instanceof Uint8Array) && !isUint8Array(chunk)) deframer.push(chunk, this.#onFrame);
    let from = 0;
    if (this.#atLineStart && deframer.bufferedBytes === 0) {
      // Nothing pending: this still rethrows an earlier failure and refuses a push after end().
      deframer.push(EMPTY, this.#onFrame);
    } else {
      // A line begun in earlier chunks ends at this chunk's first \n: the decoder finishes it
      // (or goes on dropping it, with onTooLong 'discard'), with any lines it still holds after
      // a recoverable error.
      const nl = indexOfByte(chunk, LF, 0);
      from = nl === -1 ? chunk.length : nl + 1;
      this.#atLineStart = nl !== -1;
      try {
        deframer.push(from === chunk.length ? chunk : chunk.subarray(0, from), this.#onFrame);
      } catch (error) {
        // As a Deframer given the whole chunk would: the error is thrown and the rest of the
        // chunk stays buffered for the next call (after a recoverable error, the caller goes on).
        if (from < chunk.length) {
          deframer.buffer.push(chunk.subarray(from));
          this.#atLineStart = chunk[chunk.length - 1] === LF;
        }
        throw error;
      }
    }
    if (from === chunk.length) return;
    const last = chunk.lastIndexOf(LF);
    // The whole lines from `from` on, when none of them can be over the limit.
    if (last >= from && last - from < this.#maxFrameLength) {
      this.#lines(chunk, from, last + 1);
      from = last + 1;
    }
    if (from < chunk.length) {
      this.#atLineStart = chunk[chunk.length - 1] === LF;
      deframer.push(chunk.subarray(from), this.#onFrame);
    }
  }

  /** Signals the end of the stream (see the class notes for bytes after the last line ending). */
  end(onLine: (line: string) => void): void {
    if (this.#failed !== undefined) throw this.#failed.error;
    this.#onLine = onLine;
    this.#deframer.end(this.#onFrame);
  }

  /** Decodes `chunk[start..end)`, whole lines each ended by \n, in one call and hands them out. */
  #lines(chunk: Uint8Array, start: number, end: number): void {
    const text = this.#text.decode(new Uint8Array(chunk.buffer, chunk.byteOffset + start, end - start));
    // Split on \n (never part of a multi-byte UTF-8 sequence, so the same lines as in bytes).
    // A \r before the \n belongs to the line ending: `line` takes \r\n as one delimiter.
    const onLine = this.#onLine;
    let from = 0;
    try {
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
        onLine(text.slice(from, nl > from && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl));
        from = nl + 1;
      }
    } catch (thrown) {
      // The lines after this one would be lost: the stream ends here, as in a Deframer.
      this.#failed = { error: thrown };
      throw thrown;
    }
  }
}

// An idle instance, kept so that V8 keeps its optimized code (keepWarm, from @framewire/chunk-buffer).
keepWarm(new LineTextDecoder());
