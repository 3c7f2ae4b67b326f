/**
 * Options shared by several commands, declared once so their flags, defaults and help text
 * stay the same everywhere.
 *
 * @module
 */
import { bytesText, type FramingStrategy } from '@framewire/chunk-buffer';
import { Option } from 'commander';
import { ALLOW_UNTERMINATED_FLAG, DEFAULT_FRAMING, DELIMITER_FRAMING_NAMES, FRAMING_NAMES, resolveFraming } from '../framing.js';
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
    "largest frame payload, in bytes (65536, 64k, 16MiB…); default: the framing's own (8 MiB; 255 for u8, 65535 for u16, 10^W - 1 for ascii:W up to W = 6)",
  ).argParser(parsePositiveBytes);
}

/**
 * `--allow-unterminated`: bytes after the last delimiter at end of stream are a last frame
 * (the footer's `allowUnterminatedLast`). For the commands that decode.
 */
export function allowUnterminatedOption(): Option {
  return new Option(
    ALLOW_UNTERMINATED_FLAG,
    `accept a last frame without its delimiter at end of stream; only for delimiter framings (${DELIMITER_FRAMING_NAMES.join(', ')})`,
  );
}

/** `--json` / `--hex`: how frames are printed (text by default). */
export function outputFormatOptions(): Option[] {
  return [
    new Option('--json', 'print one JSON object per frame: {"index","length","text"} or {"index","length","base64"}'),
    new Option('--hex', 'print each frame as hexadecimal').conflicts('json'),
  ];
}

/** Help text listing every framing name, wrapped to 80 columns. */
export function framingsHelp(): string {
  const lines: string[] = [];
  let line = 'Framings:';
  for (const name of FRAMING_NAMES) {
    const word = ` ${name}${name === FRAMING_NAMES[FRAMING_NAMES.length - 1] ? '' : ','}`;
    if (line.length + word.length > 80) {
      lines.push(line);
      line = ' ';
    }
    line += word;
  }
  lines.push(line);
  return `\n${lines.join('\n')}\n  ascii:W: a W-character decimal length header, W from 1 to 64 (the tutorial's is ascii:10)\n  delim:HEX: a custom delimiter in hex (delim:0d0a)\n  raw: no framing, every chunk as it arrived\n`;
}

/**
 * The strategy selected by `--framing`, `--max-frame` and `--allow-unterminated` (a usage error
 * with a framing that has no delimiter), warning when the framing cannot go as high as
 * `--max-frame` asked (u8 carries at most 255 bytes whatever the option says).
 */
export function framingFromOptions(
  options: { framing: string; maxFrame?: number | undefined; allowUnterminated?: boolean | undefined },
  log: Logger,
): FramingStrategy {
  const strategy = resolveFraming(options.framing, {
    maxFrameLength: options.maxFrame,
    allowUnterminatedLast: options.allowUnterminated === true,
  });
  if (options.maxFrame !== undefined && strategy.maxFrameLength < options.maxFrame) {
    log.warn(`${strategy.name} carries at most ${bytesText(strategy.maxFrameLength)} per frame; --max-frame ${options.maxFrame} lowered to that`);
  }
  return strategy;
}
