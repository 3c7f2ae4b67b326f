/**
 * Terminal output helpers: colours (only on a TTY, never with `NO_COLOR`), stderr logging,
 * and writing to a stream with backpressure.
 *
 * @module
 */
import type { Writable } from 'node:stream';
import pc from 'picocolors';

/** The colour functions picocolors returns. */
export type Colors = ReturnType<typeof pc.createColors>;

/** A stream that may be a terminal (`process.stdout`, `process.stderr`). */
export interface MaybeTty {
  isTTY?: boolean;
  /** The terminal's width in columns, when it is one. */
  columns?: number;
}

/**
 * True when colours should be used on `stream`: it is a TTY, `NO_COLOR` is unset or empty
 * (https://no-color.org), and `TERM` is not `dumb`. `FORCE_COLOR` (non-empty, not `0`) turns
 * colours on even when piped.
 */
export function colorEnabled(stream: MaybeTty, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Colour functions for `stream`: real ones on a colour TTY, identity functions otherwise. */
export function colorsFor(stream: MaybeTty, env: NodeJS.ProcessEnv = process.env): Colors {
  return pc.createColors(colorEnabled(stream, env));
}

/**
 * The width of `stream` in columns when it is a terminal that reports one, else `undefined`:
 * output that is piped or redirected is laid out the same whatever the terminal's width.
 */
export function terminalWidth(stream: MaybeTty): number | undefined {
  if (stream.isTTY !== true) return undefined;
  const { columns } = stream;
  return columns !== undefined && Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/** Logs human-readable lines to stderr. */
export interface Logger {
  /** Colours for stderr. */
  readonly c: Colors;
  /** A plain log line. */
  info(line: string): void;
  /** A warning, prefixed `framewire: warning:`. */
  warn(line: string): void;
  /** An error that does not end the process (a client's bad frame on `serve`). */
  error(line: string): void;
}

/** A {@link Logger} writing to `stream` (stderr by default). `quiet` drops `info` lines. */
export function createLogger(stream: NodeJS.WritableStream & MaybeTty = process.stderr, quiet = false): Logger {
  const c = colorsFor(stream);
  return {
    c,
    info(line) {
      if (!quiet) stream.write(`${line}\n`);
    },
    warn(line) {
      stream.write(`${c.yellow(`framewire: warning: ${line}`)}\n`);
    },
    error(line) {
      stream.write(`${c.red(line)}\n`);
    },
  };
}

/**
 * Writes `data` to `stream`, resolving once the stream accepts more (immediately when its
 * buffer is below the high-water mark, after `drain` otherwise). Rejects if the stream errors
 * or closes first (a closed pipe: `framewire decode | head -1`).
 */
export function writeWithBackpressure(stream: Writable | NodeJS.WritableStream, data: Uint8Array | string): Promise<void> {
  if (stream.write(data)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      stream.removeListener('drain', onDrain);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('output closed'));
    };
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/** `1 frame`, `2 frames`: a count and its noun, plural unless the count is 1 (for bytes, `bytesText` of @framewire/chunk-buffer). */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Formats a byte count for people: `512 B`, `1.5 KiB`, `8 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} ${unit}`;
}

/**
 * Calls `restore` if SIGINT or SIGTERM arrives before the returned function is called, then
 * ends the process by that same signal, as it would have ended without the handler (status
 * 130 or 143 in a shell). A progress bar hides the cursor and turns line wrapping off while it
 * is drawn: without this, Ctrl-C during it leaves the terminal that way.
 */
export function restoreOnSignal(restore: () => void): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    dispose();
    try {
      restore();
    } finally {
      process.kill(process.pid, signal);
    }
  };
  const dispose = (): void => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return dispose;
}
