import type { FramingStrategy } from '@framewire/chunk-buffer';
import { delimiter } from './delimiter.js';
import type { DelimiterPresetOptions } from './delimiter.js';
import { checkOptionsObject } from './internal.js';

const CRLF = Uint8Array.of(0x0d, 0x0a);

/**
 * CRLF lines: each payload followed by `\r\n`, as in the text protocols of the internet (SMTP,
 * HTTP/1 headers, Redis inline commands) and Twisted's `LineReceiver` default. Named `crlf`.
 * A lone `\r` or `\n` is an ordinary byte.
 *
 * ```text
 * crlf()
 *
 * BEFORE (payloads)               AFTER (wire, 11 bytes)
 * "OK"  "a\nb"  ""          →     4f 4b 0d 0a 61 0a 62 0d 0a 0d 0a
 *                                 └─┬─┘ └─┬─┘ └──┬───┘ └─┬─┘ └─┬─┘
 *                                  OK   \r\n  a\nb   \r\n  \r\n
 * ```
 *
 * The encoder refuses a payload that contains `\r\n` with an `UnencodablePayloadError`. The
 * `\r\n` may be split across chunks anywhere, including right after a line of exactly
 * `maxFrameLength` bytes. Empty lines are legal zero-length frames.
 *
 * A one-line specialisation of {@link delimiter}; every other option is the same.
 */
export function crlf(options: DelimiterPresetOptions = {}): FramingStrategy {
  return delimiter({ name: 'crlf', ...checkOptionsObject(options, 'crlf'), delimiters: CRLF });
}
