/**
 * One registry of every framing name the CLI accepts: the header strategies, the footer
 * strategies and `raw`. Shared by every command (`--framing NAME`, `--max-frame BYTES`).
 *
 * @module
 */
import { TruncatedFrameError } from '@framewire/chunk-buffer';
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { FOOTER_STRATEGY_NAMES, footerStrategy } from '@framewire/footer';
import type { DelimiterPresetOptions } from '@framewire/footer';
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
  /**
   * Whether bytes left after the last delimiter at end of stream form a last frame instead of
   * being a truncation error (`--allow-unterminated`; the footer's `allowUnterminatedLast`).
   * Only for the delimiter framings ({@link isDelimiterFraming}); `true` with any other is a
   * {@link UsageError}. Defaults to `false`.
   */
  allowUnterminatedLast?: boolean | undefined;
}

/** The delimiter framings (`line`, `crlf`, `nul`, `delim:HEX`), as help and errors list them. */
export const DELIMITER_FRAMING_NAMES: readonly string[] = Object.freeze(['line', 'crlf', 'nul', 'delim:HEX']);

/**
 * True for the framings that end each frame with a plain delimiter (`line`, `crlf`, `nul`,
 * `delim:HEX`): those whose last frame may be accepted without it. (`cobs` and `slip` end
 * frames with a byte too, but a frame without it is not a whole frame.)
 */
export function isDelimiterFraming(name: string): boolean {
  return name === 'line' || name === 'crlf' || name === 'nul' || name.startsWith('delim:');
}

/** The CLI flag that sets {@link ResolveFramingOptions.allowUnterminatedLast}. */
export const ALLOW_UNTERMINATED_FLAG = '--allow-unterminated';

/**
 * Resolves a framing name (`u32be`, `ascii:10`, `delim:0d0a`, `cobs`, `raw`…) to a strategy.
 * Throws a {@link UsageError} (exit 2) listing the valid names when the name is unknown, or
 * naming the problem when its parameter or `maxFrameLength` is invalid for it, or (after an
 * unknown name) when `allowUnterminatedLast` is set for a framing that is not a delimiter framing.
 */
export function resolveFraming(name: string, options: ResolveFramingOptions = {}): FramingStrategy {
  const allowUnterminatedLast = options.allowUnterminatedLast === true;
  const delimited = isDelimiterFraming(name);
  const strategyOptions: DelimiterPresetOptions = {
    ...(options.maxFrameLength === undefined ? {} : { maxFrameLength: options.maxFrameLength }),
    // footerStrategy builds line, crlf, nul and delim:HEX with every option it is given.
    ...(allowUnterminatedLast && delimited ? { allowUnterminatedLast } : {}),
  };
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
  if (allowUnterminatedLast && !delimited) {
    throw new UsageError(
      `${ALLOW_UNTERMINATED_FLAG} applies only to the delimiter framings (${DELIMITER_FRAMING_NAMES.join(', ')}), not to --framing ${name}`,
    );
  }
  return strategy;
}

/**
 * `error`, raised while decoding with `strategy`, as the CLI reports it. A delimiter
 * framing's truncation error (a stream that ended after the last delimiter) names the
 * library's `allowUnterminatedLast` option; the CLI's names {@link ALLOW_UNTERMINATED_FLAG}
 * instead, keeping the footer's text up to its `;`. Any other error is returned as it is.
 */
export function framingErrorForCli(error: unknown, strategy: FramingStrategy): unknown {
  if (!(error instanceof TruncatedFrameError) || !isDelimiterFraming(strategy.name)) return error;
  const cut = error.message.indexOf(';');
  const what = cut === -1 ? error.message : error.message.slice(0, cut);
  return new TruncatedFrameError(
    error.bufferedBytes,
    `${what}; pass ${ALLOW_UNTERMINATED_FLAG} to accept an unterminated last frame`,
    { cause: error },
  );
}
