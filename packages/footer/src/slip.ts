import {
  FrameTooLargeError,
  MalformedFrameError,
  TruncatedFrameError,
  UnencodablePayloadError,
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
import { WindowedDecoder, booleanOption, byteHex, checkOptionsObject, checkPayload, pool, SMALL_FRAME, tooLongOption } from './internal.js';
import type { TooLongAction } from './internal.js';

/** SLIP frame end (RFC 1055 `END`). */
const END = 0xc0;
/** SLIP escape (RFC 1055 `ESC`). */
const ESC = 0xdb;
/** After ESC: a data byte C0 (RFC 1055 `ESC_END`). */
const ESC_END = 0xdc;
/** After ESC: a data byte DB (RFC 1055 `ESC_ESC`). */
const ESC_ESC = 0xdd;

const END_PART = Uint8Array.of(END);

/** Options of {@link slip}. */
export interface SlipOptions extends FramingOptions {
  /**
   * Largest payload in bytes, counted *decoded*. Applies to both: the encoder refuses a longer
   * payload with a `FrameTooLargeError`; the decoder counts the escapes as bytes arrive and fails
   * as soon as the bytes seen without an `END` decode to more than this (so it buffers at most
   * `2 × maxFrameLength` bytes, a payload made only of escaped bytes). Defaults to
   * `DEFAULT_MAX_FRAME_LENGTH` (8 MiB).
   */
  maxFrameLength?: number;
  /**
   * What the decoder does with a frame longer than `maxFrameLength`: `'fail'` throws an
   * unrecoverable `FrameTooLargeError`; `'discard'` throws a recoverable one once, drops the
   * frame up to and including its `END` and goes on. Applies to decoding. Defaults to `'fail'`.
   */
  onTooLong?: TooLongAction;
  /**
   * Whether the encoder also sends an `END` *before* each frame, as RFC 1055's reference
   * `send_packet` does: the receiver then ends any garbage that line noise left in its buffer
   * instead of gluing it to the next frame, so one corrupted frame never costs the next one.
   * Costs one byte per frame. The decoder accepts both forms. Applies to encoding. Defaults to
   * `true`.
   */
  leadingEnd?: boolean;
}

/**
 * SLIP, RFC 1055: the payload with `C0` and `DB` bytes escaped, then an `END` byte (`C0`).
 * Binary-safe; overhead 1 or 2 bytes per frame plus 1 per `C0`/`DB` in the payload. Named
 * `slip`. Interoperates with SLIP on serial links (Linux `slip`, `slattach`, microcontroller
 * SLIP libraries) and SLIP-framed protocols over TCP.
 *
 * ```text
 * slip()
 *
 * BEFORE (payload, 4 bytes)       AFTER (wire, 8 bytes)
 * 01 c0 db 02                →    c0 01 db dc db dd 02 c0
 *                                 ↑     └───┘ └───┘    ↑
 *                                 END   C0    DB       END
 *                                 (leading, see leadingEnd)
 *
 * slip({ leadingEnd: false })
 * 01 c0 db 02                →    01 db dc db dd 02 c0
 * ```
 *
 * Zero-length payloads cannot be carried: RFC 1055 receivers — this decoder included — ignore
 * an empty frame (two `END`s in a row), which is what makes the leading `END` harmless. The
 * encoder refuses an empty payload with an `UnencodablePayloadError` rather than send a frame
 * the peer would drop.
 *
 * Errors: `DB` followed by anything but `DC` or `DD`, or a `DB` right before `END`, is a
 * `MalformedFrameError` with `recoverable: true`: the decoder has dropped the frame, `END`
 * included, and goes on with the next one. Leftover bytes at end of stream are a
 * `TruncatedFrameError`. A frame over `maxFrameLength` is a `FrameTooLargeError` (see
 * `onTooLong`) whose `length` is, as `FrameTooLargeError` documents, the frame's length when its
 * `END` was seen — decoded, as the limit counts it (at least that many bytes, for a frame that
 * also has a bad escape) — or else the bytes seen so far without an `END`: wire bytes, escapes
 * counted as two (the message also says how many bytes those decode to at least).
 *
 * A frame without escapes is returned as a view of the received chunk (no copy); otherwise it is
 * decoded into one new array.
 */
export function slip(options: SlipOptions = {}): FramingStrategy {
  const o = checkOptionsObject(options, 'slip');
  const maxFrameLength = resolveMaxFrameLength(o.maxFrameLength);
  const leadingEnd = booleanOption(o.leadingEnd, 'leadingEnd', true);
  const config: SlipConfig = Object.freeze({
    maxFrameLength,
    discard: tooLongOption(o.onTooLong) === 'discard',
    leadingEnd,
    scanLimit: 2 * maxFrameLength + 1,
  });
  return Object.freeze({
    name: 'slip',
    maxFrameLength,
    maxWireLength: 2 * maxFrameLength + 2,
    createDecoder: (): FrameDecoder => new SlipDecoder(config),
    createEncoder: (): FrameEncoder => new SlipEncoder(config),
  });
}

interface SlipConfig {
  readonly maxFrameLength: number;
  readonly discard: boolean;
  readonly leadingEnd: boolean;
  /** Bytes without an END that no payload within the limit needs (each payload byte ≤ 2). */
  readonly scanLimit: number;
}

const UNKNOWN = -2;

class SlipDecoder extends WindowedDecoder implements FrameDecoder {
  // Where the next search for END starts: no END before it.
  private scanned = 0;
  // How many escapes (an ESC and the byte after it, one decoded byte) lie whole before
  // `scanned`, each ESC paired with the next byte as the decoder pairs them (`db db` is one, a
  // bad one): the bytes so far decode to at least `scanned - escapes`, which is what the limit
  // is checked against.
  private escapes = 0;
  // True when the last byte before `scanned` is an ESC whose second byte has not arrived (it
  // counts as one decoded byte until then).
  private escPending = false;
  // Offset of the first ESC before `scanned`, or -1: the frame's bytes are not searched again.
  private firstEsc = -1;
  // True while dropping an oversized frame up to its END ('discard' mode).
  private discarding = false;
  // The unrecoverable error that ended the stream; every later call rethrows it.
  private failed: FramingError | undefined;
  // The first ESC in the window at or after winAt, -1 when there is none up to its end, or
  // UNKNOWN: found once, so the ESC search never goes over the same bytes twice.
  private winEsc = UNKNOWN;
  private readonly maxFrameLength: number;

  constructor(private readonly config: SlipConfig) {
    super();
    this.maxFrameLength = config.maxFrameLength;
  }

  decode(buffer: ChunkBuffer): Uint8Array | undefined {
    // The hot path: the next END in the open window. An open window implies no error and no
    // discarding (both close it); with nothing scanned yet, the frame starts at winAt, after any
    // ENDs there (the leading END of the frame; empty frames are ignored).
    const win = this.win;
    let at = this.winAt;
    if (at < win.length && this.scanned === 0 && buffer.length >= win.length - at) {
      const first = at;
      while (win[at] === END) at++;
      const q = at < win.length ? indexOfByte(win, END, at) : -1;
      if (q !== -1) {
        buffer.skip(q + 1 - first);
        this.escapes = 0;
        // The first ESC at or after `at`, found once per ESC (UNKNOWN is below any `at`).
        let e = this.winEsc;
        if (e !== -1 && e < at) e = this.winEsc = indexOfByte(win, ESC, at);
        return this.windowFrame(at, q, e);
      }
    }
    return this.decodeSlow(buffer);
  }

  private decodeSlow(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    if (!this.discarding) {
      const frame = this.decodeWindow(buffer);
      if (frame !== undefined) return frame;
    }
    const config = this.config;
    for (;;) {
      const stop = this.discarding ? buffer.length : config.scanLimit;
      const q = buffer.indexOf(END, this.scanned, stop);
      if (q === -1) {
        const scanned = Math.min(buffer.length, stop);
        if (this.discarding) {
          buffer.skip(scanned);
          this.scanned = 0;
          return undefined;
        }
        this.escapes += this.countEscapes(buffer, this.scanned, scanned);
        this.scanned = scanned;
        // Every escape takes two bytes, so scanLimit (2 × maxFrameLength + 1) bytes are always over.
        // error.length is the bytes seen (as FrameTooLargeError documents for a scan still
        // running, and as cobs and the delimiters report it); the message says what they decode to.
        if (scanned - this.escapes > config.maxFrameLength) {
          this.tooLong(
            buffer,
            scanned,
            `no END within ${bytesText(scanned)}, decoding to at least ${bytesText(scanned - this.escapes)}: ` +
              `over the maximum frame length of ${bytesText(config.maxFrameLength)}`,
            false,
          );
        }
        return undefined;
      }
      if (this.discarding) {
        buffer.skip(q + 1);
        this.reset();
        this.discarding = false;
        continue;
      }
      if (q === 0) {
        // An empty frame (the leading END of the next frame, or line noise): ignored, as RFC 1055 does.
        buffer.skip(1);
        this.reset();
        continue;
      }
      // The first ESC: found while scanning, or in the bytes after the last scan (no re-scan).
      const firstEsc = this.firstEsc;
      const scanned = this.scanned;
      this.reset();
      // A frame that spans chunks is taken as one new array (a copy, not a view of a chunk: its
      // memory differs from the front chunk's), which is then unescaped in place: one copy per byte.
      const front = q > SMALL_FRAME ? buffer.peek(0, 1).buffer : undefined;
      const encoded = buffer.take(q);
      buffer.skip(1);
      const e = firstEsc !== -1 ? firstEsc : indexOfByte(encoded, ESC, scanned);
      return this.checkLength(
        e === -1 ? encoded : this.unescape(encoded, 0, q, e, front !== undefined && encoded.buffer !== front),
      );
    }
  }

  end(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    this.reset();
    this.closeWindow();
    if (this.discarding) {
      // The stream ended inside an oversized frame that was already reported: drop the rest.
      this.discarding = false;
      buffer.skip(buffer.length);
      return undefined;
    }
    const n = buffer.length;
    if (n === 0) return undefined;
    throw (this.failed = new TruncatedFrameError(n, `stream ended inside a SLIP frame: ${bytesText(n)} without an END (c0)`));
  }

  // The next frame cut from the window, or undefined when the window holds no END (the scan
  // state then continues after it, for the buffered path).
  private decodeWindow(buffer: ChunkBuffer): Uint8Array | undefined {
    let win = this.win;
    let at = this.winAt;
    if (at === win.length || buffer.length < win.length - at) {
      // Beyond the scan limit the bounded search of the buffered path takes over.
      if (buffer.chunkCount !== 1 || buffer.length >= this.config.scanLimit) {
        this.closeWindow();
        return undefined;
      }
      win = this.openWindow(buffer);
      at = 0;
      this.winEsc = UNKNOWN;
    }
    // Empty frames (the leading END) are skipped along with the frame after them, in one go.
    const first = at;
    for (;;) {
      if (this.scanned === 0) while (at < win.length && win[at] === END) at++;
      const q = indexOfByte(win, END, at + this.scanned);
      if (q === -1) {
        // Not in this chunk: count its escapes for the limit and go on after it.
        if (at > first) buffer.skip(at - first);
        this.escapes += this.countWindowEscapes(at + this.scanned, win.length, at);
        this.scanned = win.length - at;
        this.closeWindow();
        return undefined;
      }
      buffer.skip(q + 1 - first);
      this.reset();
      let e = this.winEsc;
      if (e === UNKNOWN || (e !== -1 && e < at)) e = indexOfByte(win, ESC, at);
      this.winEsc = e;
      return this.windowFrame(at, q, e);
    }
  }

  // The frame win[at, q) (its END at q, its first ESC at e, or none if e is -1 or past q): a view
  // of the window when it has no escape, else decoded; or reported as too long. Moves the window
  // past it.
  private windowFrame(at: number, q: number, e: number): Uint8Array {
    if (e === -1 || e > q) {
      if (q - at <= this.maxFrameLength) {
        const frame = new Uint8Array(this.winBuffer, this.winOffset + at, q - at);
        this.passWindow(q + 1);
        return frame;
      }
    } else if (q - at <= SMALL_FRAME + 2 && q - at <= this.maxFrameLength) {
      const frame = this.unescapeSmall(this.win, at, q, e);
      if (frame !== undefined) {
        this.passWindow(q + 1);
        return frame;
      }
    }
    const win = this.win;
    const escaped = e !== -1 && e < q;
    // The window moves past the frame first: decoding it may throw a recoverable error.
    this.passWindow(q + 1);
    return this.checkLength(escaped ? this.unescape(win, at, q, e) : win.subarray(at, q));
  }

  // Escapes completed in win[from, to) (see `escapes`), using and moving the cached position of
  // the next ESC; win[front] is the buffer's first byte (for firstEsc).
  private countWindowEscapes(from: number, to: number, front: number): number {
    const win = this.win;
    let count = 0;
    if (this.escPending && from < to) {
      // win[from] is the second byte of an escape begun in an earlier chunk.
      this.escPending = false;
      count++;
      from++;
    }
    let e = this.winEsc;
    if (e === UNKNOWN || (e !== -1 && e < from)) e = indexOfByte(win, ESC, from);
    if (this.firstEsc === -1 && e !== -1 && e < to) this.firstEsc = e - front;
    while (e !== -1 && e < to) {
      if (e + 1 === to) {
        this.escPending = true;
        break;
      }
      count++;
      e = indexOfByte(win, ESC, e + 2);
    }
    this.winEsc = e;
    return count;
  }

  // The frame is whole and already removed from the buffer (END too): check the limit.
  private checkLength(frame: Uint8Array): Uint8Array {
    const max = this.config.maxFrameLength;
    const size = frame.length;
    if (size > max) {
      this.tooLong(undefined, size, `frame decodes to ${bytesText(size)}, over the maximum frame length of ${bytesText(max)}`, true);
    }
    return frame;
  }

  // Decodes bytes[start, end), a frame of the window (END excluded) whose first ESC is at `e`, if
  // it has one or two escapes and decodes to at most SMALL_FRAME bytes: 96% of the frames with
  // escapes among random 64-byte payloads. One `slice` (at that size V8 keeps the array on its
  // heap, which is cheap), each escape decoded in place and the bytes after it moved down.
  // Returns undefined, changing nothing, for any other frame (a bad escape too): `unescape`
  // takes it. `bytes` is the plain window (a Node Buffer's `slice` would make a view, not a
  // copy). Leaves in winEsc the first ESC after the frame (the search for the last one went
  // there).
  private unescapeSmall(bytes: Uint8Array, start: number, end: number, e: number): Uint8Array | undefined {
    const i = e + 1;
    const decoded = decodedByte(i < end ? bytes[i]! : -1);
    if (decoded === -1) return undefined;
    const e2 = indexOfByte(bytes, ESC, i + 1);
    const o = e - start;
    if (e2 === -1 || e2 > end) {
      if (end - start - 1 > SMALL_FRAME) return undefined;
      this.winEsc = e2;
      // out[k] holds bytes[start + k] (all but the last byte): the bytes after the escape move
      // down by one (the last one comes from `bytes`).
      const out = bytes.slice(start, end - 1);
      out.copyWithin(o + 1, o + 2, end - 1 - start);
      out[end - 2 - start] = bytes[end - 1]!;
      out[o] = decoded;
      return out;
    }
    const decoded2 = decodedByte(e2 + 1 < end ? bytes[e2 + 1]! : -1);
    if (decoded2 === -1) return undefined;
    const e3 = indexOfByte(bytes, ESC, e2 + 2);
    if (e3 !== -1 && e3 < end) return undefined;
    this.winEsc = e3;
    // out[k] holds bytes[start + k] (all but the last two): the bytes between the escapes move
    // down by one, those after them by two (the last two from `bytes`).
    const out = bytes.slice(start, end - 2);
    out[o] = decoded;
    const o2 = e2 - start - 1;
    if (o2 - o - 1 > SMALL_RUN) out.copyWithin(o + 1, o + 2, o2 + 1);
    else for (let p = o + 1; p < o2; p++) out[p] = out[p + 1]!;
    out[o2] = decoded2;
    let p = o2 + 1;
    let k = e2 + 2;
    if (end - k > SMALL_RUN) {
      out.copyWithin(p, k - start, end - 2 - start);
      p += end - 2 - k;
      k = end - 2;
    }
    for (; k < end; k++, p++) out[p] = bytes[k]!;
    return out;
  }

  // Decodes bytes[start, end), a frame (END excluded) whose first ESC is at `e`, into one new
  // array: the frame copied into the output pool, then each escape decoded in place and the run
  // after it moved down over the freed byte. Leaves in winEsc the first ESC after `end` (the
  // search for the last one went there anyway).
  // `owned`: bytes is a copy this decoder may write to (the frame is unescaped in place, no copy).
  private unescape(bytes: Uint8Array, start: number, end: number, e: number, owned = false): Uint8Array {
    const n = end - start;
    let out = bytes;
    let base = start;
    if (!owned) {
      pool.reserve(n);
      out = pool.array;
      base = pool.offset;
      if (n > SMALL_RUN) {
        out.set(new Uint8Array(bytes.buffer, bytes.byteOffset + start, n), base);
      } else {
        for (let k = 0; k < n; k++) out[base + k] = bytes[start + k]!;
      }
    }
    // out[base + (i - start)] holds bytes[i]; decoded bytes go to `o`, never past it.
    let o = base + (e - start);
    for (;;) {
      // bytes[e] is an ESC.
      const i = e + 1;
      if (i === end) {
        this.malformed(bytes, e, end, o - base, `SLIP frame ends with ESC (db) at offset ${e - start}, right before END; frame dropped`);
      }
      const next = bytes[i]!;
      const decoded = decodedByte(next);
      if (decoded === -1) {
        this.malformed(
          bytes,
          e,
          end,
          o - base,
          `invalid SLIP escape db ${byteHex(next).slice(2)} at offset ${e - start} (ESC must be followed by dc or dd); frame dropped`,
        );
      }
      out[o++] = decoded;
      e = indexOfByte(bytes, ESC, i + 1);
      let runEnd = e;
      if (e === -1 || e > end) {
        this.winEsc = e;
        runEnd = end;
      }
      // Move the run bytes[i + 1, runEnd) down to `o`.
      const from = base + (i + 1 - start);
      const length = runEnd - (i + 1);
      if (length > SMALL_RUN) {
        out.copyWithin(o, from, from + length);
        o += length;
      } else {
        for (let k = 0; k < length; k++) out[o++] = out[from + k]!;
      }
      if (runEnd === end) break;
    }
    return owned ? bytes.subarray(start, o) : pool.commit(o - base);
  }

  // A bad escape at bytes[e], in a frame ending at `end` whose bytes before `e` decoded to
  // `decoded` bytes (bytes[e, end) are as received; those before may already be overwritten). A
  // frame that is also too long is reported as too long, as it is when its bytes arrive one by
  // one (the limit is checked as they arrive, escapes paired and counted the same way).
  private malformed(bytes: Uint8Array, e: number, end: number, decoded: number, message: string): never {
    const rest = bytes.subarray(e, end);
    let escapes = 0;
    for (let k = indexOfByte(rest, ESC, 0); k !== -1 && k + 1 < rest.length; k = indexOfByte(rest, ESC, k + 2)) escapes++;
    const size = decoded + (end - e) - escapes;
    const max = this.config.maxFrameLength;
    if (size > max) {
      this.tooLong(undefined, size, `frame decodes to at least ${bytesText(size)}, over the maximum frame length of ${bytesText(max)}`, true);
    }
    throw new MalformedFrameError(message, { recoverable: true });
  }

  private reset(): void {
    this.scanned = 0;
    this.escapes = 0;
    this.escPending = false;
    this.firstEsc = -1;
  }

  // Escapes completed in the buffer's [from, to) (see `escapes`); records the first ESC in firstEsc.
  private countEscapes(buffer: ChunkBuffer, from: number, to: number): number {
    let count = 0;
    if (this.escPending && from < to) {
      // The byte at `from` is the second byte of an escape begun before it.
      this.escPending = false;
      count++;
      from++;
    }
    let at = buffer.indexOf(ESC, from, to);
    if (this.firstEsc === -1 && at !== -1) this.firstEsc = at;
    for (; at !== -1; at = buffer.indexOf(ESC, at + 2, to)) {
      if (at + 1 === to) {
        this.escPending = true;
        break;
      }
      count++;
    }
    return count;
  }

  // `dropped`: the whole frame, END included, is already gone from the buffer.
  private tooLong(buffer: ChunkBuffer | undefined, length: number, message: string, dropped: boolean): never {
    const { discard, maxFrameLength } = this.config;
    const error = new FrameTooLargeError(length, maxFrameLength, discard ? `${message}; dropping the frame` : message, {
      recoverable: discard,
    });
    // The hot path relies on it: an open window means no error and no discarding.
    this.closeWindow();
    if (!discard) throw (this.failed = error);
    if (!dropped && buffer !== undefined) {
      this.discarding = true;
      buffer.skip(Math.min(buffer.length, this.scanned));
      this.reset();
    }
    throw error;
  }
}

// Runs of more than this many bytes are copied natively (`set` from a view, `copyWithin`); shorter
// ones byte by byte, which is cheaper for a few bytes than a native call and a view.
const SMALL_RUN = 16;

/** The byte that ESC followed by `code` stands for, or -1 if that is no SLIP escape. */
function decodedByte(code: number): number {
  return code === ESC_END ? END : code === ESC_ESC ? ESC : -1;
}

class SlipEncoder implements FrameEncoder {
  constructor(private readonly config: SlipConfig) {}

  encode(payload: Uint8Array): Uint8Array[] {
    checkPayload(payload, 'slip');
    const n = payload.length;
    const { maxFrameLength, leadingEnd } = this.config;
    if (n > maxFrameLength) {
      throw new FrameTooLargeError(n, maxFrameLength, `payload of ${bytesText(n)} exceeds the maximum frame length of ${bytesText(maxFrameLength)}`);
    }
    if (n === 0) {
      throw new UnencodablePayloadError(
        'SLIP cannot carry an empty payload: RFC 1055 receivers, this decoder included, ignore empty frames',
      );
    }
    const firstEnd = indexOfByte(payload, END, 0);
    const firstEsc = indexOfByte(payload, ESC, 0);
    if (firstEnd === -1 && firstEsc === -1) return leadingEnd ? [END_PART, payload, END_PART] : [payload, END_PART];
    const firstSpecial = firstEnd === -1 ? firstEsc : firstEsc === -1 ? firstEnd : Math.min(firstEnd, firstEsc);
    // Room for every byte from the first special one on to be escaped; counted exactly only when
    // that bound is large, so that small frames take one pass.
    let room = (leadingEnd ? 2 : 1) + n + (n - firstSpecial);
    if (room > POOL_ROOM) {
      room = (leadingEnd ? 2 : 1) + n;
      for (let k = firstSpecial; k < n; k++) {
        const b = payload[k]!;
        if (b === END || b === ESC) room++;
      }
    }
    pool.reserve(room);
    const out = pool.array;
    const base = pool.offset;
    let o = base;
    if (leadingEnd) out[o++] = END;
    if (firstSpecial > SMALL_RUN) {
      out.set(new Uint8Array(payload.buffer, payload.byteOffset, firstSpecial), o);
      o += firstSpecial;
    } else {
      for (let k = 0; k < firstSpecial; k++) out[o++] = payload[k]!;
    }
    for (let k = firstSpecial; k < n; k++) {
      const b = payload[k]!;
      if (b === END) {
        out[o++] = ESC;
        out[o++] = ESC_END;
      } else if (b === ESC) {
        out[o++] = ESC;
        out[o++] = ESC_ESC;
      } else {
        out[o++] = b;
      }
    }
    out[o++] = END;
    return [pool.commit(o - base)];
  }
}

// Above this many bytes the encoder counts the escapes before reserving its output.
const POOL_ROOM = 1024;

// An idle decoder and encoder, kept so that V8 keeps their optimized code (keepWarm, from @framewire/chunk-buffer).
const idle = slip();
keepWarm(idle.createDecoder(), idle.createEncoder());
