/**
 * The terminal report: three sorted tables with Unicode bar charts, the best figure of each
 * column marked with ★, and the strategies' notes when some have any.
 *
 * @module
 */
import type { Colors } from '../output.js';
import type { CompareReport, StrategyReport } from './report.js';
import { bestOf, describeCorruption, describeResync, formatNumber, formatSize, isBest, overheadMetric, resyncRank, sortBy, speedMetrics, type Metric } from './view.js';

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `value / max` of `width` cells, in eighths of a cell. Empty for null. */
export function bar(value: number | null, max: number, width: number): string {
  if (value === null || !Number.isFinite(value) || value <= 0 || max <= 0) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}

/**
 * Display width of a string with no escape codes: its code points (every character used here,
 * `█ ▏ ★ µ —` included, takes one cell).
 */
function widthOf(text: string): number {
  let width = 0;
  for (const _ of text) width++;
  return width;
}

interface Cell {
  text: string;
  /** Colouring applied after padding, so escape codes never upset the alignment. */
  paint?: (text: string) => string;
}

interface Column {
  header: string[];
  align: 'left' | 'right';
  cells: Cell[];
}

function renderColumns(columns: Column[], indent = '  '): string[] {
  const widths = columns.map((column) => Math.max(...column.header.map(widthOf), ...column.cells.map((cell) => widthOf(cell.text))));
  const pad = (text: string, width: number, align: 'left' | 'right'): string =>
    align === 'left' ? text + ' '.repeat(width - widthOf(text)) : ' '.repeat(width - widthOf(text)) + text;
  const headerRows = Math.max(...columns.map((column) => column.header.length));
  const lines: string[] = [];
  for (let row = 0; row < headerRows; row++) {
    lines.push(
      (indent + columns.map((column, i) => pad(column.header[row] ?? '', widths[i]!, column.align)).join('  ')).trimEnd(),
    );
  }
  const rows = columns[0]?.cells.length ?? 0;
  for (let row = 0; row < rows; row++) {
    const parts = columns.map((column, i) => {
      const cell = column.cells[row]!;
      const padded = pad(cell.text, widths[i]!, column.align);
      return cell.paint ? cell.paint(padded) : padded;
    });
    lines.push((indent + parts.join('  ')).trimEnd());
  }
  return lines;
}

function nameColumn(rows: StrategyReport[], c: Colors): Column {
  return { header: ['strategy'], align: 'left', cells: rows.map((s) => ({ text: s.instance, paint: c.bold })) };
}

function metricColumn(metric: Metric, rows: StrategyReport[], c: Colors, header: string[], format: (value: number) => string): Column {
  const best = bestOf(metric, rows);
  return {
    header,
    align: 'right',
    cells: rows.map((s) => {
      const value = metric.value(s);
      if (value === null) return { text: '—', paint: c.dim };
      const text = format(value);
      return isBest(metric, s, best) ? { text: `★ ${text}`, paint: (t: string) => c.green(c.bold(t)) } : { text };
    }),
  };
}

function barColumn(metric: Metric, rows: StrategyReport[], c: Colors, width: number): Column {
  let max = 0;
  for (const s of rows) max = Math.max(max, metric.value(s) ?? 0);
  return { header: [''], align: 'left', cells: rows.map((s) => ({ text: bar(metric.value(s), max, width), paint: c.cyan })) };
}

function overheadTable(report: CompareReport, c: Colors): string[] {
  const sizes = report.settings.sizes;
  const key = overheadMetric(sizes[0]!, 'text');
  const rows = sortBy(key, report.strategies);
  const columns: Column[] = [nameColumn(rows, c)];
  const signed = (value: number): string => `+${formatNumber(value)}`;
  for (const size of sizes) {
    for (const kind of ['text', 'binary'] as const) {
      const metric = overheadMetric(size, kind);
      columns.push(metricColumn(metric, rows, c, [kind === 'text' ? metric.header[0] : '', metric.header[1]], signed));
    }
  }
  columns.splice(2, 0, barColumn(key, rows, c, 6));
  return [
    c.bold(`Overhead: bytes added to one frame (sorted by ${formatSize(sizes[0]!)} text; — = refused)`),
    ...renderColumns(columns),
  ];
}

function robustnessTable(report: CompareReport, c: Colors): string[] {
  const rows = report.strategies
    .map((strategy, index) => ({ strategy, index }))
    .sort(
      (a, b) =>
        resyncRank(a.strategy) - resyncRank(b.strategy) ||
        Number(b.strategy.binarySafe) - Number(a.strategy.binarySafe) ||
        Number(a.strategy.needsLengthUpFront) - Number(b.strategy.needsLengthUpFront) ||
        a.index - b.index,
    )
    .map((entry) => entry.strategy);
  const bestRank = Math.min(...rows.map(resyncRank));
  const yesNo = (value: boolean, good: boolean): Cell => ({ text: value ? 'yes' : 'no', paint: value === good ? c.green : c.yellow });
  const columns: Column[] = [
    nameColumn(rows, c),
    { header: ['binary', 'safe'], align: 'left', cells: rows.map((s) => yesNo(s.binarySafe, true)) },
    { header: ['needs length', 'up front'], align: 'left', cells: rows.map((s) => yesNo(s.needsLengthUpFront, false)) },
    {
      header: ['resyncs at', 'next frame'],
      align: 'left',
      cells: rows.map((s) =>
        resyncRank(s) === bestRank && Number.isFinite(bestRank)
          ? { text: `★ ${describeResync(s)}`, paint: (t: string) => c.green(c.bold(t)) }
          : { text: describeResync(s), paint: s.resync.recovers ? undefined : c.red },
      ),
    },
    { header: ['one byte flipped', '(worst case)'], align: 'left', cells: rows.map((s) => ({ text: describeCorruption(s.resync.flip) })) },
    { header: ['one byte dropped', '(worst case)'], align: 'left', cells: rows.map((s) => ({ text: describeCorruption(s.resync.drop) })) },
  ];
  return [
    c.bold('Robustness (tested: binary payloads round-tripped; each byte of one frame in a stream flipped, then dropped)'),
    ...renderColumns(columns),
  ];
}

function speedTable(report: CompareReport, c: Colors): string[] {
  const metrics = speedMetrics(report);
  const key = metrics.find((m) => m.id === 'tcp.throughputMBps')!;
  const rows = sortBy(key, report.strategies);
  const columns: Column[] = [nameColumn(rows, c)];
  for (const metric of metrics) {
    columns.push(metricColumn(metric, rows, c, [...metric.header, metric.unit], formatNumber));
    if (metric.id === 'memory.decodeMBps' || metric.id === 'tcp.throughputMBps') columns.push(barColumn(metric, rows, c, 8));
  }
  return [c.bold(`Speed: in memory and over loopback TCP (sorted by TCP ${formatSize(report.settings.largeFrameBytes)} MB/s)`), ...renderColumns(columns)];
}

/**
 * The notes of the strategies that have some ({@link StrategyReport.notes}): how their tests
 * were fitted to what they carry, and why a speed figure is `—`. No lines when none has notes.
 */
function notesSection(report: CompareReport, c: Colors): string[] {
  const noted = report.strategies.filter((s) => (s.notes ?? []).length > 0);
  if (noted.length === 0) return [];
  const width = Math.max(...noted.map((s) => widthOf(s.instance)));
  const lines = noted.flatMap((s) =>
    (s.notes ?? []).map((note, i) => `  ${i === 0 ? c.bold(s.instance) + ' '.repeat(width - widthOf(s.instance)) : ' '.repeat(width)}  ${note}`),
  );
  return [c.bold('Notes: tests fitted to what a strategy carries, and figures shown as — because it refuses the payloads'), ...lines];
}

/** A one-line summary of the machine and the run. */
export function describeRun(report: CompareReport): string {
  const { machine, settings } = report;
  return [
    `${report.strategies.length} strategies`,
    `Node ${machine.node}`,
    `${machine.cpuModel} (${machine.cpuCount} CPUs)`,
    `${machine.platform} ${machine.arch}`,
    `${settings.quick ? 'quick run' : 'full run'} in ${report.elapsedSeconds.toFixed(1)} s`,
  ].join(' · ');
}

/** The whole terminal report. */
export function renderTable(report: CompareReport, c: Colors): string {
  const sections = [
    [c.bold(`framewire compare · ${describeRun(report)}`)],
    overheadTable(report, c),
    robustnessTable(report, c),
    speedTable(report, c),
    notesSection(report, c),
    [
      c.dim(
        '★ best in its column. MB/s = 10^6 payload bytes per second. Encode = making the wire parts (a length prefix\n' +
          'passes the payload through uncopied). TCP: 127.0.0.1, one connection. Figures are from this machine and\n' +
          'this run (best of its rounds); --json has every figure, --html draws them.',
      ),
    ],
  ];
  return `${sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join('\n'))
    .join('\n\n')}\n`;
}
