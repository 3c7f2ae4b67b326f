import type { Cell } from './cells.js';
import type { RunResult, RunStatus } from './protocol.js';

/** The runs of one cell, reduced to medians. */
export interface CellSummary {
  readonly cell: Cell;
  /** `ok` only when every run was ok; otherwise the first failure's status. */
  readonly status: RunStatus;
  readonly message: string | undefined;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly frames: number;
  readonly payloadBytes: number;
  readonly wireBytes: number;
  /** Frames per second at the median time. */
  readonly framesPerSec: number;
  /** Wire megabytes (10^6 bytes) per second at the median time. */
  readonly wireMBps: number;
  /** Payload megabytes (10^6 bytes) per second at the median time. */
  readonly payloadMBps: number;
  readonly peakRssMiB: number;
  /** Peak RSS over the RSS measured just before the timed pass (workload already in memory). */
  readonly extraRssMiB: number;
  /** Heap + external bytes the warm-up pass allocated, per frame. */
  readonly allocPerFrame: number;
  /** Median of each extra metric. */
  readonly metrics: Readonly<Record<string, number>>;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(cell: Cell, results: readonly RunResult[]): CellSummary {
  const failed = results.find((r) => r.status !== 'ok');
  const ok = results.filter((r) => r.status === 'ok');
  const times = ok.map((r) => r.ms);
  const medianMs = median(times);
  const first = results[0];
  const frames = first?.frames ?? 0;
  const payloadBytes = first?.payloadBytes ?? 0;
  const wireBytes = first?.wireBytes ?? 0;
  const seconds = medianMs / 1000;
  const metricNames = new Set(ok.flatMap((r) => Object.keys(r.metrics)));
  const metrics: Record<string, number> = {};
  for (const name of metricNames) metrics[name] = median(ok.map((r) => r.metrics[name] ?? Number.NaN));
  return {
    cell,
    status: failed?.status ?? (ok.length > 0 ? 'ok' : 'error'),
    message: failed?.message ?? (ok.length > 0 ? undefined : 'no run completed'),
    runs: ok.length,
    medianMs,
    minMs: times.length > 0 ? Math.min(...times) : Number.NaN,
    maxMs: times.length > 0 ? Math.max(...times) : Number.NaN,
    frames,
    payloadBytes,
    wireBytes,
    framesPerSec: frames / seconds,
    wireMBps: wireBytes / 1e6 / seconds,
    payloadMBps: payloadBytes / 1e6 / seconds,
    peakRssMiB: median(ok.map((r) => r.maxRssKiB / 1024)),
    extraRssMiB: median(ok.map((r) => Math.max(0, r.maxRssKiB - r.baseRssKiB) / 1024)),
    allocPerFrame: median(ok.map((r) => r.allocBytes / Math.max(1, r.frames))),
    metrics,
  };
}
