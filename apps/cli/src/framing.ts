/**
 * One registry of every framing name the CLI accepts: the header strategies, the footer
 * strategies and `raw`. Shared by every command (`--framing NAME`, `--max-frame BYTES`).
 *
 * @module
 */
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { FOOTER_STRATEGY_NAMES, footerStrategy } from '@framewire/footer';
import { HEADER_STRATEGY_NAMES, headerStrategy } from '@framewire/header';
import { UsageError } from './errors.js';
import { raw } from './raw.js';

/**
 * Every framing name, as listed in help and error messages. Parameterised names appear as
 * their pattern (`ascii:W`, `delim:HEX`).
 */
export const FRAMING_NAMES: readonly string[] = Object.freeze([...HEADER_STRATEGY_NAMES, ...FOOTER_STRATEGY_NAMES, 'raw']);

/** The framing used when `--framing` is not given. */
export const DEFAULT_FRAMING = 'u32be';

/** Options of {@link resolveFraming}. */
export interface ResolveFramingOptions {
  /**
   * Largest payload in bytes, for encoding and decoding (`--max-frame`). Defaults to the
   * strategy's own documented default (8 MiB for most; less where the length field is
   * smaller, such as `u8`).
   */
  maxFrameLength?: number | undefined;
}

/**
 * Resolves a framing name (`u32be`, `ascii:10`, `delim:0d0a`, `cobs`, `raw`…) to a strategy.
 * Throws a {@link UsageError} (exit 2) listing the valid names when the name is unknown, or
 * naming the problem when its parameter or `maxFrameLength` is invalid for it.
 */
export function resolveFraming(name: string, options: ResolveFramingOptions = {}): FramingStrategy {
  const strategyOptions = options.maxFrameLength === undefined ? {} : { maxFrameLength: options.maxFrameLength };
  let strategy: FramingStrategy | undefined;
  try {
    strategy =
      name === 'raw'
        ? raw(strategyOptions)
        : (headerStrategy(name, strategyOptions) ?? footerStrategy(name, strategyOptions));
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new UsageError(`invalid framing '${name}': ${error.message}`, { cause: error });
    }
    throw error;
  }
  if (strategy === undefined) {
    throw new UsageError(`unknown framing '${name}'; valid framings: ${FRAMING_NAMES.join(', ')}`);
  }
  return strategy;
}
