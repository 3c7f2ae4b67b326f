import type { FramingStrategy } from '@framewire/chunk-buffer';
import { delimiter } from './delimiter.js';
import type { DelimiterPresetOptions } from './delimiter.js';
import { checkOptionsObject } from './internal.js';

const NUL = Uint8Array.of(0x00);

/**
 * NUL-terminated frames: each payload followed by one `0x00` byte, like C strings (STOMP frames
 * end this way). Named `nul`. For text without NUL bytes; use `cobs` to carry binary data with
 * the same terminator.
 *
 * ```text
 * nul()
 *
 * BEFORE (payloads)         AFTER (wire, 6 bytes)
 * "ab"  ""  "c"       →     61 62 00 00 63 00
 *                           └ab─┘ ↑  ↑  c  ↑
 * ```
 *
 * The encoder refuses a payload that contains `0x00` with an `UnencodablePayloadError`.
 * Zero-length frames are legal (a `00` right after another).
 *
 * A one-line specialisation of {@link delimiter}; every other option is the same.
 */
export function nul(options: DelimiterPresetOptions = {}): FramingStrategy {
  return delimiter({ name: 'nul', ...checkOptionsObject(options, 'nul'), delimiters: NUL });
}
