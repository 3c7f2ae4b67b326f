import type { FramingStrategy } from '@framewire/chunk-buffer';
import { delimiter } from './delimiter.js';
import type { DelimiterPresetOptions } from './delimiter.js';
import { checkOptionsObject } from './internal.js';

const LF = Uint8Array.of(0x0a);
const CRLF = Uint8Array.of(0x0d, 0x0a);

/**
 * Lines: each payload followed by `\n`. The decoder also accepts `\r\n` and strips both bytes,
 * so it reads Unix and Windows/network line endings alike; a lone `\r` is an ordinary byte.
 * Named `line`. Wire-compatible with Twisted's `LineReceiver` (with `delimiter = b"\n"`) and
 * Netty's `LineBasedFrameDecoder`.
 *
 * ```text
 * line()
 *
 * BEFORE (wire, 12 bytes)                      AFTER (frames)
 * 68 69 0a 79 6f 0d 0a 0a 21 0d 0d 0a    →     "hi"  "yo"  ""  "!\r"
 * └─┬─┘ ↑  └─┬─┘ └─┬─┘ ↑  └─┬─┘ └─┬─┘
 *  hi   \n  yo    \r\n \n  !\r   \r\n
 * ```
 *
 * The encoder writes `\n`. It refuses a payload that contains `\n`, or that ends with `\r` (the
 * decoder would take that `\r` for part of a `\r\n` and strip it), with an
 * `UnencodablePayloadError`.
 *
 * Limits: `maxFrameLength` counts the line without its `\n` or `\r\n`, so a line of exactly
 * `maxFrameLength` bytes passes whichever ending it has and wherever the chunks split the `\r\n`
 * (Twisted #6556). Empty lines are legal zero-length frames.
 *
 * A one-line specialisation of {@link delimiter} with `delimiters: [\n, \r\n]`; every other
 * option is the same.
 */
export function line(options: DelimiterPresetOptions = {}): FramingStrategy {
  return delimiter({ name: 'line', ...checkOptionsObject(options, 'line'), delimiters: [LF, CRLF] });
}
