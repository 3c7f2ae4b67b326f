/** What a cell process reports to the orchestrator, one `@bench {json}` line per event. */

export const EVENT_PREFIX = '@bench ';

/** Extra numbers a cell reports (latency percentiles, socket writes per frame…). */
export type Metrics = Record<string, number>;

export type RunStatus = 'ok' | 'wrong' | 'timeout' | 'error';

/** One run of one cell. */
export interface RunResult {
  status: RunStatus;
  /** Why a run is not ok. */
  message?: string;
  /** Duration of the timed pass. */
  ms: number;
  frames: number;
  payloadBytes: number;
  wireBytes: number;
  /** Peak resident set size of the process (`process.resourceUsage().maxRSS`). */
  maxRssKiB: number;
  /** Resident set size just before the timed pass: workload loaded, warm-up collected. */
  baseRssKiB: number;
  /** JS heap + external bytes allocated by the warm-up pass. */
  allocBytes: number;
  metrics: Metrics;
}

export type CellEvent =
  | { event: 'ready'; budgetMs: number }
  | { event: 'warm'; ms: number }
  | { event: 'result'; result: RunResult }
  | { event: 'error'; message: string };
