/**
 * Options shared by several commands, declared once so their flags, defaults and help text
 * stay the same everywhere.
 *
 * @module
 */
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { Option } from 'commander';
import { DEFAULT_FRAMING, FRAMING_NAMES, resolveFraming } from '../framing.js';
import type { Logger } from '../output.js';
import { parsePositiveBytes } from '../options.js';

/** `-f, --framing <name>`: the framing strategy. Resolved (and validated) by the action. */
export function framingOption(): Option {
  return new Option('-f, --framing <name>', 'framing strategy (names listed below)').default(DEFAULT_FRAMING);
}

/** `--max-frame <bytes>`: the largest payload accepted and sent. */
export function maxFrameOption(): Option {
  return new Option(
    '--max-frame <bytes>',
    "largest frame payload, in bytes (65536, 64k, 16MiB…); default: the framing's own (8 MiB for most, 255 for u8)",
  ).argParser(parsePositiveBytes);
}

/** `--json` / `--hex`: how frames are printed (text by default). */
export function outputFormatOptions(): Option[] {
  return [
    new Option('--json', 'print one JSON object per frame: {"index","length","text"} or {"index","length","base64"}'),
    new Option('--hex', 'print each frame as hexadecimal').conflicts('json'),
  ];
}

/** Help text listing every framing name. */
export function framingsHelp(): string {
  return `\nFramings: ${FRAMING_NAMES.join(', ')}\n  (ascii:W = W-digit ASCII length header, e.g. ascii:10; delim:HEX = custom delimiter, e.g. delim:0d0a)\n`;
}

/**
 * The strategy selected by `--framing` and `--max-frame`, warning when the framing cannot
 * go as high as `--max-frame` asked (u8 carries at most 255 bytes whatever the option says).
 */
export function framingFromOptions(options: { framing: string; maxFrame?: number | undefined }, log: Logger): FramingStrategy {
  const strategy = resolveFraming(options.framing, { maxFrameLength: options.maxFrame });
  if (options.maxFrame !== undefined && strategy.maxFrameLength < options.maxFrame) {
    log.warn(`${strategy.name} carries at most ${strategy.maxFrameLength} bytes per frame; --max-frame ${options.maxFrame} lowered to that`);
  }
  return strategy;
}
