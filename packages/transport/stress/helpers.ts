/**
 * Shared pieces of the transport stress suite: memory sampling, a cyclic byte pattern that
 * costs nothing to produce, and the figures file the README's reliability section quotes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** Bytes as `12.3 MiB`. */
export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** Runs a full garbage collection when the process was started with `--expose-gc`. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Tracks the peak of this process's memory above a baseline taken at construction. */
export class MemoryPeak {
  readonly startRss: number;
  readonly startArrayBuffers: number;
  peakRss: number;
  peakArrayBuffers: number;

  constructor() {
    collectGarbage();
    const usage = process.memoryUsage();
    this.startRss = usage.rss;
    this.startArrayBuffers = usage.arrayBuffers;
    this.peakRss = usage.rss;
    this.peakArrayBuffers = usage.arrayBuffers;
  }

  /** Samples the resident set size only (cheap). */
  sampleRss(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
  }

  /** Samples everything (resident set and ArrayBuffer memory). */
  sample(): void {
    const usage = process.memoryUsage();
    if (usage.rss > this.peakRss) this.peakRss = usage.rss;
    if (usage.arrayBuffers > this.peakArrayBuffers) this.peakArrayBuffers = usage.arrayBuffers;
  }

  /** Peak resident set size above the baseline. */
  get rssGrowth(): number {
    return this.peakRss - this.startRss;
  }

  /** Peak ArrayBuffer memory above the baseline. */
  get arrayBuffersGrowth(): number {
    return this.peakArrayBuffers - this.startArrayBuffers;
  }
}

/**
 * An endless stream made of a random block repeated: byte `p` of the stream is
 * `block[p % block.length]`. The block's length is no multiple of any write size, so
 * consecutive writes carry different bytes, and a lost, repeated or reordered write changes
 * the checksum. Slices are views of the block: producing a GiB allocates nothing.
 */
export class CyclicPattern {
  readonly block: Uint8Array;

  constructor(block: Uint8Array) {
    this.block = block;
  }

  /** The `length` bytes at stream offset `offset`, as one or two views (the block wraps). */
  slice(offset: number, length: number): Uint8Array[] {
    const block = this.block;
    const start = offset % block.length;
    if (start + length <= block.length) return [block.subarray(start, start + length)];
    const parts: Uint8Array[] = [block.subarray(start)];
    let left = length - (block.length - start);
    while (left > 0) {
      const n = Math.min(left, block.length);
      parts.push(block.subarray(0, n));
      left -= n;
    }
    return parts;
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `promise` has already settled (checked after one turn of the microtask queue). */
export function settledNow(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  // `promise` first: if it has settled, its reaction is queued before the marker's.
  return Promise.race([promise, Promise.resolve(pending)]).then(
    (winner) => winner !== pending,
    () => true,
  );
}

const FIGURES = fileURLToPath(new URL('../test-output/stress-figures.json', import.meta.url));

/**
 * Prints a measured figure and records it in `test-output/stress-figures.json` (keyed by
 * `name`), from where the README's reliability section is written by hand.
 */
export function recordFigures(name: string, figures: Record<string, number | string>): void {
  console.log(`[stress] ${name}: ${Object.entries(figures).map(([key, value]) => `${key}=${String(value)}`).join(', ')}`);
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(FIGURES, 'utf8')) as Record<string, unknown>;
  } catch {
    // First figure of the run, or an unreadable file: start afresh.
  }
  all[name] = { ...figures, recordedAt: new Date().toISOString(), node: process.version };
  mkdirSync(fileURLToPath(new URL('../test-output/', import.meta.url)), { recursive: true });
  writeFileSync(FIGURES, `${JSON.stringify(all, null, 2)}\n`);
}
