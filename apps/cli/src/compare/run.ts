/**
 * Runs every measurement of `framewire compare` and assembles the report.
 *
 * @module
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { VERSION } from '../version.js';
import { Fitting } from './carry.js';
import { measureMemorySpeed, type MemorySpeed, type TimeBudget } from './memory.js';
import { measureBinarySafety, measureOverhead } from './overhead.js';
import { UNITS, type CompareReport, type MachineInfo, type StrategyReport } from './report.js';
import { measureResync } from './resync.js';
import { measureStreaming } from './streaming.js';
import type { ComparedStrategy } from './strategies.js';
import { measureTcpLatency, measureTcpThroughput, type TcpBudget, type TcpLatency, type TcpThroughput } from './tcp.js';

/** The default payload sizes: 16 B, 256 B, 4 KiB, 64 KiB. */
export const DEFAULT_SIZES: readonly number[] = Object.freeze([16, 256, 4096, 65536]);

/** The default seed of the generated payloads. */
export const DEFAULT_SEED = 0x5eed;

/** What to measure. */
export interface RunOptions {
  /** The strategies, resolved. */
  strategies: readonly ComparedStrategy[];
  /** Payload sizes in bytes. Defaults to {@link DEFAULT_SIZES}. */
  sizes?: readonly number[];
  /** Shorter measurements, one round (a few seconds in all). Defaults to false. */
  quick?: boolean;
  /** Seed of the generated payloads. Defaults to {@link DEFAULT_SEED}. */
  seed?: number;
}

/** Called as the run goes, for a progress bar. */
export interface RunProgress {
  /** Once at the start with the number of steps. */
  start(totalSteps: number): void;
  /** After each step, with what comes next. */
  step(label: string): void;
}

/** Time budgets: per measurement, and how many rounds over all strategies keep the best. */
interface Budget {
  warmup: TimeBudget;
  memory: TimeBudget;
  tcp: TcpBudget;
  rounds: number;
}

const BUDGETS: Record<'quick' | 'full', Budget> = {
  quick: { warmup: { warmupMs: 0, measureMs: 4 }, memory: { warmupMs: 4, measureMs: 15 }, tcp: { measureMs: 40, roundTrips: 200, latencyMaxMs: 60 }, rounds: 1 },
  full: { warmup: { warmupMs: 0, measureMs: 15 }, memory: { warmupMs: 6, measureMs: 30 }, tcp: { measureMs: 80, roundTrips: 1000, latencyMaxMs: 120 }, rounds: 3 },
};

/** The machine this process runs on. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
  };
}

/** The number of progress steps a run takes. */
export function stepsOf(strategies: number, sizes: number, rounds: number): number {
  return strategies * (2 + rounds * (sizes + 3));
}

/** The better of two figures (`null` = none), for best-of-rounds. */
function better(a: number | null, b: number | null, which: 'higher' | 'lower'): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return which === 'higher' ? Math.max(a, b) : Math.min(a, b);
}

function bestMemory(a: MemorySpeed | undefined, b: MemorySpeed): MemorySpeed {
  if (a === undefined) return b;
  return {
    payloadBytes: b.payloadBytes,
    encodeMBps: better(a.encodeMBps, b.encodeMBps, 'higher'),
    encodeFramesPerSec: better(a.encodeFramesPerSec, b.encodeFramesPerSec, 'higher'),
    decodeMBps: better(a.decodeMBps, b.decodeMBps, 'higher'),
    decodeFramesPerSec: better(a.decodeFramesPerSec, b.decodeFramesPerSec, 'higher'),
  };
}

function bestThroughput(a: TcpThroughput | undefined, b: TcpThroughput): TcpThroughput {
  if (a === undefined) return b;
  return (b.MBps ?? -1) > (a.MBps ?? -1) ? b : a;
}

/**
 * The better of two latency rounds, whole: the one with the lower p50 (on a tie, the lower
 * p99; then the earlier one, `a`). Its p50, p99 and round trips are shown together, so they
 * describe one measured distribution; the lowest p50 of one round and the lowest p99 of
 * another would not.
 */
export function bestLatency(a: TcpLatency | undefined, b: TcpLatency): TcpLatency {
  if (a === undefined) return b;
  if (b.p50us !== a.p50us) return b.p50us < a.p50us ? b : a;
  return b.p99us < a.p99us ? b : a;
}

interface SpeedFigures {
  memory: MemorySpeed[];
  large?: TcpThroughput;
  small?: TcpThroughput;
  latency?: TcpLatency;
}

/**
 * Measures every strategy. Strategies are measured one after the other, never at the same
 * time. After an untimed warm-up pass over all of them, speed is measured in rounds over all strategies (3 in a full run, 1 with `quick`),
 * keeping each strategy's best figure: a moment of load on the machine then slows one round,
 * not one strategy. Latency is kept by round, not by figure: p50 and p99 come from the round
 * with the lowest p50 ({@link bestLatency}). Tests fitted to what a strategy carries are
 * described in its `notes`.
 */
export async function runCompare(options: RunOptions, progress?: RunProgress): Promise<CompareReport> {
  const sizes = [...new Set(options.sizes ?? DEFAULT_SIZES)].sort((a, b) => a - b);
  if (sizes.length === 0) throw new RangeError('sizes must list at least one payload size');
  const quick = options.quick ?? false;
  const seed = options.seed ?? DEFAULT_SEED;
  const budget = BUDGETS[quick ? 'quick' : 'full'];
  const small = sizes[0]!;
  const large = sizes[sizes.length - 1]!;
  const generatedAt = new Date().toISOString();
  const began = performance.now();
  const strategies = options.strategies;
  progress?.start(stepsOf(strategies.length, sizes.length, budget.rounds));

  const fittings = strategies.map((compared) => new Fitting(compared.instance));
  const fixed = strategies.map((compared, i) => {
    const { strategy } = compared;
    const fitting = fittings[i]!;
    progress?.step(`${compared.instance}: overhead, binary safety, recovery`);
    const binarySafety = measureBinarySafety(strategy, seed, fitting);
    const streaming = measureStreaming(strategy, seed, fitting);
    return { overhead: measureOverhead(strategy, sizes, seed), binarySafety, streaming, resync: measureResync(strategy, seed, fitting) };
  });

  // One untimed pass over every strategy and size first: the shared code (the decode loop, the
  // chunk buffer) is then compiled and warm before any strategy is timed, not only for the last.
  for (const compared of strategies) {
    progress?.step(`${compared.instance}: warming up`);
    for (const size of sizes) measureMemorySpeed(compared.strategy, size, budget.warmup, seed);
  }

  const speed: SpeedFigures[] = strategies.map(() => ({ memory: [] }));
  for (let round = 1; round <= budget.rounds; round++) {
    const of = budget.rounds > 1 ? ` (round ${round} of ${budget.rounds})` : '';
    for (const [i, compared] of strategies.entries()) {
      const { strategy } = compared;
      const figures = speed[i]!;
      const fitting = fittings[i]!;
      for (const [j, size] of sizes.entries()) {
        progress?.step(`${compared.instance}: in memory, ${size} B frames${of}`);
        figures.memory[j] = bestMemory(figures.memory[j], measureMemorySpeed(strategy, size, budget.memory, seed, fitting));
      }
      progress?.step(`${compared.instance}: TCP, ${large} B frames${of}`);
      figures.large = bestThroughput(figures.large, await measureTcpThroughput(strategy, large, budget.tcp, seed, fitting));
      progress?.step(`${compared.instance}: TCP, ${small} B frames${of}`);
      figures.small = small === large ? figures.large : bestThroughput(figures.small, await measureTcpThroughput(strategy, small, budget.tcp, seed, fitting));
      progress?.step(`${compared.instance}: TCP round trips${of}`);
      figures.latency = bestLatency(figures.latency, await measureTcpLatency(strategy, small, budget.tcp, seed, fitting));
    }
  }

  const reports: StrategyReport[] = strategies.map((compared, i) => {
    const { overhead, binarySafety, streaming, resync } = fixed[i]!;
    const figures = speed[i]!;
    const bySize = figures.memory;
    const memLarge = bySize[bySize.length - 1]!;
    const memSmall = bySize[0]!;
    const tcpLarge = figures.large!;
    const tcpSmall = figures.small!;
    const latency = figures.latency!;
    const notes = fittings[i]!.notes();
    return {
      name: compared.name,
      instance: compared.instance,
      package: compared.package,
      binarySafe: binarySafety.binarySafe,
      binarySafety,
      needsLengthUpFront: streaming.needsLengthUpFront,
      streaming,
      resync,
      overhead,
      memory: {
        encodeMBps: memLarge.encodeMBps,
        decodeMBps: memLarge.decodeMBps,
        encodeFramesPerSec: memSmall.encodeFramesPerSec,
        decodeFramesPerSec: memSmall.decodeFramesPerSec,
        bySize,
      },
      tcp: {
        throughputMBps: tcpLarge.MBps,
        framesPerSec: tcpSmall.framesPerSec,
        p50us: latency.p50us,
        p99us: latency.p99us,
        large: tcpLarge,
        small: tcpSmall,
        latency,
      },
      ...(notes.length > 0 ? { notes } : {}),
    };
  });

  return {
    schemaVersion: 1,
    tool: { name: 'framewire compare', version: VERSION },
    generatedAt,
    elapsedSeconds: (performance.now() - began) / 1000,
    machine: machineInfo(),
    settings: { quick, sizes, smallFrameBytes: small, largeFrameBytes: large, seed, rounds: budget.rounds, memory: budget.memory, tcp: budget.tcp },
    units: { ...UNITS },
    strategies: reports,
  };
}
