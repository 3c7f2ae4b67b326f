/**
 * Two tiny strategies used only by this package's tests (never exported): enough to drive the
 * decode loop through frames, partial frames, unrecoverable and recoverable errors. The real
 * strategies live in `@framewire/header` and `@framewire/footer`.
 */
import type { ChunkBuffer } from '../../src/chunk-buffer.js';
import { FrameTooLargeError, TruncatedFrameError } from '../../src/errors.js';
import type { FrameDecoder, FrameEncoder, FramingStrategy } from '../../src/framing.js';
import { resolveMaxFrameLength } from '../../src/framing.js';

/**
 * `u8`: a 1-byte length, then the payload. A length over `maxFrameLength` is unrecoverable
 * (the stream has lost its place).
 *
 * ```
 * BEFORE (5 bytes)                   AFTER (4 bytes)
 * +--------+-----------------+       +-----------------+
 * | Length | Payload         |       | Payload         |
 * | 0x04   | "h" "e" "y" "!" |  -->  | "h" "e" "y" "!" |
 * +--------+-----------------+       +-----------------+
 * ```
 */
export function u8Strategy(options: { maxFrameLength?: number } = {}): FramingStrategy {
  const maxFrameLength = Math.min(resolveMaxFrameLength(options.maxFrameLength), 255);
  return Object.freeze({
    name: 'u8-test',
    maxFrameLength,
    maxWireLength: maxFrameLength + 1,
    createDecoder(): FrameDecoder {
      let failed: FrameTooLargeError | undefined;
      return {
        decode(buffer: ChunkBuffer): Uint8Array | undefined {
          if (failed) throw failed;
          if (buffer.length < 1) return undefined;
          const length = buffer.readUint8(0);
          if (length > maxFrameLength) throw (failed = new FrameTooLargeError(length, maxFrameLength));
          if (buffer.length < 1 + length) return undefined;
          buffer.skip(1);
          return buffer.take(length);
        },
        end(buffer: ChunkBuffer): Uint8Array | undefined {
          if (failed) throw failed;
          if (buffer.length > 0) throw new TruncatedFrameError(buffer.length);
          return undefined;
        },
      };
    },
    createEncoder(): FrameEncoder {
      return {
        encode(payload: Uint8Array): Uint8Array[] {
          if (payload.length > maxFrameLength) throw new FrameTooLargeError(payload.length, maxFrameLength);
          return [Uint8Array.of(payload.length), payload];
        },
      };
    },
  });
}

const NL = 0x0a;

/**
 * `line`: payload, then `\n`. A line longer than `maxFrameLength` is dropped up to its `\n`
 * and reported as a recoverable `FrameTooLargeError`; decoding resumes at the next line.
 * Keeps its scan position so no byte is searched twice.
 */
export function lineStrategy(options: { maxFrameLength?: number } = {}): FramingStrategy {
  const maxFrameLength = resolveMaxFrameLength(options.maxFrameLength);
  return Object.freeze({
    name: 'line-test',
    maxFrameLength,
    maxWireLength: maxFrameLength + 1,
    createDecoder(): FrameDecoder {
      // Where the next search for `\n` starts: bytes before it are known not to hold one.
      let scanned = 0;
      // True while dropping the rest of an over-long line, up to its `\n`.
      let discarding = false;
      return {
        decode(buffer: ChunkBuffer): Uint8Array | undefined {
          if (discarding) {
            const nl = buffer.indexOf(NL);
            if (nl === -1) {
              buffer.skip(buffer.length);
              return undefined;
            }
            buffer.skip(nl + 1);
            discarding = false;
          }
          const nl = buffer.indexOf(NL, scanned, maxFrameLength + 1);
          if (nl !== -1) {
            scanned = 0;
            const frame = buffer.take(nl);
            buffer.skip(1);
            return frame;
          }
          if (buffer.length <= maxFrameLength) {
            scanned = buffer.length;
            return undefined;
          }
          const seen = buffer.length;
          scanned = 0;
          const next = buffer.indexOf(NL, maxFrameLength + 1);
          if (next === -1) {
            buffer.skip(buffer.length);
            discarding = true;
          } else {
            buffer.skip(next + 1);
          }
          throw new FrameTooLargeError(seen, maxFrameLength, undefined, { recoverable: true });
        },
        end(buffer: ChunkBuffer): Uint8Array | undefined {
          if (buffer.length > 0) throw new TruncatedFrameError(buffer.length);
          return undefined;
        },
      };
    },
    createEncoder(): FrameEncoder {
      const footer = Uint8Array.of(NL);
      return {
        encode(payload: Uint8Array): Uint8Array[] {
          if (payload.length > maxFrameLength) throw new FrameTooLargeError(payload.length, maxFrameLength);
          return [payload, footer];
        },
      };
    },
  });
}

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * `text` as UTF-8 bytes split into chunks of the given sizes (the last chunk takes the rest).
 * Each chunk is a copy, as a socket read is: views of one array would lie back to back in
 * memory, and `take` would join them instead of copying.
 */
export function chunked(data: Uint8Array | string, ...sizes: number[]): Uint8Array[] {
  const all = typeof data === 'string' ? bytes(data) : data;
  const out: Uint8Array[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(new Uint8Array(all.subarray(at, at + size)));
    at += size;
  }
  out.push(new Uint8Array(all.subarray(at)));
  return out;
}

/** The frames as text. */
export function texts(frames: Iterable<Uint8Array>): string[] {
  const decoder = new TextDecoder();
  return Array.from(frames, (frame) => decoder.decode(frame));
}
