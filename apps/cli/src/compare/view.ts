/**
 * What the terminal table and the HTML page show, derived from the report once so both agree:
 * the columns, how each figure is written, the sort order and the winner of each column.
 *
 * @module
 */
import type { PayloadKind } from './data.js';
import type { OverheadFigure } from './overhead.js';
import type { CompareReport, StrategyReport } from './report.js';
import type { CorruptionFigure } from './resync.js';

/** Which way a column is better. */
export type Better = 'higher' | 'lower';

/** A numeric column. */
export interface Metric {
  /** Stable id, also used as `data-metric` in the HTML page. */
  id: string;
  /** Chart title and column header. */
  label: string;
  /** The header in two short lines, for the terminal table (`['encode', '64 KiB']`). */
  header: [string, string];
  /** Unit shown beside the header. */
  unit: string;
  /** Which way is better. */
  better: Better;
  /** The figure, or `null` when there is none (the strategy cannot carry that size). */
  value(strategy: StrategyReport): number | null;
  /**
   * True when the figure was measured on a test fitted to the strategy (shorter frames), so it
   * is shown but does not compete for the best of its column. Absent: every figure competes.
   */
  fitted?(strategy: StrategyReport): boolean;
}

/** Writes a number for people: whole numbers as they are, else 3 significant digits; k/M/G from 10,000. */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e4) {
    const units: [number, string][] = [
      [1e9, 'G'],
      [1e6, 'M'],
      [1e3, 'k'],
    ];
    for (const [scale, suffix] of units) {
      if (abs >= scale) return `${trimTo3(value / scale)}${suffix}`;
    }
  }
  return trimTo3(value);
}

function trimTo3(value: number): string {
  const abs = Math.abs(value);
  if (Number.isInteger(value)) return value.toString();
  if (abs >= 100) return Math.round(value).toString();
  if (abs >= 10) return value.toFixed(1);
  if (abs === 0) return '0';
  return value.toFixed(2);
}

/** A payload size for people: `16 B`, `4 KiB`, `64 KiB`, `1.5 KiB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;
}

/** The overhead figure of `strategy` for one size and kind. */
export function overheadOf(strategy: StrategyReport, size: number, kind: PayloadKind): OverheadFigure | undefined {
  return strategy.overhead.find((figure) => figure.payloadBytes === size && figure.kind === kind);
}

/** Overhead in bytes for one size and kind, as a metric. */
export function overheadMetric(size: number, kind: PayloadKind): Metric {
  return {
    id: `overhead.${kind}.${size}`,
    label: `${formatSize(size)} ${kind}`,
    header: [formatSize(size), kind],
    unit: 'bytes added',
    better: 'lower',
    value: (strategy) => overheadOf(strategy, size, kind)?.overheadBytes ?? null,
  };
}

/** The speed metrics, in the order they are shown. */
export function speedMetrics(report: CompareReport): Metric[] {
  const large = formatSize(report.settings.largeFrameBytes);
  const small = formatSize(report.settings.smallFrameBytes);
  return [
    { id: 'memory.encodeMBps', label: `encode ${large}`, header: ['encode', large], unit: 'MB/s', better: 'higher', value: (s) => s.memory.encodeMBps },
    { id: 'memory.decodeMBps', label: `decode ${large}`, header: ['decode', large], unit: 'MB/s', better: 'higher', value: (s) => s.memory.decodeMBps },
    {
      id: 'memory.decodeFramesPerSec',
      label: `decode ${small}`,
      header: ['decode', small],
      unit: 'frames/s',
      better: 'higher',
      value: (s) => s.memory.decodeFramesPerSec,
    },
    { id: 'tcp.throughputMBps', label: `TCP ${large}`, header: ['TCP', large], unit: 'MB/s', better: 'higher', value: (s) => s.tcp.throughputMBps },
    { id: 'tcp.framesPerSec', label: `TCP ${small}`, header: ['TCP', small], unit: 'frames/s', better: 'higher', value: (s) => s.tcp.framesPerSec },
    { id: 'tcp.p50us', label: 'RTT p50', header: ['RTT', 'p50'], unit: 'µs', better: 'lower', value: (s) => s.tcp.p50us, fitted: shorterEcho },
    { id: 'tcp.p99us', label: 'RTT p99', header: ['RTT', 'p99'], unit: 'µs', better: 'lower', value: (s) => s.tcp.p99us, fitted: shorterEcho },
  ];

  // A strategy that carries less than the small frame size echoes shorter frames (see its notes).
  function shorterEcho(s: StrategyReport): boolean {
    return s.tcp.latency.payloadBytes < report.settings.smallFrameBytes;
  }
}

/** Whether `strategy`'s figure is the column's `best` (from {@link bestOf}) and gets the ★. */
export function isBest(metric: Metric, strategy: StrategyReport, best: number | undefined): boolean {
  const value = metric.value(strategy);
  return value !== null && value === best && metric.fitted?.(strategy) !== true;
}

/** The best value of a metric over the strategies whose figure is not fitted (`undefined` when none has one). */
export function bestOf(metric: Metric, strategies: readonly StrategyReport[]): number | undefined {
  let best: number | undefined;
  for (const strategy of strategies) {
    const value = metric.value(strategy);
    if (value === null || !Number.isFinite(value) || metric.fitted?.(strategy) === true) continue;
    if (best === undefined || (metric.better === 'higher' ? value > best : value < best)) best = value;
  }
  return best;
}

/**
 * The strategies sorted by a metric, best first; strategies without a figure last, in their
 * original order.
 */
export function sortBy(metric: Metric, strategies: readonly StrategyReport[]): StrategyReport[] {
  const sign = metric.better === 'higher' ? -1 : 1;
  return strategies
    .map((strategy, index) => ({ strategy, index, value: metric.value(strategy) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) return (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0) || a.index - b.index;
      return sign * (a.value - b.value) || a.index - b.index;
    })
    .map((entry) => entry.strategy);
}

/** The recovery figure in words: `yes, 2 lost` or `no`. */
export function describeResync(strategy: StrategyReport): string {
  const { recovers, framesLost } = strategy.resync;
  if (!recovers || framesLost === null) return 'no';
  return `yes, ${framesLost} lost`;
}

/** One kind of damage in words: `2 lost`, `late: 29 lost`, `never (2 of 65 bytes)`. */
export function describeCorruption(figure: CorruptionFigure): string {
  if (figure.framesLost === null) return `never (${figure.positionsTested - figure.positionsRealigned} of ${figure.positionsTested} bytes)`;
  return figure.recovers ? `${figure.framesLost} lost` : `late: ${figure.framesLost} lost`;
}

/** A recovery rank for sorting: frames lost, or Infinity when it never recovers. */
export function resyncRank(strategy: StrategyReport): number {
  return strategy.resync.recovers && strategy.resync.framesLost !== null ? strategy.resync.framesLost : Number.POSITIVE_INFINITY;
}
