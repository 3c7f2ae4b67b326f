/** Turns the cell summaries into the Markdown report: machine, targets, then every table. */
import os from 'node:os';
import {
  DECODE_IMPLS,
  budgetMs,
  TCP_IMPLS,
  TCP_SCENARIOS,
  decodeCellId,
  tcpCellId,
  type DecodeImpl,
  type TcpImpl,
  type TcpScenario,
} from './cells.js';
import type { CellSummary } from './summary.js';
import { BATCH, PING_BLOCKS, planOf } from './tcp-shared.js';
import { FOOTER_WIRES, HEADER_WIRES, type Wire } from './wire.js';
import { sizeOf, type Shape } from './workloads.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  /** 1-, 5- and 15-minute load averages when the suite started. */
  load: readonly number[];
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    date: new Date().toISOString(),
    load: os.loadavg(),
  };
}

export interface ReportInput {
  summaries: ReadonlyMap<string, CellSummary>;
  quick: boolean;
  runs: number;
  elapsedMs: number;
  machine: Machine;
  /** Whether every cell ran (no `--only`). */
  complete: boolean;
  /** Load averages when the suite ended. */
  loadEnd: readonly number[];
}

// ---------------------------------------------------------------------------------------
// Formatting

function fmtTime(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(n >= 100 ? 0 : 1);
}

function fmtNumber(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

function fmtRatio(r: number | undefined): string {
  return r === undefined || !Number.isFinite(r) ? '–' : `${r.toFixed(2)}×`;
}

function fmtMiB(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(n < 10 ? 1 : 0)} MiB` : '–';
}

function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n.toFixed(0)} B`;
}

function fmtSize(bytes: number): string {
  if (bytes >= 2 ** 20) return `${bytes / 2 ** 20} MiB`;
  if (bytes >= 2 ** 10) return `${bytes / 2 ** 10} KiB`;
  return `${bytes} B`;
}

function fmtLoad(load: readonly number[]): string {
  return load.map((l) => l.toFixed(2)).join(' / ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Non-ok cells as footnotes. */
class Notes {
  private readonly lines: string[] = [];

  status(summary: CellSummary | undefined, label: string): string | undefined {
    if (summary === undefined) return 'not run';
    if (summary.status === 'ok') return undefined;
    const mark = summary.status.toUpperCase();
    this.lines.push(`${label}: ${mark} — ${summary.message ?? ''}`);
    return `**${mark}**`;
  }

  render(): string {
    return this.lines.length === 0 ? '' : `\n\n${this.lines.map((l) => `- ${l}`).join('\n')}`;
  }
}

function ok(summary: CellSummary | undefined): summary is CellSummary & { status: 'ok' } {
  return summary?.status === 'ok';
}

// ---------------------------------------------------------------------------------------
// Tables

interface Row {
  id: string;
  label: string;
}

function decodeRow(shape: Shape, wire: Wire, impl: DecodeImpl, suffix = ''): Row {
  return { id: decodeCellId(shape, wire, impl), label: `${DECODE_IMPLS[impl].label}${suffix}` };
}

function timeCell(s: CellSummary): string {
  return `${fmtTime(s.medianMs)} (${fmtTime(s.minMs)}–${fmtTime(s.maxMs)})`;
}

/** Time per frame (a W5 pass decodes several frames). */
function perFrameCell(s: CellSummary): string {
  const n = s.frames;
  return `${fmtTime(s.medianMs / n)} (${fmtTime(s.minMs / n)}–${fmtTime(s.maxMs / n)})`;
}

/** A decoder table: throughput, ratio to a base cell, memory and allocation (and page faults per MiB if asked). */
function decodeTable(input: ReportInput, rows: readonly Row[], base: Row | undefined, unit = 'frames/s', faults = false): string {
  const notes = new Notes();
  const baseSummary = base === undefined ? undefined : input.summaries.get(base.id);
  const header = [
    'Implementation',
    'median (min–max)',
    'CPU',
    unit,
    'MB/s',
    ...(base ? [`× ${base.label}`] : []),
    'peak RSS',
    '+RSS',
    'alloc/frame',
    ...(faults ? ['page faults per MiB'] : []),
  ];
  const blank = header.slice(2).map(() => '');
  const body = rows.map((row) => {
    const s = input.summaries.get(row.id);
    const bad = notes.status(s, row.label);
    if (bad !== undefined || !ok(s)) return [row.label, bad ?? '', ...blank];
    const ratio = ok(baseSummary) ? s.framesPerSec / baseSummary.framesPerSec : undefined;
    return [
      row.label,
      timeCell(s),
      fmtTime(s.metrics['cpuMs'] ?? Number.NaN),
      fmtCount(s.framesPerSec),
      fmtNumber(s.wireMBps),
      ...(base ? [fmtRatio(ratio)] : []),
      fmtMiB(s.peakRssMiB),
      fmtMiB(s.extraRssMiB),
      fmtBytes(s.allocPerFrame),
      ...(faults ? [faultsPerMiB(s)] : []),
    ];
  });
  return table(header, body) + notes.render();
}

function w5Rows(): { label: string; wire: Wire; impl: DecodeImpl }[] {
  return [
    ...[...HEADER_WIRES, ...FOOTER_WIRES].map((wire) => ({ label: `framewire \`${wire}\``, wire, impl: 'framewire' as const })),
    { label: 'reference u32be decoder', wire: 'u32be', impl: 'reference' },
    { label: 'reference line splitter', wire: 'line', impl: 'reference' },
    ...(['ilp-sync', 'bl', 'u8al'] as const).map((impl) => ({ label: `${DECODE_IMPLS[impl].label} (u32be)`, wire: 'u32be' as const, impl })),
    { label: `${DECODE_IMPLS.lps.label} (varint)`, wire: 'varint', impl: 'lps' },
    ...(['serialport-delimiter', 'split2', 'readline'] as const).map((impl) => ({
      label: `${DECODE_IMPLS[impl].label} (line)`,
      wire: 'line' as const,
      impl,
    })),
  ];
}

/** time(large) / time(small), or a lower bound when the large one timed out. */
function growth(input: ReportInput, wire: Wire, impl: DecodeImpl): { text: string; value: number | undefined } {
  const small = input.summaries.get(decodeCellId('w5-small', wire, impl));
  const large = input.summaries.get(decodeCellId('w5-large', wire, impl));
  if (!ok(small)) return { text: '–', value: undefined };
  const perFrame = small.medianMs / small.frames;
  if (ok(large)) {
    const r = large.medianMs / large.frames / perFrame;
    return { text: boundRatio(r, 10, 1), value: r };
  }
  if (large?.status === 'timeout') {
    return { text: `> ${(budgetMs(large.cell, input.quick) / perFrame).toFixed(0)}`, value: Number.POSITIVE_INFINITY };
  }
  return { text: '–', value: undefined };
}

/** Minor page faults of the timed pass per MiB of payload (256 = a fresh page for every byte). */
function faultsPerMiB(s: CellSummary | undefined): string {
  const faults = s?.metrics['pageFaults'];
  if (!ok(s) || faults === undefined || s.payloadBytes === 0) return '–';
  return (faults / (s.payloadBytes / 2 ** 20)).toFixed(0);
}

function w5Table(input: ReportInput): string {
  const notes = new Notes();
  const body = w5Rows().map(({ label, wire, impl }) => {
    const small = input.summaries.get(decodeCellId('w5-small', wire, impl));
    const large = input.summaries.get(decodeCellId('w5-large', wire, impl));
    const smallBad = notes.status(small, `${label}, small`);
    const largeBad = notes.status(large, `${label}, large`);
    return [
      label,
      smallBad ?? (ok(small) ? perFrameCell(small) : ''),
      largeBad ?? (ok(large) ? perFrameCell(large) : ''),
      growth(input, wire, impl).text,
      `${faultsPerMiB(small)} / ${faultsPerMiB(large)}`,
      ok(large) ? fmtMiB(large.peakRssMiB) : '',
      ok(large) ? fmtMiB(large.extraRssMiB) : '',
    ];
  });
  const small = fmtSize(sizeOf('w5-small', input.quick).payloadLength);
  const large = fmtSize(sizeOf('w5-large', input.quick).payloadLength);
  return (
    table(
      ['Implementation', `${small} frame`, `${large} frame`, `time ratio (linear = 8)`, `page faults per MiB (${small} / ${large})`, 'peak RSS (large)', '+RSS (large)'],
      body,
    ) +
    notes.render()
  );
}

function tcpLabel(impl: TcpImpl): string {
  return TCP_IMPLS[impl];
}

const TCP_SHORT: Record<TcpImpl, string> = {
  framewire: 'framewire',
  'framewire-frames': 'framewire, decodeFramesAsync',
  'framewire-arena': 'framewire, recvArena',
  'framewire-reads': 'framewire, frameReads',
  'framewire-borrowed': 'framewire, borrowed',
  'framewire-ring': 'framewire, reuseArena',
  raw: 'raw',
  corked: 'corked',
  packed: 'packed',
};

function tcpThroughputTable(input: ReportInput, scenario: TcpScenario, impls: readonly TcpImpl[], base: TcpImpl): string {
  const notes = new Notes();
  const baseSummary = input.summaries.get(tcpCellId(scenario, base));
  const body = impls.map((impl) => {
    const s = input.summaries.get(tcpCellId(scenario, impl));
    const bad = notes.status(s, tcpLabel(impl));
    if (bad !== undefined || !ok(s)) return [tcpLabel(impl), bad ?? '', '', '', '', ''];
    const ratio = ok(baseSummary) ? baseSummary.medianMs / s.medianMs : undefined;
    return [tcpLabel(impl), timeCell(s), fmtCount(s.framesPerSec), fmtNumber(s.payloadMBps), fmtRatio(ratio), fmtMiB(s.peakRssMiB)];
  });
  return table(['Implementation', 'median (min–max)', 'frames/s', 'payload MB/s', `× ${TCP_SHORT[base]}`, 'peak RSS'], body) + notes.render();
}

function pingPongTable(input: ReportInput): string {
  const notes = new Notes();
  const s = input.summaries.get(tcpCellId('pingpong', 'framewire'));
  const bad = notes.status(s, 'ping-pong');
  const sides = [
    [tcpLabel('framewire'), 'p50Us', 'p99Us', 'roundTripsPerSec', 'writesPerFrame', 'p50Ratio'],
    ['raw `net.Socket` + hand-written u32be (one write per frame)', 'rawP50Us', 'rawP99Us', 'rawRoundTripsPerSec', 'rawWritesPerFrame', undefined],
  ] as const;
  const body = sides.map(([label, p50, p99, perSec, writes, ratio]) => {
    if (bad !== undefined || !ok(s)) return [label, bad ?? '', '', '', '', ''];
    const metric = (name: string): number => s.metrics[name] ?? Number.NaN;
    return [
      label,
      fmtCount(metric(perSec)),
      `${fmtNumber(metric(p50), 1)} µs`,
      `${fmtNumber(metric(p99), 1)} µs`,
      fmtNumber(metric(writes), 2),
      fmtRatio(ratio === undefined ? 1 : metric(ratio)),
    ];
  });
  return table(['Implementation', 'round trips/s', 'p50', 'p99', 'socket writes/frame', 'p50 × raw'], body) + notes.render();
}

// ---------------------------------------------------------------------------------------
// Targets

interface Target {
  workload: string;
  target: string;
  measured: string;
  pass: boolean | undefined;
}

function fps(input: ReportInput, id: string): number | undefined {
  const s = input.summaries.get(id);
  return ok(s) ? s.framesPerSec : undefined;
}

/** Frames per CPU-second (the process's user + system time of the timed pass). */
function cpuFps(input: ReportInput, id: string): number | undefined {
  const s = input.summaries.get(id);
  const cpu = s?.metrics['cpuMs'];
  return ok(s) && cpu !== undefined ? s.frames / (cpu / 1000) : undefined;
}

/**
 * A ratio measured against a target's bound, to `digits` decimals, or to as many more as it
 * takes not to round it onto the bound from the wrong side (0.49996 must not read "0.50" next
 * to ❌).
 */
function boundRatio(r: number, bound: number, digits = 2): string {
  let text = r.toFixed(digits);
  for (let d = digits + 1; Number(text) === bound && r !== bound && d <= 12; d++) text = r.toFixed(d);
  return text;
}

/** Throughput of cell `a` over cell `b`, in wall time (the target) and in CPU time (for context). */
function ratioTarget(input: ReportInput, workload: string, target: string, a: string, b: string | undefined, min: number, what: string): Target {
  const wa = fps(input, a);
  const wb = b === undefined ? undefined : fps(input, b);
  if (wa === undefined || wb === undefined || b === undefined) return { workload, target, measured: 'not measured', pass: undefined };
  const r = wa / wb;
  const ca = cpuFps(input, a);
  const cb = cpuFps(input, b);
  const cpu = ca !== undefined && cb !== undefined ? ` (CPU time: ${(ca / cb).toFixed(2)}×)` : '';
  return { workload, target, measured: `${boundRatio(r, min)}× ${what}${cpu}`, pass: r >= min };
}

function targets(input: ReportInput): Target[] {
  const out: Target[] = [];
  const d = decodeCellId;
  const fw1 = d('w1', 'u32be', 'framewire');
  out.push(ratioTarget(input, 'W1 u32be, 64 B frames', '≥ 0.8 × reference', fw1, d('w1', 'u32be', 'reference'), 0.8, 'reference'));
  // Each peer against framewire decoding the same wire format: the u32be peers against
  // framewire's u32be, length-prefixed-stream (which reads only varint) against its varint.
  const peers = [
    { peer: d('w1', 'u32be', 'ilp-sync'), ours: fw1 },
    { peer: d('w1', 'u32be', 'ilp-async'), ours: fw1 },
    { peer: d('w1', 'u32be', 'bl'), ours: fw1 },
    { peer: d('w1', 'u32be', 'u8al'), ours: fw1 },
    { peer: d('w1', 'varint', 'lps'), ours: d('w1', 'varint', 'framewire') },
  ];
  const fastestOf = (list: typeof peers): (typeof peers)[number] | undefined =>
    list.filter(({ peer }) => fps(input, peer) !== undefined).sort((a, b) => fps(input, b.peer)! - fps(input, a.peer)!)[0];
  const peerName = (id: string | undefined): string => (id === undefined ? 'peer' : (id.split('/')[1] ?? 'peer'));
  const u32Peer = fastestOf(peers.filter(({ ours }) => ours === fw1));
  out.push(
    ratioTarget(input, 'W1 u32be, 64 B frames', '≥ 2 × the fastest peer', fw1, u32Peer?.peer, 2, `the fastest u32be peer (${peerName(u32Peer?.peer)})`),
  );
  const lpsPair = peers[peers.length - 1]!;
  out.push(
    ratioTarget(input, 'W1-shaped, varint', '≥ 2 × the fastest peer', lpsPair.ours, lpsPair.peer, 2, 'length-prefixed-stream (framewire `varint` vs lps; lps reads only varint)'),
  );
  out.push(ratioTarget(input, 'W2 1 MiB frames', '≥ 0.9 × reference', d('w2', 'u32be', 'framewire'), d('w2', 'u32be', 'reference'), 0.9, 'reference'));
  out.push(ratioTarget(input, 'W3 7-byte chunks', '≥ 0.8 × reference', d('w3', 'u32be', 'framewire'), d('w3', 'u32be', 'reference'), 0.8, 'reference'));
  const fw4 = d('w4', 'line', 'framewire');
  out.push(ratioTarget(input, 'W4 lines (bytes out)', '≥ 0.8 × reference splitter', fw4, d('w4', 'line', 'reference'), 0.8, 'reference'));
  out.push(ratioTarget(input, 'W4 lines (bytes out)', '≥ 1.5 × split2 (lines/s)', fw4, d('w4', 'line', 'split2'), 1.5, 'split2'));
  const fw4s = d('w4', 'line', 'framewire-strings');
  out.push(ratioTarget(input, 'W4 lines (strings out)', '≥ split2', fw4s, d('w4', 'line', 'split2'), 1, 'split2'));
  out.push(ratioTarget(input, 'W4 lines (strings out)', '≥ node:readline', fw4s, d('w4', 'line', 'readline'), 1, 'node:readline'));

  // W5: every header and footer strategy grows linearly.
  const wires = [...HEADER_WIRES, ...FOOTER_WIRES];
  const growths = wires.map((wire) => ({ wire, g: growth(input, wire, 'framewire') }));
  const measured = growths.filter((x) => x.g.value !== undefined);
  const worst = [...measured].sort((a, b) => b.g.value! - a.g.value!)[0];
  const over = measured.filter((x) => x.g.value! > 10).map((x) => `\`${x.wire}\` ${x.g.text}`);
  out.push({
    workload: `W5 ${fmtSize(sizeOf('w5-large', input.quick).payloadLength)} in 1 KiB chunks`,
    target: 'time(8×) / time(1×) ≤ 10, every header and footer strategy',
    measured:
      worst === undefined
        ? 'not measured'
        : `${measured.length}/${wires.length} measured; worst \`${worst.wire}\` ${worst.g.text}${over.length > 0 ? `; over 10: ${over.join(', ')}` : ''}`,
    pass: worst === undefined ? undefined : measured.length === wires.length && over.length === 0,
  });

  // Other strategies on W1-shaped data, against framewire's u32be.
  const u32 = input.summaries.get(d('w1', 'u32be', 'framewire'));
  for (const wire of ['varint', 'cobs', 'slip', 'netstring', 'ascii:10'] as const) {
    const s = input.summaries.get(d('w1', wire, 'framewire'));
    const workload = `\`${wire}\` on W1-shaped data`;
    const target = '≥ 0.5 × u32be, no per-byte allocation';
    if (!ok(s) || !ok(u32)) {
      out.push({ workload, target, measured: 'not measured', pass: undefined });
      continue;
    }
    const r = s.framesPerSec / u32.framesPerSec;
    const ca = cpuFps(input, s.cell.id);
    const cb = cpuFps(input, u32.cell.id);
    const cpu = ca !== undefined && cb !== undefined ? ` (CPU time: ${(ca / cb).toFixed(2)}×)` : '';
    // One copy of the payload is 1 byte per byte; per-byte objects cost 8 or more.
    const extra = (s.allocPerFrame - u32.allocPerFrame) / sizeOf('w1', input.quick).payloadLength;
    out.push({
      workload,
      target,
      measured: `${boundRatio(r, 0.5)}× u32be${cpu}; ${fmtBytes(s.allocPerFrame)}/frame (u32be ${fmtBytes(u32.allocPerFrame)}), ${extra.toFixed(2)} B extra per payload byte`,
      pass: r >= 0.5 && extra <= 2,
    });
  }

  // The framewire and raw bulk cells carry the same payloads: frames/s ratio = payload MB/s ratio.
  // Frames owned (a new array per frame that spans reads), owned read into blocks (a view),
  // lent (one reused array), and lent from one block read round and round: a row each.
  const bulkRows = {
    'framewire-frames': 'owned, decodeFramesAsync',
    framewire: 'owned, Deframer over the chunks',
    'framewire-arena': 'owned, recvArena',
    'framewire-reads': 'owned, frameReads',
    'framewire-borrowed': 'borrowed',
    'framewire-ring': 'borrowed, recvArena + reuseArena',
  } as const;
  for (const [impl, frames] of Object.entries(bulkRows) as [keyof typeof bulkRows, string][]) {
    const workload = `TCP 64 KiB frames, ${frames}`;
    out.push(ratioTarget(input, workload, '≥ 0.9 × raw socket throughput', tcpCellId('bulk', impl), tcpCellId('bulk', 'raw'), 0.9, 'raw (payload MB/s)'));
  }
  out.push(ratioTarget(input, 'TCP 64 B frames', '≥ 0.8 × corked hand-written writer', tcpCellId('small', 'framewire'), tcpCellId('small', 'corked'), 0.8, 'corked writer'));
  const ping = input.summaries.get(tcpCellId('pingpong', 'framewire'));
  if (ok(ping)) {
    const m = ping.metrics;
    const r = m['p50Ratio'] ?? Number.NaN;
    const writes = m['writesPerFrame'] ?? Number.NaN;
    out.push({
      workload: 'TCP ping-pong, 64 B',
      target: 'p50 ≤ 1.2 × raw Node ping-pong; one write per frame',
      measured: `p50 ${boundRatio(r, 1.2)}× raw, paired in each run (${fmtNumber(m['p50Us'] ?? Number.NaN, 1)} vs ${fmtNumber(m['rawP50Us'] ?? Number.NaN, 1)} µs); ${writes.toFixed(2)} writes/frame`,
      pass: r <= 1.2 && writes <= 1,
    });
  } else {
    out.push({ workload: 'TCP ping-pong, 64 B', target: 'p50 ≤ 1.2 × raw; one write per frame', measured: 'not measured', pass: undefined });
  }
  return out;
}

function targetTable(input: ReportInput): string {
  const rows = targets(input).map((t) => [t.workload, t.target, t.measured, t.pass === undefined ? '–' : t.pass ? '✅' : '❌']);
  return table(['Workload', 'Target', 'Measured (medians, same run)', ''], rows);
}

// ---------------------------------------------------------------------------------------
// The report

export function renderReport(input: ReportInput): string {
  const { machine: m, quick } = input;
  const w = (shape: Shape): string => {
    const size = sizeOf(shape, quick);
    return `${fmtCount(size.frames)} × ${fmtSize(size.payloadLength)} frames in ${fmtSize(size.chunkSize)} chunks`;
  };
  const w5Budget = budgetMs({ kind: 'decode', id: '', shape: 'w5-large', wire: 'u32be', impl: 'framewire' }, quick);
  const bulk = planOf('bulk', quick);
  const small = planOf('small', quick);
  const ping = planOf('pingpong', quick);
  const sections: string[] = [];
  sections.push(`# framewire benchmark results${quick ? ' (quick mode: smaller workloads, not comparable to the targets)' : ''}

Produced by \`pnpm bench${quick ? ' --quick' : ''}\` (see [README.md](README.md) for the method).

| | |
|---|---|
| CPU | ${m.cpu} |
| Cores | ${m.cores} |
| Memory | ${m.memoryGiB.toFixed(1)} GiB |
| OS | ${m.os} |
| Node.js | ${m.node} |
| Date | ${m.date} |
| Load average (1/5/15 min) | ${fmtLoad(m.load)} at the start, ${fmtLoad(input.loadEnd)} at the end |
| Runs per cell | ${input.runs}, each in a fresh process (a warm-up pass, then the fastest of ${input.quick ? 'one timed pass' : 'the timed passes: three, and on W1, W3 and W4 more within 0.6 s, up to eight; W2: twelve; TCP throughput: six; ping-pong: one'}), taken round-robin over the cells |
| Suite duration | ${(input.elapsedMs / 60_000).toFixed(1)} min${input.complete ? '' : ' (partial run: some cells not run)'} |

Times are medians of the runs (min–max in brackets); "CPU" is the median user + system CPU
time of the counted pass (all threads of the process), shown because a busy machine
stretches wall time but much less CPU time. Throughput and the targets use wall time.
MB = 10^6 bytes of wire input. "peak RSS" is the process's high-water mark (workload
included); "+RSS" is that peak minus the RSS just before the timed passes, i.e. what
decoding added. "alloc/frame" is JS heap + ArrayBuffer bytes allocated by the (untimed)
warm-up pass per frame, from V8's GC profiler.`);

  sections.push(`## Targets\n\n${targetTable(input)}`);

  sections.push(`## W1 — u32be, ${w('w1')}

${decodeTable(
  input,
  [
    decodeRow('w1', 'u32be', 'framewire'),
    decodeRow('w1', 'u32be', 'framewire-generator'),
    decodeRow('w1', 'u32be', 'framewire-async'),
    decodeRow('w1', 'u32be', 'reference'),
    decodeRow('w1', 'u32be', 'ilp-sync'),
    decodeRow('w1', 'u32be', 'ilp-async'),
    decodeRow('w1', 'u32be', 'bl'),
    decodeRow('w1', 'u32be', 'u8al'),
    decodeRow('w1', 'varint', 'lps', ' (varint prefix: the only one it reads)'),
  ],
  decodeRow('w1', 'u32be', 'reference'),
)}`);

  sections.push(`## Every strategy on W1-shaped data (${w('w1')})

Binary random payloads, except for \`line\` and \`nul\` (printable ASCII, which they need).

${decodeTable(
  input,
  [
    decodeRow('w1', 'u32be', 'framewire', ' `u32be`'),
    ...(['varint', 'ascii:10', 'netstring', 'cobs', 'slip', 'line', 'nul'] as const).map((wire) =>
      decodeRow('w1', wire, 'framewire', ` \`${wire}\``),
    ),
    decodeRow('w1', 'varint', 'ilp-sync', ' (varint)'),
    decodeRow('w1', 'varint', 'lps', ' (varint)'),
  ],
  decodeRow('w1', 'u32be', 'framewire', ' `u32be`'),
)}`);

  sections.push(`## W2 — u32be, ${w('w2')}

\`Uint8Array.set\` copies every chunk into one pre-touched buffer: the bandwidth limit of a
decoder that must copy each frame once (a 1 MiB frame spans 16 chunks). The decoders copy
each frame into memory of its own instead; when the allocator hands out pages the process
has not touched yet, each 4 KiB costs a page fault (256 per MiB: a fresh page for every
byte). How many a pass takes depends on what the allocator kept from earlier frames, and
decides much of its time: compare the page-fault column before reading a ratio as code.

${decodeTable(
  input,
  [
    decodeRow('w2', 'u32be', 'framewire'),
    decodeRow('w2', 'u32be', 'reference'),
    decodeRow('w2', 'u32be', 'memcpy'),
    decodeRow('w2', 'u32be', 'ilp-sync'),
    decodeRow('w2', 'u32be', 'bl'),
    decodeRow('w2', 'u32be', 'u8al'),
    decodeRow('w2', 'varint', 'lps', ' (varint)'),
  ],
  decodeRow('w2', 'u32be', 'reference'),
  'frames/s',
  true,
)}`);

  sections.push(`## W3 — u32be, ${w('w3')}

${decodeTable(
  input,
  [
    decodeRow('w3', 'u32be', 'framewire'),
    decodeRow('w3', 'u32be', 'reference'),
    decodeRow('w3', 'u32be', 'ilp-sync'),
    decodeRow('w3', 'u32be', 'bl'),
    decodeRow('w3', 'u32be', 'u8al'),
    decodeRow('w3', 'varint', 'lps', ' (varint)'),
  ],
  decodeRow('w3', 'u32be', 'reference'),
)}`);

  sections.push(`## W4 — lines, ${w('w4')} (\`\\n\` after each 63 B line)

### Bytes out

split2 (strings out) is listed for the lines/s target. The plain-chunks row decodes the same
chunks as plain \`Uint8Array\` views, as a WHATWG stream (\`fetch\` among them) hands them out.

${decodeTable(
  input,
  [
    decodeRow('w4', 'line', 'framewire', ' `line`'),
    decodeRow('w4', 'line', 'framewire-plain'),
    decodeRow('w4', 'line', 'reference'),
    decodeRow('w4', 'line', 'serialport-delimiter'),
    decodeRow('w4', 'line', 'split2', ' (strings)'),
  ],
  decodeRow('w4', 'line', 'reference'),
  'lines/s',
)}

### Strings out

${decodeTable(
  input,
  [
    decodeRow('w4', 'line', 'framewire-strings'),
    decodeRow('w4', 'line', 'framewire-textdecoder'),
    decodeRow('w4', 'line', 'reference-strings'),
    decodeRow('w4', 'line', 'split2'),
    decodeRow('w4', 'line', 'readline'),
    decodeRow('w4', 'line', 'serialport-readline'),
  ],
  decodeRow('w4', 'line', 'split2'),
  'lines/s',
)}`);

  sections.push(`## W5 — growth: frames of ${fmtSize(sizeOf('w5-small', quick).payloadLength)} and of ${fmtSize(
    sizeOf('w5-large', quick).payloadLength,
  )} in 1 KiB chunks

A linear decoder takes 8 × as long for the 8 × larger frame; a decoder that re-copies or
re-scans its buffer per chunk takes up to 64 ×. Times are per frame: a pass decodes ${sizeOf('w5-large', quick).frames}
different large frames or ${sizeOf('w5-small', quick).frames} different small ones back to back, so both passes carry the
same bytes and neither reads its input twice (a frame decoded again would come from the CPU
cache). Per-phase time budget ${w5Budget / 1000} s, after which the run is a TIMEOUT (the ratio is then
a lower bound).

Every framewire decoder copies a frame that spans chunks once, into memory of its own. When
the allocator hands out pages the process has not touched yet, each 4 KiB page costs a page
fault (the kernel maps and zeroes it) on top of the copy: 256 faults per MiB is a fresh page
for every byte. Whether it does depends on what the allocator has kept from earlier frames, so
it differs between runs and between the two sizes; the page-fault column (median of the runs)
shows when a ratio away from 8 comes from memory rather than from the decoder's work.

${w5Table(input)}`);

  sections.push(`## TCP over 127.0.0.1

A worker thread (its own event loop and core) is the peer. In the throughput scenarios it
listens and sends; this thread connects, receives and decodes, timed from the connection being
up to the last frame. One worker serves all of a process's passes, the warm-up first, so that
both ends run warm code in the timed passes. Every sender sets \`noDelay\`, as framewire's
transport does by default.

### ${TCP_SCENARIOS.bulk}: ${fmtCount(bulk.frames)} frames (${fmtSize(bulk.frames * bulk.payloadLength)})

The raw sender writes the same payloads without headers; the raw receiver only counts and
samples them — the throughput of the socket itself, read Node's way (a \`net.Socket\`'s own
reads, into new memory, at most 64 KiB at a time). A framewire client connection reads into
new 64 KiB memory per read too (Node's \`onread\`), so that its reads can be laid out after
\`connect\`. \`decodeFramesAsync(conn, u32be())\`, the way the root README reads frames, does
that: it hands the connection \`u32be\`'s read memory (\`frameReads\`), so the socket reads
each payload into memory of its own, each read stopping right after the next header, and every
frame but the first is that memory, owned, with no copy. A \`Deframer\` fed the connection's
chunks (\`for await (const chunk of conn)\`) gets the reads as they are: every 65,540-byte frame
spans two of them and is copied once, into a new array (owned) or into one array the
\`Deframer\` reuses (borrowed: valid until \`onFrame\` returns, which is all the tally needs).
With \`recvArena\`, the socket reads into 1 MiB blocks, each read right after the one before,
and a frame that spans reads in one block is a view of it: owned, with no copy (only a frame
that straddles two blocks is copied). With \`connect({ recvInto: frameReads(u32be()) })\`, the
reads are laid out as \`decodeFramesAsync\` lays them out, for a \`Deframer\`. With
\`recvArena\` and \`reuseArena\`, the socket reads round and round one 1 MiB block, going back
to its start whenever the bytes the borrowed \`Deframer\` still holds are not in the way:
frames are views of warm memory, lent like borrowed ones.

${tcpThroughputTable(input, 'bulk', ['framewire-frames', 'framewire', 'framewire-arena', 'framewire-reads', 'framewire-borrowed', 'framewire-ring', 'raw'], 'raw')}

### ${TCP_SCENARIOS.small}: ${fmtCount(small.frames)} frames

framewire: the encoder's parts for ${BATCH} frames passed to one \`conn.write(...parts)\`;
received with a \`Deframer\`. Hand-written: \`net.Socket\` senders, the reference decoder.

${tcpThroughputTable(input, 'small', ['framewire', 'corked', 'packed'], 'corked')}

### ${TCP_SCENARIOS.pingpong}: ${fmtCount(ping.frames)} round trips

One frame out, wait for its echo, repeat. Both ends \`noDelay\`. framewire (client and echo
server) and the raw ones take turns in blocks of ${Math.ceil(ping.frames / PING_BLOCKS).toLocaleString('en-US')} round trips within each run, so both
see the same machine; "p50 × raw" is the median of the runs' own ratios. "socket
writes/frame" counts the client's handle writes (\`_writeGeneric\`, one per
\`_write\`/\`_writev\`).

${pingPongTable(input)}`);

  return `${sections.join('\n\n')}\n`;
}
