/**
 * The named binary length prefixes: each is {@link lengthPrefix} with `lengthFieldLength`
 * and `byteOrder` set, the length counting the payload only, the header stripped. The
 * strategy's `name` is the preset's name. Only `maxFrameLength` can be set (default 8 MiB);
 * its effective value, reported by the strategy, is capped by what the field can express:
 * 255 for `u8`, 65,535 for `u16be`/`u16le`, 16,777,215 for `u24be` (when raised above it).
 *
 * ```text
 * u8      [len:1]                    payload      "hi" → 02 68 69
 * u16be   [len:2, big-endian]        payload      "hi" → 00 02 68 69
 * u16le   [len:2, little-endian]     payload      "hi" → 02 00 68 69
 * u24be   [len:3, big-endian]        payload      "hi" → 00 00 02 68 69
 * u32be   [len:4, big-endian]        payload      "hi" → 00 00 00 02 68 69
 * u32le   [len:4, little-endian]     payload      "hi" → 02 00 00 00 68 69
 * u64be   [len:8, big-endian]        payload      "hi" → 00 00 00 00 00 00 00 02 68 69
 * u64le   [len:8, little-endian]     payload      "hi" → 02 00 00 00 00 00 00 00 68 69
 * ```
 *
 * @module
 */

import type { FramingOptions, FramingStrategy } from '@framewire/chunk-buffer';
import { lengthPrefix } from './length-prefix.js';
import { checkOptionsObject } from './shared.js';

function preset(
  name: string,
  lengthFieldLength: 1 | 2 | 3 | 4 | 8,
  byteOrder: 'big' | 'little',
  options: FramingOptions | undefined,
): FramingStrategy {
  checkOptionsObject(options, name);
  return lengthPrefix({ lengthFieldLength, byteOrder, maxFrameLength: options?.maxFrameLength });
}

/** 1-byte length, then the payload (at most 255 bytes). */
export function u8(options?: FramingOptions): FramingStrategy {
  return preset('u8', 1, 'big', options);
}
/** 2-byte big-endian length, then the payload (at most 65,535 bytes). */
export function u16be(options?: FramingOptions): FramingStrategy {
  return preset('u16be', 2, 'big', options);
}
/** 2-byte little-endian length, then the payload (at most 65,535 bytes). */
export function u16le(options?: FramingOptions): FramingStrategy {
  return preset('u16le', 2, 'little', options);
}
/** 3-byte big-endian length, then the payload (at most 16,777,215 bytes, with a raised limit). */
export function u24be(options?: FramingOptions): FramingStrategy {
  return preset('u24be', 3, 'big', options);
}
/**
 * 4-byte big-endian length, then the payload: Netty's `LengthFieldPrepender(4)` +
 * `LengthFieldBasedFrameDecoder(max, 0, 4, 0, 4)`, tokio's `LengthDelimitedCodec::new()`,
 * Twisted's `Int32StringReceiver`.
 */
export function u32be(options?: FramingOptions): FramingStrategy {
  return preset('u32be', 4, 'big', options);
}
/** 4-byte little-endian length, then the payload. */
export function u32le(options?: FramingOptions): FramingStrategy {
  return preset('u32le', 4, 'little', options);
}
/** 8-byte big-endian length, then the payload. Lengths of 2^53 and more read exactly (as bigint). */
export function u64be(options?: FramingOptions): FramingStrategy {
  return preset('u64be', 8, 'big', options);
}
/** 8-byte little-endian length, then the payload. Lengths of 2^53 and more read exactly (as bigint). */
export function u64le(options?: FramingOptions): FramingStrategy {
  return preset('u64le', 8, 'little', options);
}
