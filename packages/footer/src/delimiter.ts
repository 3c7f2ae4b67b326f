import {
  FrameTooLargeError,
  TruncatedFrameError,
  UnencodablePayloadError,
  isUint8Array,
  resolveMaxFrameLength,
  keepWarm,
  indexOfByte,
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
import {
  booleanOption,
  bytesEqual,
  checkOptionsObject,
  checkPayload,
  describe,
  endsWithPrefixOf,
  indexOfBytes,
  nameOption,
  toHex,
  tooLongOption,
  WindowedDecoder,
} from './internal.js';
import type { TooLongAction } from './internal.js';

export type { TooLongAction } from './internal.js';

/** Options of {@link delimiter}. */
export interface DelimiterOptions extends FramingOptions {
  /**
   * The delimiter, or several. Applies to both. With several, as Netty's
   * `DelimiterBasedFrameDecoder` accepts, the decoder ends a frame at the earliest match in the
   * stream and, when two delimiters match at the same position, at the longest; the encoder
   * writes the first one. Each delimiter is at least one byte; duplicates are ignored. A
   * delimiter may contain another one only at its very end or one byte before it (`\n` in
   * `\r\n`, `\r` in `\r\n`): otherwise a stream ending inside it could leave a frame and a
   * partial delimiter at once, and the set is refused with a `RangeError`. Required: there is
   * no default.
   */
  delimiters: Uint8Array | readonly Uint8Array[];
  /**
   * Whether decoded frames leave out the delimiter that ended them. Applies to decoding. The
   * limit counts the payload without its delimiter either way. Defaults to `true`.
   */
  stripDelimiter?: boolean;
  /**
   * Largest payload in bytes, delimiter not counted. Applies to both: the decoder fails (or
   * discards, see {@link onTooLong}) as soon as it has seen more bytes than this without a
   * delimiter; the encoder refuses a longer payload with a `FrameTooLargeError`. Defaults to
   * `DEFAULT_MAX_FRAME_LENGTH` (8 MiB).
   */
  maxFrameLength?: number;
  /**
   * What the decoder does with a frame longer than {@link maxFrameLength}. Applies to decoding.
   *
   * - `'fail'`: throw an unrecoverable `FrameTooLargeError`; the stream is lost and every later
   *   call rethrows it.
   * - `'discard'` (Netty's discarding mode, fail-fast): throw a *recoverable*
   *   `FrameTooLargeError` as soon as the limit is crossed, exactly once per oversized frame,
   *   then drop its bytes up to and including the next delimiter and go on with the frame after
   *   it. Memory stays bounded while dropping.
   *
   * Defaults to `'fail'`.
   */
  onTooLong?: TooLongAction;
  /**
   * Whether bytes left at end of stream after the last delimiter form a final frame. Applies to
   * decoding. When false, they raise a `TruncatedFrameError` (never silently dropped, never passed
   * on as complete); when true, they are returned by `end()` as they are (a trailing partial
   * delimiter included), if they fit the limit (otherwise a `FrameTooLargeError`, recoverable and
   * the bytes dropped with `onTooLong: 'discard'`). Defaults to `false`.
   */
  allowUnterminatedLast?: boolean;
  /**
   * The strategy's name (for logs, the CLI and errors). Defaults to `delim:` and the first
   * delimiter in lowercase hex (`delim:0d0a`).
   */
  name?: string;
}

/** Options of the delimiter presets ({@link line}, {@link crlf}, {@link nul}): everything but the delimiters. */
export type DelimiterPresetOptions = Omit<DelimiterOptions, 'delimiters'>;

// A delimiter that contains the anchor only as its suffix, split into the part before the anchor.
interface AnchoredDelimiter {
  readonly head: Uint8Array;
  readonly length: number;
}

// A way the end of a payload could run into the delimiter the encoder writes after it: the last
// `k` payload bytes equal the first `k` bytes of `delimiter`, whose rest agrees with the written
// delimiter (and whatever follows it).
interface TailOverlap {
  readonly delimiter: Uint8Array;
  readonly k: number;
}

interface DelimiterConfig {
  readonly name: string;
  /** Deduplicated, in the order given; delimiters[0] is the one the encoder writes. */
  readonly delimiters: readonly Uint8Array[];
  readonly strip: boolean;
  readonly maxFrameLength: number;
  readonly discard: boolean;
  readonly allowUnterminatedLast: boolean;
  readonly longest: number;
  /**
   * The shortest delimiter when every other one ends with it and contains it nowhere else (a
   * single delimiter; `\n` with `\r\n`): the decoder then searches for it alone.
   */
  readonly anchor: Uint8Array | undefined;
  /** The other delimiters of an anchored set, longest first. */
  readonly anchored: readonly AnchoredDelimiter[];
  /** Delimiters the encoder must look for in a payload (those containing no other one). */
  readonly forbidden: readonly Uint8Array[];
  readonly tailOverlaps: readonly TailOverlap[];
  /** For each delimiter that starts with delimiters[0] and is longer: its remaining bytes. */
  readonly headExtensions: readonly Uint8Array[];
}

/**
 * A delimiter-terminated framing: each payload is followed by a delimiter, which may be any byte
 * sequence (or one of several). The building block of {@link line}, {@link crlf} and {@link nul};
 * named `delim:HEX` in the CLI.
 *
 * ```text
 * delimiter({ delimiters: Uint8Array.of(0x0d, 0x0a) })   // delim:0d0a
 *
 * BEFORE (payloads)          AFTER (wire, 11 bytes)
 * "hello"  "hi"        →     68 65 6c 6c 6f 0d 0a 68 69 0d 0a
 *                            └─ "hello" ──┘ └───┘ └hi─┘ └───┘
 * ```
 *
 * Decoding resumes its search where the previous call stopped, so a frame arriving in many
 * chunks is scanned once (a delimiter split across chunks is found: the search resumes
 * `delimiter.length - 1` bytes before the end). Zero-length frames are legal: a delimiter right
 * after the previous one is an empty frame.
 *
 * The encoder returns `[payload, delimiter]` (the payload is not copied). It refuses, with an
 * `UnencodablePayloadError` naming the offset, a payload that contains a delimiter, or whose
 * ends could run into a delimiter with the bytes around them (with `\n` and `\r\n`, a payload
 * ending in `\r`), and a payload over `maxFrameLength` with a `FrameTooLargeError`.
 *
 * Security: the limit is on by default (8 MiB); a peer that never sends a delimiter costs at most
 * `maxFrameLength + delimiter length` buffered bytes, plus one chunk.
 *
 * @throws TypeError or RangeError for invalid options, naming the option.
 */
export function delimiter(options: DelimiterOptions): FramingStrategy {
  const config = resolveDelimiterConfig(options);
  return Object.freeze({
    name: config.name,
    maxFrameLength: config.maxFrameLength,
    maxWireLength: config.maxFrameLength + config.longest,
    createDecoder: (): FrameDecoder =>
      config.anchor === undefined ? new MultiDelimiterDecoder(config) : new AnchoredDelimiterDecoder(config, config.anchor),
    createEncoder: (): FrameEncoder => new DelimiterEncoder(config),
  });
}

function resolveDelimiterConfig(options: DelimiterOptions): DelimiterConfig {
  const o = checkOptionsObject(options, 'delimiter');
  const delimiters = resolveDelimiters(o.delimiters);
  const maxFrameLength = resolveMaxFrameLength(o.maxFrameLength);
  const first = delimiters[0]!;
  let longest = 0;
  for (const d of delimiters) longest = Math.max(longest, d.length);
  const anchor = findAnchor(delimiters);
  return Object.freeze({
    name: nameOption(o.name, `delim:${toHex(first)}`),
    delimiters,
    strip: booleanOption(o.stripDelimiter, 'stripDelimiter', true),
    maxFrameLength,
    discard: tooLongOption(o.onTooLong) === 'discard',
    allowUnterminatedLast: booleanOption(o.allowUnterminatedLast, 'allowUnterminatedLast', false),
    longest,
    anchor,
    anchored: Object.freeze(
      anchor === undefined
        ? []
        : delimiters
            .filter((d) => d !== anchor)
            .sort((a, b) => b.length - a.length)
            .map((d) => Object.freeze({ head: d.subarray(0, d.length - anchor.length), length: d.length })),
    ),
    forbidden: Object.freeze(
      delimiters.filter((d) => !delimiters.some((e) => e !== d && e.length <= d.length && indexOfBytes(d, e) !== -1)),
    ),
    tailOverlaps: Object.freeze(tailOverlapsOf(delimiters, first)),
    headExtensions: Object.freeze(
      delimiters.filter((d) => d.length > first.length && bytesEqual(d, 0, first, 0, first.length)).map((d) => d.subarray(first.length)),
    ),
  });
}

function resolveDelimiters(value: unknown): readonly Uint8Array[] {
  const list: unknown[] | undefined = isUint8Array(value) ? [value] : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (list === undefined) {
    throw new TypeError(`delimiters must be a Uint8Array or an array of Uint8Array (got ${describe(value)})`);
  }
  if (list.length === 0) throw new RangeError('delimiters must hold at least one delimiter (got an empty array)');
  const out: Uint8Array[] = [];
  list.forEach((d, i) => {
    if (!isUint8Array(d)) throw new TypeError(`delimiters[${i}] must be a Uint8Array (got ${describe(d)})`);
    if (d.length === 0) throw new RangeError(`delimiters[${i}] must not be empty (got 0 bytes)`);
    // Copied, so that a caller who reuses its array cannot change the framing afterwards.
    if (!out.some((e) => e.length === d.length && bytesEqual(e, 0, d, 0, d.length))) out.push(Uint8Array.from(d));
  });
  for (const outer of out) {
    for (const inner of out) {
      if (inner === outer || inner.length >= outer.length) continue;
      for (let at = indexOfBytes(outer, inner); at !== -1; at = indexOfBytes(outer, inner, at + 1)) {
        const before = outer.length - (at + inner.length);
        if (before >= 2) {
          throw new RangeError(
            `delimiters: ${toHex(outer)} contains ${toHex(inner)} ending ${bytesText(before)} before its end; a delimiter may ` +
              'contain another only at its end or one byte before it (a stream ending inside it would leave a frame and ' +
              'a partial delimiter at once)',
          );
        }
      }
    }
  }
  return Object.freeze(out);
}

function findAnchor(delimiters: readonly Uint8Array[]): Uint8Array | undefined {
  let anchor = delimiters[0]!;
  for (const d of delimiters) if (d.length < anchor.length) anchor = d;
  for (const d of delimiters) {
    if (d === anchor) continue;
    if (d.length === anchor.length || indexOfBytes(d, anchor) !== d.length - anchor.length) return undefined;
  }
  return anchor;
}

function tailOverlapsOf(delimiters: readonly Uint8Array[], written: Uint8Array): TailOverlap[] {
  const out: TailOverlap[] = [];
  for (const d of delimiters) {
    for (let k = 1; k < d.length; k++) {
      const n = Math.min(d.length - k, written.length);
      if (bytesEqual(d, k, written, 0, n)) out.push({ delimiter: d, k });
    }
  }
  return out;
}

/**
 * Bytes at positions up to `max` could still begin a delimiter once more bytes arrive: some
 * delimiter has its first bytes at the end of the buffer, starting at or before `max`. (Matches
 * that fit in the buffer were already searched for.)
 */
function couldStillStart(buffer: ChunkBuffer, delimiters: readonly Uint8Array[], max: number): boolean {
  const length = buffer.length;
  for (const d of delimiters) {
    const last = Math.min(max, length - 1);
    for (let p = Math.max(0, length - d.length + 1); p <= last; p++) {
      if (endsWithPrefixOf(buffer, p, d)) return true;
    }
  }
  return false;
}

// Length of the longest delimiter of an anchored set that ends at `end` in `bytes`.
function delimiterLengthAt(
  bytes: Uint8Array,
  end: number,
  anchorLength: number,
  anchored: readonly AnchoredDelimiter[],
): number {
  for (let i = 0; i < anchored.length; i++) {
    const d = anchored[i]!;
    const start = end - d.length;
    if (start >= 0 && bytesEqual(bytes, start, d.head, 0, d.head.length)) return d.length;
  }
  return anchorLength;
}

function tooLongError(
  config: DelimiterConfig,
  length: number,
  delimiterSeen: boolean,
  recoverable = config.discard,
): FrameTooLargeError {
  const max = config.maxFrameLength;
  const what = delimiterSeen
    ? `frame of ${bytesText(length)} exceeds the maximum frame length of ${bytesText(max)}`
    : `no delimiter within the first ${bytesText(length)}: the frame exceeds the maximum frame length of ${bytesText(max)}`;
  return new FrameTooLargeError(length, max, recoverable ? `${what}; dropping it up to the next delimiter` : what, {
    recoverable,
  });
}

function truncatedError(config: DelimiterConfig, n: number): TruncatedFrameError {
  return new TruncatedFrameError(
    n,
    `stream ended inside a frame: ${bytesText(n)} after the last delimiter (${config.name}); ` +
      'set allowUnterminatedLast to accept an unterminated last frame',
  );
}

/**
 * The decoder for a single delimiter, or a set sharing an anchor (`\n` and `\r\n`): one native
 * search for the anchor, then a look back for the longer delimiters that end with it.
 */
class AnchoredDelimiterDecoder extends WindowedDecoder implements FrameDecoder {
  // Where the next search for the anchor starts: no anchor begins before it.
  private scanFrom = 0;
  // True while dropping an oversized frame up to its delimiter ('discard' mode).
  private discarding = false;
  // The unrecoverable error that ended the stream; every later call rethrows it.
  private failed: FramingError | undefined;
  private readonly anchorByte: number;
  private readonly anchorLength: number;
  // Where a delimiter must end at the latest for its frame to fit the limit.
  private readonly searchEnd: number;
  // The byte before the anchor that makes the one longer delimiter (\r for \r\n), or -1.
  private readonly headByte: number;
  // True for a one-byte anchor with at most one longer delimiter, one byte longer (\n; \n with
  // \r\n; 00): the sets the hot path of decode() handles.
  private readonly oneByte: boolean;
  // Copies of config fields read on every frame.
  private readonly maxFrameLength: number;
  private readonly strip: boolean;

  constructor(
    private readonly config: DelimiterConfig,
    private readonly anchor: Uint8Array,
  ) {
    super();
    this.anchorByte = anchor[0]!;
    this.anchorLength = anchor.length;
    this.searchEnd = config.maxFrameLength + config.longest;
    this.maxFrameLength = config.maxFrameLength;
    this.strip = config.strip;
    const anchored = config.anchored;
    this.headByte = anchored.length === 1 && anchored[0]!.head.length === 1 ? anchored[0]!.head[0]! : -1;
    this.oneByte = anchor.length === 1 && (anchored.length === 0 || this.headByte !== -1);
  }

  decode(buffer: ChunkBuffer): Uint8Array | undefined {
    // The hot path: a one-byte anchor (\n, 00; \n with \r\n) found in the open window. An open
    // window implies no error and no discarding (both close it). One native search, one view.
    const win = this.win;
    const at = this.winAt;
    if (at < win.length && this.oneByte && buffer.length >= win.length - at) {
      const i = indexOfByte(win, this.anchorByte, at + this.scanFrom);
      if (i !== -1) {
        // \r\n: the one longer delimiter is one byte longer (headByte is -1 when there is none).
        const frameEnd = i > at && win[i - 1] === this.headByte ? i - 1 : i;
        if (frameEnd - at <= this.maxFrameLength) return this.cutFromWindow(buffer, at, frameEnd, i + 1);
      }
    }
    return this.decodeSlow(buffer);
  }

  // Everything but the hot path: opening a window, multi-byte anchors, frames that span chunks,
  // the limit, discarding, errors.
  private decodeSlow(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    if (this.discarding && !this.discardStep(buffer)) return undefined;
    let win = this.win;
    let at = this.winAt;
    if (at === win.length || buffer.length < win.length - at) {
      // No window (or a stale one): open one when the buffered bytes lie in one chunk. Beyond
      // the limit the bounded search of the buffered path takes over.
      if (buffer.chunkCount !== 1 || buffer.length > this.searchEnd) return this.decodeBuffered(buffer);
      win = this.openWindow(buffer);
      at = 0;
    }
    const anchorLength = this.anchorLength;
    const from = at + this.scanFrom;
    const i = anchorLength === 1 ? indexOfByte(win, this.anchorByte, from) : indexOfBytes(win, this.anchor, from);
    if (i === -1) {
      // Not in this chunk: go on after it, without searching its bytes again.
      this.scanFrom = Math.max(this.scanFrom, win.length - at - anchorLength + 1);
      return this.decodeBuffered(buffer);
    }
    const end = i + anchorLength;
    let frameEnd = i;
    const headByte = this.headByte;
    if (headByte !== -1) {
      // The common case (\n with \r\n): one longer delimiter, one byte longer.
      if (i > at && win[i - 1] === headByte) frameEnd = i - 1;
    } else {
      const anchored = this.config.anchored;
      for (let k = 0; k < anchored.length; k++) {
        const d = anchored[k]!;
        const start = end - d.length;
        if (start >= at && bytesEqual(win, start, d.head, 0, d.head.length)) {
          frameEnd = start;
          break;
        }
      }
    }
    // Too long: the buffered path reports it.
    if (frameEnd - at > this.maxFrameLength) return this.decodeBuffered(buffer);
    return this.cutFromWindow(buffer, at, frameEnd, end);
  }

  // The frame win[at, frameEnd) whose delimiter ends at win[end - 1], removed from the buffer
  // and returned as a view made straight on the window's memory (cheaper than `subarray`);
  // the window moves past it, and closes when used up (an idle decoder must not keep a
  // consumed chunk alive).
  private cutFromWindow(buffer: ChunkBuffer, at: number, frameEnd: number, end: number): Uint8Array {
    buffer.skip(end - at);
    this.scanFrom = 0;
    const frame = new Uint8Array(this.winBuffer, this.winOffset + at, (this.strip ? frameEnd : end) - at);
    this.passWindow(end);
    return frame;
  }

  // The general path, through the buffer's own search and take: frames that span chunks,
  // searches bounded by the limit, errors.
  private decodeBuffered(buffer: ChunkBuffer): Uint8Array | undefined {
    this.closeWindow();
    const config = this.config;
    const q = this.find(buffer, this.searchEnd);
    if (q === -1) {
      if (buffer.length > config.maxFrameLength && !couldStillStart(buffer, config.delimiters, config.maxFrameLength)) {
        // The search stopped at searchEnd: a delimiter may lie past it in the buffer.
        this.tooLong(buffer, Math.min(buffer.length, this.searchEnd), -1);
      }
      return undefined;
    }
    // Past the limit only if no longer delimiter ending with this anchor starts within it.
    if (q > config.maxFrameLength) this.checkLength(buffer, q);
    this.scanFrom = 0;
    const anchorLength = this.anchorLength;
    if (!config.strip) return buffer.take(q + anchorLength);
    // Take up to the anchor, then look at the frame's own tail for the rest of a longer
    // delimiter (the \r of \r\n): one take and one skip, and a second view only when a longer
    // delimiter ended the frame.
    const frame = buffer.take(q);
    buffer.skip(anchorLength);
    const anchored = config.anchored;
    if (anchored.length === 0) return frame;
    const delimiterLength = delimiterLengthAt(frame, q + anchorLength, anchorLength, anchored);
    return delimiterLength === anchorLength ? frame : frame.subarray(0, q + anchorLength - delimiterLength);
  }

  // The anchor was found at `q`, past the limit: the frame is too long unless a longer
  // delimiter ending with this anchor starts within the limit.
  private checkLength(buffer: ChunkBuffer, q: number): void {
    const end = q + this.anchorLength;
    const bytes = buffer.peek(Math.max(0, end - this.config.longest), end);
    const frameLength = end - delimiterLengthAt(bytes, bytes.length, this.anchorLength, this.config.anchored);
    if (frameLength > this.config.maxFrameLength) this.tooLong(buffer, frameLength, q);
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
    return endOfStream(this.config, buffer, (error) => (this.failed = error));
  }

  // Offset of the first anchor at or after scanFrom that ends by `stop`, or -1 (and scanFrom
  // moves to where the next search must resume).
  private find(buffer: ChunkBuffer, stop: number): number {
    const q =
      this.anchorLength === 1
        ? buffer.indexOf(this.anchorByte, this.scanFrom, stop)
        : buffer.indexOfSequence(this.anchor, this.scanFrom, stop);
    if (q === -1) this.scanFrom = Math.max(this.scanFrom, Math.min(buffer.length, stop) - this.anchorLength + 1);
    return q;
  }

  // Drops what is known to belong to the oversized frame; true once its delimiter was dropped.
  private discardStep(buffer: ChunkBuffer): boolean {
    this.closeWindow();
    const q = this.find(buffer, buffer.length);
    if (q === -1) {
      buffer.skip(this.scanFrom);
      this.scanFrom = 0;
      return false;
    }
    buffer.skip(q + this.anchorLength);
    this.scanFrom = 0;
    this.discarding = false;
    return true;
  }

  // `q`: where the anchor ending the frame was found, or -1 when none was seen yet.
  private tooLong(buffer: ChunkBuffer, length: number, q: number): never {
    const error = tooLongError(this.config, length, q !== -1);
    if (!error.recoverable) throw (this.failed = error);
    this.discarding = true;
    if (q !== -1) {
      this.scanFrom = q;
    } else {
      // No delimiter starts in the first maxFrameLength + 1 bytes (none was found there, and
      // none can still complete there): they belong to the dropped frame. Dropped now, so that
      // the error consumes bytes even when the buffer is shorter than the anchor (a decode loop
      // takes a recoverable error with no byte consumed since the last for a stuck decoder).
      const known = Math.min(buffer.length, this.maxFrameLength + 1);
      buffer.skip(known);
      this.scanFrom = Math.max(0, this.scanFrom - known);
    }
    this.discardStep(buffer);
    throw error;
  }
}

/**
 * The decoder for any other set of delimiters: one search per delimiter, each resuming where it
 * stopped and remembering the match it found beyond the current frame.
 */
class MultiDelimiterDecoder implements FrameDecoder {
  // found[i]: offset of the first match of delimiters[i] at or after from[i], or -1 while none is
  // known; from[i]: where the search for delimiters[i] resumes (none starts before it). So no
  // byte is searched twice for the same delimiter.
  private readonly found: number[];
  private readonly from: number[];
  // Index of the delimiter the last search chose.
  private best = 0;
  // True while dropping an oversized frame up to its delimiter ('discard' mode).
  private discarding = false;
  // The unrecoverable error that ended the stream; every later call rethrows it.
  private failed: FramingError | undefined;
  // Length of the shortest delimiter.
  private readonly shortest: number;

  constructor(private readonly config: DelimiterConfig) {
    this.found = config.delimiters.map(() => -1);
    this.from = config.delimiters.map(() => 0);
    this.shortest = Math.min(...config.delimiters.map((d) => d.length));
  }

  decode(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    if (this.discarding && !this.discardStep(buffer)) return undefined;
    const config = this.config;
    const max = config.maxFrameLength;
    const p = this.search(buffer, true);
    if (p === -1) {
      // Each delimiter was searched for up to max + its length: none lies in the first
      // max + shortest bytes (one may lie past them).
      if (buffer.length > max && !couldStillStart(buffer, config.delimiters, max)) {
        this.tooLong(buffer, Math.min(buffer.length, max + this.shortest), false);
      }
      return undefined;
    }
    // A delimiter that started before `p` may still complete: the frame's end is not settled,
    // and when it started within the limit, neither is whether the frame is too long.
    const pending = this.pendingStart(buffer, p);
    if (p > max && (pending === -1 || pending > max)) this.tooLong(buffer, p, true);
    if (pending !== -1) return undefined;
    return this.emit(buffer, p);
  }

  end(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    if (this.discarding) {
      this.discarding = false;
      this.advance(buffer, buffer.length);
      return undefined;
    }
    // decode() may have been waiting for a longer or earlier delimiter that can no longer come.
    // Unbounded: a match past the limit, behind a delimiter that could have ended the frame
    // within it, now ends a frame that is too long.
    const p = this.search(buffer, false);
    if (p !== -1) {
      if (p > this.config.maxFrameLength) {
        const error = tooLongError(this.config, p, true);
        if (!error.recoverable) throw (this.failed = error);
        // 'discard': no longer delimiter can come now, so the frame ends at this match: dropped
        // through it, and the bytes after it are decoded on the next calls.
        this.advance(buffer, p + this.config.delimiters[this.best]!.length);
        throw error;
      }
      return this.emit(buffer, p);
    }
    this.found.fill(-1);
    this.from.fill(0);
    return endOfStream(this.config, buffer, (error) => (this.failed = error));
  }

  private emit(buffer: ChunkBuffer, p: number): Uint8Array {
    const length = this.config.delimiters[this.best]!.length;
    let frame: Uint8Array;
    if (this.config.strip) {
      frame = buffer.take(p);
      buffer.skip(length);
    } else {
      frame = buffer.take(p + length);
    }
    this.shift(p + length);
    return frame;
  }

  // Offset of the earliest match (the longest at that offset), or -1; sets `best`. Bounded, it
  // looks only where a match would still fit the limit.
  private search(buffer: ChunkBuffer, bounded: boolean): number {
    const { delimiters, maxFrameLength } = this.config;
    const length = buffer.length;
    let p = -1;
    for (let i = 0; i < delimiters.length; i++) {
      const d = delimiters[i]!;
      let f = this.found[i]!;
      if (f === -1) {
        const stop = bounded ? Math.min(length, maxFrameLength + d.length) : length;
        f = buffer.indexOfSequence(d, this.from[i], stop);
        if (f === -1) {
          this.from[i] = Math.max(this.from[i]!, stop - d.length + 1);
          continue;
        }
        this.found[i] = f;
      }
      if (p === -1 || f < p || (f === p && d.length > delimiters[this.best]!.length)) {
        p = f;
        this.best = i;
      }
    }
    return p;
  }

  // The earliest offset at or before `p` where a delimiter whose first bytes end the buffer
  // could still match (before `p`, or at `p` and longer than the match there), or -1: while
  // there is one, the frame's end is not settled until more bytes arrive.
  private pendingStart(buffer: ChunkBuffer, p: number): number {
    const delimiters = this.config.delimiters;
    const length = buffer.length;
    const bestLength = delimiters[this.best]!.length;
    let earliest = -1;
    for (const d of delimiters) {
      for (let r = Math.max(0, length - d.length + 1); r <= p && (earliest === -1 || r < earliest); r++) {
        if ((r < p || d.length > bestLength) && endsWithPrefixOf(buffer, r, d)) earliest = r;
      }
    }
    return earliest;
  }

  private discardStep(buffer: ChunkBuffer): boolean {
    const p = this.search(buffer, false);
    if (p === -1) {
      let safe = buffer.length;
      for (const f of this.from) safe = Math.min(safe, f);
      this.advance(buffer, safe);
      return false;
    }
    const pending = this.pendingStart(buffer, p);
    if (pending !== -1) {
      // The dropped frame ends at `p` or at a match starting at `pending` or later: drop what
      // lies before, so that at most the last delimiter's length stays buffered.
      this.advance(buffer, pending);
      return false;
    }
    this.advance(buffer, p + this.config.delimiters[this.best]!.length);
    this.discarding = false;
    return true;
  }

  private advance(buffer: ChunkBuffer, n: number): void {
    buffer.skip(n);
    this.shift(n);
  }

  // The front moved by `n` bytes: move the remembered offsets with it.
  private shift(n: number): void {
    const { found, from } = this;
    for (let i = 0; i < found.length; i++) {
      const f = found[i]!;
      if (f !== -1) found[i] = f < n ? -1 : f - n;
      from[i] = Math.max(0, from[i]! - n);
    }
  }

  private tooLong(buffer: ChunkBuffer, length: number, delimiterSeen: boolean): never {
    const error = tooLongError(this.config, length, delimiterSeen);
    if (!error.recoverable) throw (this.failed = error);
    this.discarding = true;
    // Without a delimiter, none starts in the first maxFrameLength + 1 bytes (none was found
    // there, and none can still complete there): dropped now, so that the error consumes bytes
    // even when the buffer is shorter than a delimiter (see AnchoredDelimiterDecoder#tooLong).
    if (!delimiterSeen) this.advance(buffer, Math.min(buffer.length, this.config.maxFrameLength + 1));
    this.discardStep(buffer);
    throw error;
  }
}

// Leftover bytes at end of stream: a final frame when allowed, otherwise a TruncatedFrameError.
// One over the limit (kept until the end by a partial delimiter: `aaaa\r` with a limit of 4) is
// too large; with 'discard' recoverably, and dropped, as any other oversized frame.
function endOfStream(
  config: DelimiterConfig,
  buffer: ChunkBuffer,
  fail: (error: FramingError) => FramingError,
): Uint8Array | undefined {
  const n = buffer.length;
  if (n === 0) return undefined;
  if (!config.allowUnterminatedLast) throw fail(truncatedError(config, n));
  if (n > config.maxFrameLength) {
    const what = `unterminated last frame of ${bytesText(n)} exceeds the maximum frame length of ${bytesText(config.maxFrameLength)}`;
    if (!config.discard) throw fail(new FrameTooLargeError(n, config.maxFrameLength, what));
    buffer.skip(n);
    throw new FrameTooLargeError(n, config.maxFrameLength, `${what}; dropping it`, { recoverable: true });
  }
  return buffer.take(n);
}

class DelimiterEncoder implements FrameEncoder {
  private readonly written: Uint8Array;

  constructor(private readonly config: DelimiterConfig) {
    this.written = config.delimiters[0]!;
  }

  encode(payload: Uint8Array): Uint8Array[] {
    const config = this.config;
    checkPayload(payload, config.name);
    const n = payload.length;
    if (n > config.maxFrameLength) {
      throw new FrameTooLargeError(
        n,
        config.maxFrameLength,
        `payload of ${bytesText(n)} exceeds the maximum frame length of ${bytesText(config.maxFrameLength)}`,
      );
    }
    for (const d of config.forbidden) {
      const at = d.length === 1 ? indexOfByte(payload, d[0]!, 0) : indexOfBytes(payload, d);
      if (at !== -1) {
        throw new UnencodablePayloadError(
          `payload contains the delimiter ${toHex(d)} at offset ${at}; ${config.name} cannot carry it (use cobs or slip for binary data)`,
        );
      }
    }
    for (const { delimiter: d, k } of config.tailOverlaps) {
      if (k <= n && bytesEqual(payload, n - k, d, 0, k)) {
        throw new UnencodablePayloadError(
          `payload ends with ${toHex(d.subarray(0, k))} at offset ${n - k}, which with the delimiter ${toHex(this.written)} ` +
            `written after it would read as the delimiter ${toHex(d)}; ${config.name} cannot carry it`,
        );
      }
    }
    for (const rest of config.headExtensions) {
      // After the previous frame's delimiter, these first bytes would extend it into a longer one.
      const m = Math.min(rest.length, n);
      if (bytesEqual(payload, 0, rest, 0, m) && (m === rest.length || bytesEqual(this.written, 0, rest, m, Math.min(rest.length - m, this.written.length)))) {
        // An empty payload has nothing to show: it is its own delimiter following the previous one.
        const what = n === 0 ? `an empty payload is its delimiter ${toHex(this.written)} alone` : `payload starts with ${toHex(payload.subarray(0, m))}`;
        throw new UnencodablePayloadError(
          `${what}, which after the delimiter ${toHex(this.written)} of the previous frame would read as the longer ` +
            `delimiter ${toHex(this.written)}${toHex(rest)}; ${config.name} cannot carry it`,
        );
      }
    }
    return [payload, this.written];
  }
}

// Idle instances of both decoder classes and of the encoder, kept so that V8 keeps their
// optimized code (keepWarm, from @framewire/chunk-buffer).
const idle = delimiter({ delimiters: Uint8Array.of(0x0a) });
const idleMulti = delimiter({ delimiters: [Uint8Array.of(0x01, 0x02), Uint8Array.of(0x03)] });
keepWarm(idle.createDecoder(), idle.createEncoder(), idleMulti.createDecoder());
