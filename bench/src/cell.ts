/**
 * Runs ONE cell once, in this (fresh) process: prepare the workload (untimed), a warm-up pass
 * (untimed; checks every byte and measures heap allocation), then the timed passes of the
 * cell's `passPlan` (each checks the frame count and a sampled checksum; the fastest is
 * reported). Reports events on stdout as `@bench {json}` lines.
 *
 *   node --expose-gc dist/cell.js <cell-id> [--quick] [--repeat N] [--cache DIR]
 *
 * `--repeat N` runs exactly N timed passes instead (for profiling).
 * `--cache DIR` reads the workload from (or stores it in) DIR; the orchestrator passes one.
 */
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { DECODE_IMPLS, budgetMs, findCell, passPlan, type Cell, type DecodeCell, type PassPlan } from './cells.js';
import type { CellEvent, Metrics, RunResult } from './protocol.js';
import { EVENT_PREFIX } from './protocol.js';
import { Tally, mismatch, type Expected } from './tally.js';
import { loadOrGenerate } from './workloads.js';

/** A prepared cell: what one pass runs and what it must produce. */
export interface Job {
  readonly expected: Expected;
  /** Bytes on the wire per pass (for MB/s). */
  readonly wireBytes: number;
  readonly run: (tally: Tally) => Promise<Metrics>;
  /** Ends what the passes shared (the TCP cells' peer worker). */
  readonly close?: () => Promise<void>;
}

function emit(event: CellEvent): void {
  process.stdout.write(`${EVENT_PREFIX}${JSON.stringify(event)}\n`);
}

/** A full collection, when the process runs with `--expose-gc`. */
function collect(): void {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

async function prepareDecode(cell: DecodeCell, quick: boolean, cacheDir: string | undefined): Promise<Job> {
  const workload = loadOrGenerate(cell.shape, cell.wire, quick, cacheDir);
  const { module } = DECODE_IMPLS[cell.impl];
  let pass;
  if (module === 'framewire') {
    const { framewireImpls } = await import('./impl/framewire.js');
    pass = framewireImpls[cell.impl as keyof typeof framewireImpls](workload);
  } else if (module === 'peers') {
    const { peerImpls } = await import('./impl/peers.js');
    pass = peerImpls[cell.impl as keyof typeof peerImpls](workload);
  } else {
    const { referenceImpls } = await import('./impl/reference.js');
    pass = referenceImpls[cell.impl as keyof typeof referenceImpls](workload);
  }
  return {
    expected: workload.expected,
    wireBytes: workload.wireBytes,
    run: async (tally) => {
      await pass(tally);
      return {};
    },
  };
}

async function prepare(cell: Cell, quick: boolean, cacheDir: string | undefined): Promise<Job> {
  if (cell.kind === 'decode') return prepareDecode(cell, quick, cacheDir);
  const { prepareTcp } = await import('./tcp.js');
  return prepareTcp(cell, quick);
}

/**
 * Bytes allocated during `fn`, JS heap and external (ArrayBuffer backing stores): the growth
 * between collections, summed, read from V8's GC profiler.
 */
async function measureAllocation(fn: () => Promise<unknown>): Promise<number> {
  const before = v8.getHeapStatistics();
  const profiler = new v8.GCProfiler();
  profiler.start();
  await fn();
  const after = v8.getHeapStatistics();
  const { statistics } = profiler.stop();
  let heap = before.used_heap_size;
  let external = before.external_memory;
  let allocated = 0;
  for (const gc of statistics) {
    allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - heap);
    allocated += Math.max(0, gc.beforeGC.heapStatistics.externalMemory - external);
    heap = gc.afterGC.heapStatistics.usedHeapSize;
    external = gc.afterGC.heapStatistics.externalMemory;
  }
  allocated += Math.max(0, after.used_heap_size - heap) + Math.max(0, after.external_memory - external);
  return allocated;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      repeat: { type: 'string' },
      cache: { type: 'string' },
    },
  });
  const id = positionals[0];
  const cell = id === undefined ? undefined : findCell(id);
  if (cell === undefined) throw new Error(`unknown cell ${String(id)} (list them with: node dist/run.js --list)`);
  const quick = values.quick;
  const repeat = values.repeat === undefined ? undefined : Number(values.repeat);
  if (repeat !== undefined && !(Number.isInteger(repeat) && repeat >= 1)) throw new Error(`--repeat must be a whole number of passes (got ${values.repeat})`);
  const plan = repeat === undefined ? passPlan(cell, quick) : { min: repeat, max: repeat, windowMs: 0 };
  const budget = budgetMs(cell, quick);

  const job = await prepare(cell, quick, values.cache);
  try {
    await runPasses(cell, job, plan, budget);
  } finally {
    await job.close?.();
  }
}

/** The warm-up and the timed passes of `plan`; emits the result. */
async function runPasses(cell: Cell, job: Job, plan: PassPlan, budget: number): Promise<void> {
  collect();
  emit({ event: 'ready', budgetMs: budget });

  const base: Omit<RunResult, 'status' | 'message'> = {
    ms: 0,
    frames: job.expected.frames,
    payloadBytes: job.expected.bytes,
    wireBytes: job.wireBytes,
    maxRssKiB: 0,
    baseRssKiB: 0,
    allocBytes: 0,
    metrics: {},
  };

  // Warm-up: same work, every byte checked, allocation measured. Untimed.
  const warm = new Tally(true);
  const started = performance.now();
  base.allocBytes = await measureAllocation(() => job.run(warm));
  const warmMs = performance.now() - started;
  const warmWrong = mismatch(warm, job.expected);
  if (warmWrong !== undefined) {
    emit({ event: 'result', result: { ...base, status: 'wrong', message: `warm-up: ${warmWrong}` } });
    return;
  }
  if (warmMs > budget) {
    emit({ event: 'result', result: { ...base, status: 'timeout', message: `warm-up took ${warmMs.toFixed(0)} ms` } });
    return;
  }
  emit({ event: 'warm', ms: warmMs });

  const passes: number[] = [];
  const cpuPasses: number[] = [];
  let best: Pick<RunResult, 'ms' | 'metrics'> | undefined;
  let firstStart = 0;
  for (let i = 0; i < plan.max && (i < plan.min || performance.now() - firstStart < plan.windowMs); i++) {
    collect();
    collect();
    base.baseRssKiB = Math.round(process.memoryUsage.rss() / 1024);
    const tally = new Tally(false);
    const cpu0 = process.cpuUsage();
    const faults0 = process.resourceUsage().minorPageFault;
    const t0 = performance.now();
    if (i === 0) firstStart = t0;
    const { timedMs, ...metrics } = await job.run(tally);
    // Pages the process touched for the first time (the kernel maps and zeroes each): fresh
    // memory from the allocator, which costs time that the decoder's work does not show.
    metrics['pageFaults'] = process.resourceUsage().minorPageFault - faults0;
    // TCP passes time themselves (from the connection being up, without worker start-up).
    const ms = timedMs ?? performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    // CPU time of the whole process (all threads): less disturbed by a busy machine than
    // wall time, which stays the measure.
    metrics['cpuMs'] = (cpu.user + cpu.system) / 1000;
    cpuPasses.push(metrics['cpuMs']);
    passes.push(ms);
    if (best === undefined || ms < best.ms) best = { ms, metrics };
    base.ms = ms;
    base.metrics = metrics;
    base.maxRssKiB = process.resourceUsage().maxRSS;
    const wrong = mismatch(tally, job.expected);
    if (wrong !== undefined) {
      emit({ event: 'result', result: { ...base, status: 'wrong', message: wrong } });
      return;
    }
    if (ms > budget) {
      emit({ event: 'result', result: { ...base, status: 'timeout', message: `took ${ms.toFixed(0)} ms` } });
      return;
    }
  }
  if (passes.length > 1) {
    const at = (values: number[], q: number): string =>
      values.sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!.toFixed(2);
    process.stderr.write(
      `${cell.id}: ${passes.length} timed passes, wall min ${at(passes, 0)} / median ${at(passes, 0.5)} ms, ` +
        `cpu min ${at(cpuPasses, 0)} / median ${at(cpuPasses, 0.5)} ms\n`,
    );
  }
  emit({ event: 'result', result: { ...base, ...best, status: 'ok' } });
}

main().then(
  () => {
    // TCP cells may leave handles behind if a peer misbehaves; the result is out, so leave.
    process.exit(0);
  },
  (error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    emit({ event: 'error', message });
    process.exit(1);
  },
);
