/**
 * Parsers for option values. Each throws commander's `InvalidArgumentError` (→ exit 2, with
 * the option named by commander) when the value is not what was expected.
 *
 * @module
 */
import { InvalidArgumentError } from 'commander';

/** Parses a TCP port, 0–65535 (0 = let the system pick a free port). */
export function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new InvalidArgumentError(`expected a port number from 0 to 65535 (got '${value}')`);
  }
  return port;
}

/** Parses the port of a server to connect to, 1–65535. */
export function parseRemotePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`expected a port number from 1 to 65535 (got '${value}')`);
  }
  return port;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * Parses a byte count: a plain integer (`1048576`) or one with a binary unit (`64k`, `1MiB`,
 * `2m`, `1g` — k, m and g are powers of 1024).
 */
export function parseBytes(value: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Number(match[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new InvalidArgumentError(`expected a byte count such as 65536, 64k or 8MiB (got '${value}')`);
  }
  return bytes;
}

/** Parses a positive integer byte count (at least 1), with units as {@link parseBytes}. */
export function parsePositiveBytes(value: string): number {
  const bytes = parseBytes(value);
  if (bytes < 1) throw new InvalidArgumentError(`expected at least 1 byte (got '${value}')`);
  return bytes;
}

/** Parses a `--recv-size`: 1 byte to 64 MiB, as `connect({ recvSize })` and `listen` take. */
export function parseRecvSize(value: string): number {
  const bytes = parseBytes(value);
  if (bytes < 1 || bytes > 64 * 1024 ** 2) throw new InvalidArgumentError(`expected from 1 byte to 64MiB (got '${value}')`);
  return bytes;
}

/** Parses the size of a `--recv-arena` block: 1 KiB to 1 GiB, as `connect({ recvArena })` takes. */
export function parseArenaBytes(value: string): number {
  const bytes = parseBytes(value);
  if (bytes < 1024 || bytes > 1024 ** 3) throw new InvalidArgumentError(`expected from 1KiB to 1GiB (got '${value}')`);
  return bytes;
}

/** The longest duration a seconds option takes: Node's timers go up to 2^31 - 1 ms (about 24.8 days). */
export const MAX_SECONDS = 2_147_483;

/**
 * Parses a duration in seconds (decimals allowed: `0.5`), at most {@link MAX_SECONDS}; 0 means
 * "off" where documented.
 */
export function parseSeconds(value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(seconds)) {
    throw new InvalidArgumentError(`expected a number of seconds such as 5 or 0.5 (got '${value}')`);
  }
  if (seconds > MAX_SECONDS) {
    throw new InvalidArgumentError(`expected at most ${MAX_SECONDS} seconds (about 24.8 days), the longest a timer waits (got '${value}')`);
  }
  return seconds;
}

/** Parses a non-negative integer count. */
export function parseCount(value: string): number {
  const count = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(count)) {
    throw new InvalidArgumentError(`expected a whole number such as 1 or 10 (got '${value}')`);
  }
  return count;
}

/** Parses a positive integer count (at least 1). */
export function parsePositiveCount(value: string): number {
  const count = parseCount(value);
  if (count < 1) throw new InvalidArgumentError(`expected at least 1 (got '${value}')`);
  return count;
}

/** Collects a repeatable option's values into an array (`--message-file a --message-file b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
