import { FrameTooLargeError, resolveMaxFrameLength } from '@framewire/chunk-buffer';
import type { ChunkBuffer, FrameDecoder, FrameEncoder, FramingOptions, FramingStrategy } from '@framewire/chunk-buffer';

/**
 * `raw`: no framing at all. The decoder hands back whatever bytes are buffered — with the
 * decode loop pushing one received chunk at a time, that is every chunk exactly as it
 * arrived (`recv(8)` → `Hey ther`, `e!!!`), cut into pieces of at most `maxFrameLength`. The
 * encoder writes the payload as it is (refusing one over `maxFrameLength`), so message
 * boundaries are lost on the wire. It exists to show the problem framing solves.
 *
 * ```
 * payloads "Hello", "Bye"  →  wire: 48 65 6c 6c 6f 42 79 65  →  chunks: whatever TCP delivers
 * ```
 */
export function raw(options: FramingOptions = {}): FramingStrategy {
  const maxFrameLength = resolveMaxFrameLength(options.maxFrameLength);
  const encoder: FrameEncoder = {
    encode(payload) {
      if (payload.length > maxFrameLength) throw new FrameTooLargeError(payload.length, maxFrameLength);
      return [payload];
    },
  };
  return Object.freeze({
    name: 'raw',
    maxFrameLength,
    maxWireLength: maxFrameLength,
    createDecoder(): FrameDecoder {
      return {
        // Everything buffered, in pieces of at most maxFrameLength (like recv(N)).
        decode(buffer: ChunkBuffer) {
          const n = Math.min(buffer.length, maxFrameLength);
          return n === 0 ? undefined : buffer.take(n);
        },
        end() {
          return undefined;
        },
      };
    },
    createEncoder() {
      return encoder;
    },
  });
}
