import type { FramingOptions, FramingStrategy } from '@framewire/chunk-buffer';
import { cobs } from './cobs.js';
import { crlf } from './crlf.js';
import { delimiter } from './delimiter.js';
import { checkOptionsObject } from './internal.js';
import { line } from './line.js';
import { nul } from './nul.js';
import { slip } from './slip.js';

/**
 * The names {@link footerStrategy} resolves, as the CLI's `--framing` lists them. `delim:HEX`
 * stands for any delimiter written in hex (`delim:0d0a`).
 */
export const FOOTER_STRATEGY_NAMES: readonly string[] = Object.freeze(['line', 'crlf', 'nul', 'delim:HEX', 'cobs', 'slip']);

const FIXED: Readonly<Record<string, (options?: FramingOptions) => FramingStrategy>> = Object.freeze({
  line,
  crlf,
  nul,
  cobs,
  slip,
});

const DELIM_PREFIX = 'delim:';

/**
 * The footer strategy with this name, built with `options`, or `undefined` when the name is not
 * one of {@link FOOTER_STRATEGY_NAMES}. `delim:HEX` takes the delimiter as an even number of hex
 * digits, upper or lower case (`delim:0d0a`, `delim:00`); the strategy's name is then in lowercase.
 *
 * @example
 * ```ts
 * footerStrategy('line');                              // line()
 * footerStrategy('delim:0D0A', { maxFrameLength: 1024 }); // delimiter \r\n, named 'delim:0d0a'
 * footerStrategy('u32be');                             // undefined: not a footer strategy
 * ```
 *
 * @throws RangeError for a `delim:` name whose hex is empty, odd-length or not hex, naming the problem;
 * TypeError when `options` is not an object.
 */
export function footerStrategy(name: string, options?: FramingOptions): FramingStrategy | undefined {
  if (Object.hasOwn(FIXED, name)) return FIXED[name]!(options);
  if (!name.startsWith(DELIM_PREFIX)) return undefined;
  const hex = name.slice(DELIM_PREFIX.length);
  return delimiter({ ...checkOptionsObject(options, name), delimiters: parseHex(hex, name) });
}

function parseHex(hex: string, name: string): Uint8Array {
  if (hex.length === 0) throw new RangeError(`${name}: the delimiter needs at least one byte of hex (as in delim:0a)`);
  const bad = /[^0-9a-fA-F]/.exec(hex);
  if (bad !== null) {
    throw new RangeError(`${name}: ${JSON.stringify(bad[0])} at position ${bad.index} is not a hex digit`);
  }
  if (hex.length % 2 !== 0) {
    throw new RangeError(`${name}: the delimiter needs an even number of hex digits, two per byte (got ${hex.length})`);
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
