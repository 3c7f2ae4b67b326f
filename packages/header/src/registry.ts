import type { FramingOptions, FramingStrategy } from '@framewire/chunk-buffer';
import { MAX_ASCII_WIDTH, ascii } from './ascii.js';
import { netstring } from './netstring.js';
import { u8, u16be, u16le, u24be, u32be, u32le, u64be, u64le } from './presets.js';
import { checkOptionsObject } from './shared.js';
import { varint } from './varint.js';

/**
 * The names {@link headerStrategy} resolves, for help texts and usage errors. `ascii:W`
 * stands for any width from 1 to 64 (`ascii:10`, `ascii:4`); plain `ascii` is `ascii:10`.
 */
export const HEADER_STRATEGY_NAMES: readonly string[] = Object.freeze([
  'u8',
  'u16be',
  'u16le',
  'u24be',
  'u32be',
  'u32le',
  'u64be',
  'u64le',
  'varint',
  'ascii:W',
  'netstring',
]);

const FACTORIES: ReadonlyMap<string, (options?: FramingOptions) => FramingStrategy> = new Map([
  ['u8', u8],
  ['u16be', u16be],
  ['u16le', u16le],
  ['u24be', u24be],
  ['u32be', u32be],
  ['u32le', u32le],
  ['u64be', u64be],
  ['u64le', u64le],
  ['varint', varint],
  ['netstring', netstring],
]);

/**
 * Resolves a strategy name as used by the CLI's `--framing` (`u32be`, `varint`, `ascii:10`,
 * `netstring`…) to a configured strategy, or `undefined` if the name is not a header
 * strategy (it may be a footer strategy's). Names are exact and case-sensitive.
 *
 * @example
 * ```ts
 * headerStrategy('u16le', { maxFrameLength: 1024 })?.name; // 'u16le'
 * headerStrategy('ascii')?.name;                           // 'ascii:10'
 * headerStrategy('line');                                  // undefined
 * ```
 *
 * @throws RangeError for a known family with a bad parameter (`ascii:0`, `ascii:x`, a width
 * over 64 such as `ascii:65`: see `ascii`'s `width`), or an invalid `maxFrameLength`;
 * TypeError when `options` is not an object.
 */
export function headerStrategy(name: string, options?: FramingOptions): FramingStrategy | undefined {
  const factory = FACTORIES.get(name);
  if (factory !== undefined) return factory(options);
  if (name !== 'ascii' && !name.startsWith('ascii:')) return undefined;
  checkOptionsObject(options, 'ascii');
  if (name === 'ascii') return ascii({ maxFrameLength: options?.maxFrameLength });
  const param = name.slice('ascii:'.length);
  const width = Number(param);
  // Checked here, not left to ascii(): its message would name the option `width`, not the name.
  if (!/^[1-9][0-9]*$/.test(param) || width > MAX_ASCII_WIDTH) {
    throw new RangeError(`ascii:W needs a width W from 1 to ${MAX_ASCII_WIDTH}, like ascii:10 (got "${name}")`);
  }
  return ascii({ width, maxFrameLength: options?.maxFrameLength });
}
