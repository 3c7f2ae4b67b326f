/**
 * `framewire compare`: measures the framing strategies side by side on this machine.
 *
 * @module
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError } from '../errors.js';
import { processIo, type CommandIo } from '../io.js';
import { parseCount, parsePositiveBytes } from '../options.js';
import { colorsFor, restoreOnSignal, terminalWidth, writeWithBackpressure } from '../output.js';
import { examples } from '../usage.js';
import { renderHtml } from './html.js';
import type { CompareReport } from './report.js';
import { DEFAULT_SEED, DEFAULT_SIZES, runCompare, type RunProgress } from './run.js';
import { DEFAULT_COMPARED, resolveCompared } from './strategies.js';
import { renderTable } from './table.js';

/** Largest payload size `--sizes` accepts: 1 MiB keeps the in-memory streams small. */
export const MAX_COMPARE_SIZE = 1024 * 1024;

/** Options of `framewire compare`. */
export interface CompareOptions {
  /** Strategy instances to compare. */
  framing: string[];
  /** Payload sizes in bytes. */
  sizes: number[];
  /** Shorter measurements. */
  quick?: boolean;
  /** Print the report as JSON on stdout instead of the table. */
  json?: boolean;
  /** Also write the HTML report to this file. */
  html?: string;
  /** Seed of the generated payloads. */
  seed: number;
  /** Show a progress bar on a TTY (`--no-progress` turns it off). */
  progress: boolean;
}

/**
 * The entries of a comma-separated list, trimmed. An empty entry (`u8,,line`, a trailing comma)
 * is refused rather than skipped: it is more often a name left out than a stray comma.
 */
function commaList(value: string, expected: string): string[] {
  const parts = value.split(',').map((part) => part.trim());
  const empty = parts.indexOf('');
  if (empty !== -1) {
    const where = parts.length === 1 ? 'an empty list' : `entry ${empty + 1} of ${parts.length} is empty`;
    throw new InvalidArgumentError(`expected a comma-separated list of ${expected} (got '${value}': ${where})`);
  }
  return parts;
}

/** Parses `--framing u32be,line,cobs` into names. */
export function parseFramingList(value: string): string[] {
  return commaList(value, 'framing names');
}

/** Parses `--sizes 16,4096,64k` into byte counts (1 B to 1 MiB each). */
export function parseSizeList(value: string): number[] {
  return commaList(value, 'sizes such as 16,4096,64k').map((part) => {
    const bytes = parsePositiveBytes(part);
    if (bytes > MAX_COMPARE_SIZE) throw new InvalidArgumentError(`sizes must be at most 1 MiB (1048576 bytes) (got '${part}')`);
    return bytes;
  });
}

function progressBar(io: CommandIo): RunProgress & { stop(): void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: 'measuring {bar} {value}/{total} {label}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let done = -1;
  let release: (() => void) | undefined;
  return {
    start(total) {
      // Before the bar is drawn: a signal as soon as it shows must find the handler.
      release = restoreOnSignal(() => {
        bar.stop();
      });
      bar.start(total, 0, { label: '' });
    },
    step(label) {
      done++;
      bar.update(done, { label });
    },
    stop() {
      release?.();
      bar.stop();
    },
  };
}

/**
 * Runs a comparison and writes its outputs: the table (or JSON with `--json`) on stdout, fitted
 * to the terminal's width when stdout is one, the page to `--html FILE`. Progress goes to
 * stderr, only when stderr is a terminal.
 */
export async function runCompareCommand(options: CompareOptions, io: CommandIo = processIo()): Promise<CompareReport> {
  const strategies = resolveCompared(options.framing);
  // Fail before a minute of measuring, not after, when the page cannot be written there.
  if (options.html !== undefined) {
    try {
      await access(path.dirname(path.resolve(options.html)), constants.W_OK);
      if ((await stat(options.html).catch(() => undefined))?.isDirectory() === true) throw new Error('it is a directory');
    } catch (error) {
      throw new CliError(`cannot write ${options.html}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  const progress = options.progress && io.stderr.isTTY === true ? progressBar(io) : undefined;
  let report: CompareReport;
  try {
    report = await runCompare({ strategies, sizes: options.sizes, quick: options.quick ?? false, seed: options.seed }, progress);
  } finally {
    progress?.stop();
  }
  if (options.html !== undefined) {
    try {
      await writeFile(options.html, renderHtml(report));
    } catch (error) {
      throw new CliError(`cannot write ${options.html}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  if (options.json === true) {
    await writeWithBackpressure(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
  } else {
    await writeWithBackpressure(io.stdout, renderTable(report, colorsFor(io.stdout), { width: terminalWidth(io.stdout) }));
  }
  if (options.html !== undefined) {
    io.stderr.write(`framewire: wrote the HTML report to ${path.resolve(options.html)}\n`);
  }
  return report;
}

/**
 * `--seed`: the payload generator keeps 32 bits of state, so seeds are 0 to 2^32 − 1; a larger
 * one would measure the same bytes as the seed 2^32 below it.
 */
function parseSeed(value: string): number {
  const seed = parseCount(value);
  if (seed > 0xffff_ffff) throw new InvalidArgumentError(`expected a seed from 0 to 4294967295 (got '${value}')`);
  return seed;
}

/** The `compare` command. */
export function compareCommand(io?: CommandIo): Command {
  return new Command('compare')
    .summary('measure the strategies side by side')
    .description(
      'Measure the framing strategies side by side on this machine: overhead, binary safety, recovery after a bad byte, ' +
        'speed in memory and over loopback TCP.',
    )
    .addOption(
      new Option('-f, --framing <names>', 'comma-separated strategies to compare (any framing name except raw)')
        .argParser(parseFramingList)
        .default([...DEFAULT_COMPARED], 'every strategy of the design table: ' + DEFAULT_COMPARED.join(',')),
    )
    .addOption(
      new Option('--sizes <bytes>', 'comma-separated payload sizes (16,4096,64k…; at most 1 MiB); the smallest gives frames/s, the largest MB/s')
        .argParser(parseSizeList)
        .default([...DEFAULT_SIZES], DEFAULT_SIZES.join(',')),
    )
    .option('--quick', 'shorter measurements: a few seconds instead of under a minute')
    .option('--json', 'print every figure as JSON on stdout instead of the table')
    .option('--html <file>', 'also write a self-contained HTML report (inline SVG charts, no network) to FILE')
    .addOption(new Option('--seed <n>', 'seed of the generated payloads (0 to 4294967295)').argParser(parseSeed).default(DEFAULT_SEED))
    .option('--no-progress', 'no progress bar (it is only shown when stderr is a terminal)')
    .addHelpText(
      'after',
      examples(
        'framewire compare --quick',
        'framewire compare --framing u32be,line,cobs --sizes 16,4096',
        'framewire compare --json > compare.json',
        'framewire compare --html compare.html',
      ),
    )
    .action(async (options: CompareOptions) => {
      await runCompareCommand(options, io);
    });
}
