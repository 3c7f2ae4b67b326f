// Micro-benchmark: shows that ChunkBuffer's costs grow linearly with the bytes involved.
// Not a test: it prints numbers and asserts nothing. Run `pnpm bench` in this package after
// `pnpm build`. Each scenario runs at N and at 8N: a linear operation shows a ratio near 8, a
// quadratic one about 64. Times are medians of several runs after a warm-up, as elapsed (wall)
// time and as this process's CPU time, which other processes on a busy machine do not disturb.
// The `(ref)` row is a plain Array doing the least any chunk list must do: it calibrates the
// machine.
import { ChunkBuffer } from '../dist/index.js';

/** Runs per measurement: more when a run is short (noise dominates), fewer when it is long. */
const runsFor = (/** @type {number} */ firstMs) => (firstMs < 20 ? 11 : firstMs > 500 ? 3 : 5);

const KIB = 1024;
const MIB = 1024 * KIB;

// Distinct 1-byte chunk objects, cycled: the buffer keeps references, so a pool keeps memory
// flat while every push still stores a separate chunk.
const tiny = Array.from({ length: 256 }, (_, i) => Uint8Array.of(i));
const tinyChunk = (/** @type {number} */ i) => tiny[i & 255] ?? tiny[0];

/**
 * (ref) Not ChunkBuffer: N chunk references appended to a plain array, then read back.
 * @param {number} n
 */
function plainArray(n) {
  /** @type {Uint8Array[]} */
  const list = [];
  for (let i = 0; i < n; i++) list.push(tinyChunk(i));
  let sum = 0;
  for (let i = 0; i < n; i++) sum += list[i]?.[0] ?? 0;
  return sum;
}

/**
 * (a) N 1-byte pushes, then N 1-byte takes.
 * @param {number} n
 */
function pushesThenTakes(n) {
  const buf = new ChunkBuffer();
  for (let i = 0; i < n; i++) buf.push(tinyChunk(i));
  let sum = 0;
  for (let i = 0; i < n; i++) sum += buf.take(1)[0] ?? 0;
  return sum;
}

/**
 * (b) One frame of N bytes arriving as 1-byte chunks, its length checked after each chunk
 * (as a length-prefix decoder does), then taken in one piece.
 * @param {number} n
 */
function bigFrameFromTinyChunks(n) {
  const buf = new ChunkBuffer();
  for (let i = 0; i < n; i++) {
    buf.push(tinyChunk(i));
    if (buf.length === n) break;
  }
  return buf.take(n).length;
}

const zeros = new Uint8Array(KIB);
const last = new Uint8Array(KIB);
last[KIB - 1] = 0x0a;

/**
 * (c) A delimiter at the very end of N bytes arriving in 1 KiB chunks; the search resumes
 * after every chunk where the previous one stopped (as a delimiter decoder does).
 * @param {number} n
 */
function resumedSearch(n) {
  const buf = new ChunkBuffer();
  const chunks = n / KIB;
  let scanned = 0;
  for (let i = 0; i < chunks; i++) {
    buf.push(i === chunks - 1 ? last : zeros);
    const at = buf.indexOf(0x0a, scanned);
    if (at !== -1) return at;
    scanned = buf.length;
  }
  throw new Error('delimiter not found');
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

/**
 * Median wall-clock and CPU (user + system, this process) milliseconds of `fn(n)`.
 * @param {(n: number) => number} fn
 * @param {number} n
 */
function time(fn, n) {
  /** @type {number[]} */
  const wall = [];
  /** @type {number[]} */
  const cpu = [];
  let runs = 1;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn(n);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (r === 0) runs = runsFor(wall[0] ?? 0);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** @type {{ name: string, fn: (n: number) => number, sizes: number[] }[]} */
const scenarios = [
  { name: '(ref) plain Array: N pushes + N reads', fn: plainArray, sizes: [16 * KIB, 128 * KIB] },
  { name: '(a) N 1-byte pushes + N 1-byte takes', fn: pushesThenTakes, sizes: [16 * KIB, 128 * KIB] },
  { name: '(b) take one N-byte frame from 1-byte chunks', fn: bigFrameFromTinyChunks, sizes: [64 * KIB, 1 * MIB] },
  { name: '(c) indexOf resumed per 1 KiB chunk, delimiter at N', fn: resumedSearch, sizes: [2 * MIB, 8 * MIB] },
];

const fmtN = (/** @type {number} */ n) => (n >= MIB ? `${n / MIB} Mi` : `${n / KIB} Ki`);
const fmtMs = (/** @type {number} */ ms) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const widths = [52, 6, 10, 10, 6, 10, 10, 6, 8];
const row = (/** @type {string[]} */ cells) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' ');

console.log(`node ${process.version}, ${process.arch}; medians of 11 runs (< 20 ms), 5, or 3 (> 500 ms), after a warm-up`);
console.log('wall: elapsed time; cpu: user + system time of this process (not disturbed by other processes)\n');
console.log(row(['scenario', 'N', 'wall N', 'wall 8N', 'ratio', 'cpu N', 'cpu 8N', 'ratio', 'ns/unit']));
for (const { name, fn, sizes } of scenarios) {
  for (const n of sizes) {
    // Warm-up (JIT): three runs when quick, one when a run is long anyway.
    const w0 = performance.now();
    fn(n);
    if (performance.now() - w0 < 100) for (let w = 0; w < 2; w++) fn(n);
    const small = time(fn, n);
    const large = time(fn, 8 * n);
    console.log(
      row([
        name,
        fmtN(n),
        fmtMs(small.wall),
        fmtMs(large.wall),
        (large.wall / small.wall).toFixed(1),
        fmtMs(small.cpu),
        fmtMs(large.cpu),
        (large.cpu / small.cpu).toFixed(1),
        ((large.cpu * 1e6) / (8 * n)).toFixed(0),
      ]),
    );
  }
}
console.log('\nLinear: ratio ≈ 8 (cost per unit flat); quadratic would be ≈ 64. ns/unit: CPU time at 8N per');
console.log('unit (a byte; a chunk for (ref) and (a)).');
