/**
 * The orchestrator: runs every cell in fresh child processes, one at a time, prints the tables
 * and (for a complete full run) writes bench/RESULTS.md.
 *
 *   node dist/run.js [--quick] [--only SUBSTRING]... [--runs N] [--list] [--out FILE]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CELLS, budgetMs, type Cell } from './cells.js';
import { EVENT_PREFIX, type CellEvent, type RunResult } from './protocol.js';
import { machine, renderReport } from './report.js';
import { summarize, type CellSummary } from './summary.js';

const CELL_SCRIPT = fileURLToPath(new URL('./cell.js', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
/** Time a child gets to generate its workload before it must report `ready`. */
const PREPARE_BUDGET_MS = 120_000;

const USAGE = `Usage: pnpm bench [--quick] [--only SUBSTRING]... [--runs N] [--list] [--out FILE]

  --quick          smaller workloads, fewer runs (under a minute); writes no RESULTS.md
  --only S         run only the cells whose id contains S (repeatable); writes no RESULTS.md
  --runs N         timed runs per cell, each in a fresh process (default 5, quick 1)
  --list           list the cell ids and exit
  --out FILE       write the report to FILE (default: bench/RESULTS.md after a complete full run)
`;

/** Runs one cell once in a fresh `node --expose-gc` process, enforcing the per-phase budget. */
function runChild(cell: Cell, quick: boolean, cacheDir: string): Promise<RunResult> {
  const budget = budgetMs(cell, quick);
  // The cell process runs the timed passes of the cell's passPlan.
  const args = ['--expose-gc', CELL_SCRIPT, cell.id, '--cache', cacheDir, ...(quick ? ['--quick'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let result: RunResult | undefined;
  let failure: string | undefined;
  let timedOut: string | undefined;
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number, phase: string): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = `${phase} exceeded ${ms} ms`;
      child.kill('SIGKILL');
    }, ms);
  };
  arm(PREPARE_BUDGET_MS, 'preparing the workload');

  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line.startsWith(EVENT_PREFIX)) continue;
      const event = JSON.parse(line.slice(EVENT_PREFIX.length)) as CellEvent;
      if (event.event === 'ready') arm(budget, 'warm-up');
      else if (event.event === 'warm') arm(budget, 'timed pass');
      else if (event.event === 'result') result = event.result;
      else failure = event.message;
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });

  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      if (result !== undefined) {
        resolve(result);
        return;
      }
      const empty = { ms: 0, frames: 0, payloadBytes: 0, wireBytes: 0, maxRssKiB: 0, baseRssKiB: 0, allocBytes: 0, metrics: {} };
      if (timedOut !== undefined) {
        resolve({ ...empty, status: 'timeout', message: timedOut });
        return;
      }
      const message = failure ?? (stderr.trim() || `exited with code ${String(code)}`);
      resolve({ ...empty, status: 'error', message: firstLines(message, 3) });
    });
  });
}

function firstLines(text: string, n: number): string {
  return text.split('\n').slice(0, n).join(' / ');
}

function describe(summary: CellSummary): string {
  if (summary.status !== 'ok') return `${summary.status.toUpperCase()}: ${summary.message ?? ''}`;
  const ms = summary.medianMs;
  const spread = `${summary.minMs.toFixed(1)}–${summary.maxMs.toFixed(1)}`;
  return `${ms.toFixed(1)} ms (${spread}), ${(summary.framesPerSec / 1e6).toFixed(3)} M frames/s, ${summary.wireMBps.toFixed(0)} MB/s`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true, default: [] },
      runs: { type: 'string' },
      list: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.list) {
    for (const cell of CELLS) process.stdout.write(`${cell.id}\n`);
    return;
  }
  const quick = values.quick;
  const runs = values.runs === undefined ? (quick ? 1 : 5) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`--runs must be a positive integer (got ${String(values.runs)})`);
  const only = values.only;
  const cells = only.length === 0 ? CELLS : CELLS.filter((cell) => only.some((s) => cell.id.includes(s)));
  if (cells.length === 0) throw new Error(`no cell id contains ${only.join(' or ')} (see --list)`);

  const started = Date.now();
  const host = machine();
  const summaries = new Map<string, CellSummary>();
  const width = Math.max(...cells.map((cell) => cell.id.length));
  // Generated workloads, shared by the cell processes of this run only.
  const cacheDir = mkdtempSync(join(os.tmpdir(), 'framewire-bench-'));
  const removeCache = (): void => {
    rmSync(cacheDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    removeCache();
    process.exit(130);
  });
  try {
    // Round-robin: run r of every cell, then run r + 1 of every cell, so that a spell of load
    // on the machine spreads over all the cells instead of landing on a few of them.
    const results = new Map<string, RunResult[]>(cells.map((cell) => [cell.id, []]));
    const settled = (cell: Cell): boolean => {
      const done = results.get(cell.id)!;
      // A wrong, failed or timed-out cell is not run again.
      return done.length === runs || done.some((result) => result.status !== 'ok');
    };
    // Progress: one line per round when piped, a line redrawn per cell on a terminal.
    const tty = process.stderr.isTTY;
    for (let run = 0; run < runs; run++) {
      if (!tty) process.stderr.write(`run ${run + 1} of ${runs}\n`);
      for (const [index, cell] of cells.entries()) {
        if (settled(cell)) continue;
        if (tty) process.stderr.write(`\r\x1b[Krun ${run + 1} of ${runs} · cell ${index + 1} of ${cells.length} · ${cell.id}`);
        results.get(cell.id)!.push(await runChild(cell, quick, cacheDir));
      }
    }
    if (tty) process.stderr.write('\r\x1b[K');
    for (const [index, cell] of cells.entries()) {
      const summary = summarize(cell, results.get(cell.id)!);
      summaries.set(cell.id, summary);
      const counter = `[${String(index + 1).padStart(String(cells.length).length)}/${cells.length}]`;
      process.stderr.write(`${counter} ${cell.id.padEnd(width)}  ${describe(summary)}\n`);
    }
  } finally {
    removeCache();
  }
  const elapsedMs = Date.now() - started;

  const report = renderReport({ summaries, quick, runs, elapsedMs, machine: host, complete: only.length === 0, loadEnd: os.loadavg() });
  process.stdout.write(`\n${report}`);
  const out = values.out ?? (!quick && only.length === 0 ? RESULTS_FILE : undefined);
  if (out !== undefined) {
    writeFileSync(out, report);
    process.stderr.write(`\nwrote ${out}\n`);
  }
  process.stderr.write(`suite took ${(elapsedMs / 1000).toFixed(0)} s\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
