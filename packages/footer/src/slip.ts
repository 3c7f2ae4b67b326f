import {
  FrameTooLargeError,
  MalformedFrameError,
  TruncatedFrameError,
  UnencodablePayloadError,
  resolveMaxFrameLength,
} from '@framewire/chunk-buffer';
import type {
  ChunkBuffer,
  FrameDecoder,
  FrameEncoder,
  FramingError,
  FramingOptions,
  FramingStrategy,
} from '@framewire/chunk-buffer';
import { booleanOption, byteHex, checkOptionsObject, tooLongOption } from './internal.js';
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
 * `TruncatedFrameError`.
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

class SlipDecoder implements FrameDecoder {
  // Where the next search for END starts: no END before it.
  private scanned = 0;
  // How many ESC bytes lie before `scanned`: the bytes so far decode to at least
  // `scanned - escapes`, which is what the limit is checked against.
  private escapes = 0;
  // True while dropping an oversized frame up to its END ('discard' mode).
  private discarding = false;
  // The unrecoverable error that ended the stream; every later call rethrows it.
  private failed: FramingError | undefined;

  constructor(private readonly config: SlipConfig) {}

  decode(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
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
        this.escapes += countEscapes(buffer, this.scanned, scanned);
        this.scanned = scanned;
        if (scanned - this.escapes > config.maxFrameLength || scanned >= config.scanLimit) {
          this.tooLong(
            buffer,
            scanned - this.escapes,
            `no END within ${scanned} bytes, which decode to at least ${scanned - this.escapes} bytes: ` +
              `over the maximum frame length of ${config.maxFrameLength} bytes`,
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
      const escapes = this.escapes + countEscapes(buffer, this.scanned, q);
      this.reset();
      const encoded = buffer.take(q);
      buffer.skip(1);
      const size = q - escapes;
      if (size > config.maxFrameLength) {
        this.tooLong(buffer, size, `frame decodes to ${size} bytes, over the maximum frame length of ${config.maxFrameLength} bytes`, true);
      }
      return escapes === 0 ? encoded : unescape(encoded, size);
    }
  }

  end(buffer: ChunkBuffer): Uint8Array | undefined {
    if (this.failed !== undefined) throw this.failed;
    this.reset();
    if (this.discarding) {
      // The stream ended inside an oversized frame that was already reported: drop the rest.
      this.discarding = false;
      buffer.skip(buffer.length);
      return undefined;
    }
    const n = buffer.length;
    if (n === 0) return undefined;
    throw (this.failed = new TruncatedFrameError(n, `stream ended inside a SLIP frame: ${n} bytes without an END (c0)`));
  }

  private reset(): void {
    this.scanned = 0;
    this.escapes = 0;
  }

  // `dropped`: the whole frame, END included, is already gone from the buffer.
  private tooLong(buffer: ChunkBuffer, length: number, message: string, dropped: boolean): never {
    const { discard, maxFrameLength } = this.config;
    const error = new FrameTooLargeError(length, maxFrameLength, discard ? `${message}; dropping the frame` : message, {
      recoverable: discard,
    });
    if (!discard) throw (this.failed = error);
    if (!dropped) {
      this.discarding = true;
      buffer.skip(Math.min(buffer.length, this.scanned));
      this.reset();
    }
    throw error;
  }
}

function countEscapes(buffer: ChunkBuffer, from: number, to: number): number {
  let count = 0;
  for (let at = buffer.indexOf(ESC, from, to); at !== -1; at = buffer.indexOf(ESC, at + 1, to)) count++;
  return count;
}

// Decodes a frame (END excluded) that holds escapes into a new array of `size` bytes.
function unescape(encoded: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const n = encoded.length;
  let o = 0;
  let i = 0;
  while (i < n) {
    const b = encoded[i++]!;
    if (b !== ESC) {
      out[o++] = b;
      continue;
    }
    if (i === n) {
      throw new MalformedFrameError(`SLIP frame ends with ESC (db) at offset ${i - 1}, right before END; frame dropped`, {
        recoverable: true,
      });
    }
    const e = encoded[i++]!;
    if (e === ESC_END) out[o++] = END;
    else if (e === ESC_ESC) out[o++] = ESC;
    else {
      throw new MalformedFrameError(
        `invalid SLIP escape db ${byteHex(e).slice(2)} at offset ${i - 2} (ESC must be followed by dc or dd); frame dropped`,
        { recoverable: true },
      );
    }
  }
  return out;
}

class SlipEncoder implements FrameEncoder {
  constructor(private readonly config: SlipConfig) {}

  encode(payload: Uint8Array): Uint8Array[] {
    const n = payload.length;
    const { maxFrameLength, leadingEnd } = this.config;
    if (n > maxFrameLength) {
      throw new FrameTooLargeError(n, maxFrameLength, `payload of ${n} bytes exceeds the maximum frame length of ${maxFrameLength} bytes`);
    }
    if (n === 0) {
      throw new UnencodablePayloadError(
        'SLIP cannot carry an empty payload: RFC 1055 receivers, this decoder included, ignore empty frames',
      );
    }
    const firstEnd = payload.indexOf(END);
    const firstEsc = payload.indexOf(ESC);
    if (firstEnd === -1 && firstEsc === -1) return leadingEnd ? [END_PART, payload, END_PART] : [payload, END_PART];
    let specials = 0;
    for (let k = Math.min(firstEnd === -1 ? n : firstEnd, firstEsc === -1 ? n : firstEsc); k < n; k++) {
      const b = payload[k]!;
      if (b === END || b === ESC) specials++;
    }
    const out = new Uint8Array(n + specials + (leadingEnd ? 2 : 1));
    let o = 0;
    if (leadingEnd) out[o++] = END;
    for (let k = 0; k < n; k++) {
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
    out[o] = END;
    return [out];
  }
}
