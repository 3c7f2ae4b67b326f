/**
 * The terminal report: three sorted tables with Unicode bar charts, the best figure of each
 * column marked with ★, and the strategies' notes when some have any.
 *
 * Given the terminal's width ({@link TableOptions.width}), every line fits it, from 30 columns up
 * (the widest figure with its indent sets the floor, as figures are never cut). A table too wide
 * first narrows its bars, then drops them; then it is split into panels, one under the other,
 * each repeating the strategy column; when even one column of figures does not fit beside the
 * strategy names, each strategy gets a block of its own. Titles and notes wrap at spaces.
 * Cells are never cut: a figure is shown whole, with its ★, or in the next panel. Without a
 * width (output piped, or a terminal that does not say) every table has its natural width.
 *
 * @module
 */
import { stripVTControlCharacters } from 'node:util';
import type { Colors } from '../output.js';
import type { CompareReport, StrategyReport } from './report.js';
import { bestOf, describeCorruption, describeResync, formatNumber, formatSize, isBest, overheadMetric, resyncRank, sortBy, speedMetrics, type Metric } from './view.js';

/** Options of {@link renderTable}. */
export interface TableOptions {
  /**
   * Width of the terminal in columns: every line of the report fits it (see the module's
   * documentation for how). `undefined` when the output is not a terminal: each table has its
   * natural width, whatever the terminal's, so piped output stays the same for scripts.
   * Defaults to `undefined`.
   */
  width?: number | undefined;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** Narrowest bar worth drawing, in cells: a narrower terminal drops the bars instead. */
const MIN_BAR = 3;

/** Narrowest column of note text beside the strategy names; below it, notes go under the names. */
const MIN_NOTE = 24;

/** A horizontal bar of `value / max` of `width` cells, in eighths of a cell. Empty for null. */
export function bar(value: number | null, max: number, width: number): string {
  if (value === null || !Number.isFinite(value) || value <= 0 || max <= 0) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}

/**
 * Display width of a string: its code points once escape codes are taken out (every character
 * used here, `█ ▏ ★ µ —` included, takes one cell).
 */
function widthOf(text: string): number {
  let width = 0;
  for (const _ of stripVTControlCharacters(text)) width++;
  return width;
}

interface Cell {
  text: string;
  /** Colouring applied after padding, so escape codes never upset the alignment. */
  paint?: ((text: string) => string) | undefined;
}

interface Column {
  header: string[];
  align: 'left' | 'right';
  cells: Cell[];
  /** What the column is called in a strategy's block; defaults to its header lines joined. */
  label?: string;
}

/** A bar chart column, drawn `width` cells wide, or narrower on a narrow terminal. */
interface BarColumn {
  bar: { values: (number | null)[]; max: number; width: number; paint: (text: string) => string };
}

/**
 * Columns that stay side by side whatever the width: a figure and its bar, the text and binary
 * overhead of one size.
 */
type Unit = (Column | BarColumn)[];

/** A table before it is laid out to a width. */
interface Table {
  title: string;
  /** The strategy column: first in every panel, and the name of each block. */
  names: Column;
  units: Unit[];
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

/** The columns of `unit` with bars at most `barWidth` cells wide; no bar below {@link MIN_BAR}. */
function resolveUnit(unit: Unit, barWidth: number): Column[] {
  return unit.flatMap((part): Column[] => {
    if (!('bar' in part)) return [part];
    const { values, max, width, paint } = part.bar;
    const cells = Math.min(width, barWidth);
    if (cells < MIN_BAR) return [];
    return [{ header: [''], align: 'left', cells: values.map((value) => ({ text: bar(value, max, cells), paint })) }];
  });
}

/** The bar widths to try, widest first, down to {@link MIN_BAR}, then none (0). */
function barWidths(table: Table): number[] {
  let widest = 0;
  for (const part of table.units.flat()) if ('bar' in part) widest = Math.max(widest, part.bar.width);
  const widths: number[] = [];
  for (let width = widest; width >= MIN_BAR; width--) widths.push(width);
  return [...widths, 0];
}

/** Cells a unit adds to a line: each column and the two spaces before it. */
function unitWidth(columns: Column[]): number {
  let width = 0;
  for (const column of columns) width += 2 + Math.max(...column.header.map(widthOf), ...column.cells.map((cell) => widthOf(cell.text)));
  return width;
}

/**
 * `units` cut into `count` runs, in order, so that the widest run is as narrow as it can be
 * (the strategy column is the same in every run, so it does not change the choice).
 */
function balancedRuns(units: Column[][], count: number): Column[][][] {
  const n = units.length;
  const before = [0];
  for (const unit of units) before.push(before.at(-1)! + unitWidth(unit));
  // widest[k][i]: the narrowest widest run when the first i units make k runs; cut[k][i]: where the last run starts.
  const widest = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY));
  const cut = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(0));
  widest[0]![0] = 0;
  for (let k = 1; k <= count; k++) {
    for (let i = k; i <= n; i++) {
      for (let j = k - 1; j < i; j++) {
        const width = Math.max(widest[k - 1]![j]!, before[i]! - before[j]!);
        if (width < widest[k]![i]!) {
          widest[k]![i] = width;
          cut[k]![i] = j;
        }
      }
    }
  }
  const runs: Column[][][] = [];
  for (let k = count, i = n; k > 0; k--) {
    const j = cut[k]![i]!;
    runs.unshift(units.slice(j, i));
    i = j;
  }
  return runs;
}

/** True when every line is at most `width` cells wide. */
function fits(lines: string[], width: number): boolean {
  return lines.every((line) => widthOf(line) <= width);
}

/**
 * A table laid out: at its natural width without `width`; else in as few panels as fit, one
 * under the other, with the widest bars that still fit (none at all rather than one panel
 * more); else as {@link blocks}.
 */
function renderTableSection(table: Table, c: Colors, width: number | undefined): string[] {
  if (width === undefined) {
    return [c.bold(table.title), ...renderColumns([table.names, ...table.units.flatMap((unit) => resolveUnit(unit, Number.POSITIVE_INFINITY))])];
  }
  const title = wrap(table.title, width).map((line) => c.bold(line));
  for (let count = 1; count <= table.units.length; count++) {
    for (const barWidth of barWidths(table)) {
      const runs = balancedRuns(table.units.map((unit) => resolveUnit(unit, barWidth)), count);
      const panels = runs.map((run) => renderColumns([table.names, ...run.flat()]));
      if (panels.every((lines) => fits(lines, width))) return [...title, ...panels.flatMap((lines, i) => (i === 0 ? lines : ['', ...lines]))];
    }
  }
  return [...title, ...blocks(table, width)];
}

/**
 * The table as one block per strategy, for a terminal too narrow for a column of figures beside
 * the names: the name, then one line per figure, its label and the figure aligned in two
 * columns (`binary safe  yes`) when every line fits, else `label: figure`, or the figure on a
 * line of its own under its label. No bars.
 */
function blocks(table: Table, width: number): string[] {
  const columns = table.units.flatMap((unit) => resolveUnit(unit, 0));
  const labels = columns.map((column) => column.label ?? column.header.join(' ').trim());
  const labelWidth = Math.max(...labels.map(widthOf));
  const aligned = columns.every((column) => column.cells.every((cell) => 4 + labelWidth + 2 + widthOf(cell.text) <= width));
  const lines: string[] = [];
  table.names.cells.forEach((name, row) => {
    lines.push(`  ${name.paint ? name.paint(name.text) : name.text}`);
    columns.forEach((column, i) => {
      const cell = column.cells[row]!;
      const label = labels[i]!;
      const text = cell.paint ? cell.paint(cell.text) : cell.text;
      if (aligned) lines.push(`    ${label}${' '.repeat(labelWidth - widthOf(label))}  ${text}`);
      else if (4 + widthOf(label) + 2 + widthOf(cell.text) <= width) lines.push(`    ${label}: ${text}`);
      else lines.push(...wrap(`${label}:`, width - 4).map((part) => `    ${part}`), `      ${text}`);
    });
  });
  return lines;
}

/**
 * `text` in lines of at most `width` cells (`restWidth` after the first), broken at spaces. A
 * number stays with a short word after it (`64 KiB`, `5.2 s`), a symbol with the word after it
 * (`— = refused`). A word longer than a whole line is the only thing ever cut.
 */
function wrap(text: string, width: number, restWidth = width): string[] {
  if (widthOf(text) <= width) return [text];
  const words: string[] = [];
  for (const word of text.split(' ')) {
    const last = words.at(-1);
    const glued = last !== undefined && ((/\d$/.test(last) && widthOf(word) <= 5) || !/[\p{L}\p{N}]/u.test(last));
    if (glued) words[words.length - 1] = `${last} ${word}`;
    else words.push(word);
  }
  const lines: string[] = [];
  let line = '';
  const limit = (): number => Math.max(1, lines.length === 0 ? width : restWidth);
  for (let word of words) {
    if (line !== '' && widthOf(line) + 1 + widthOf(word) <= limit()) {
      line += ` ${word}`;
      continue;
    }
    if (line !== '') lines.push(line);
    // Too long for any line: cut it where the line ends.
    while (widthOf(word) > limit()) {
      const chars = Array.from(word);
      lines.push(chars.slice(0, limit()).join(''));
      word = chars.slice(limit()).join('');
    }
    line = word;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A paragraph as it is written when its lines fit `width` (or there is none), else rewrapped. */
function paragraph(text: string, width: number | undefined): string {
  const lines = text.split('\n');
  if (width === undefined || fits(lines, width)) return text;
  return wrap(lines.join(' '), width).join('\n');
}

function nameColumn(rows: StrategyReport[], c: Colors): Column {
  return { header: ['strategy'], align: 'left', cells: rows.map((s) => ({ text: s.instance, paint: c.bold })) };
}

function metricColumn(metric: Metric, rows: StrategyReport[], c: Colors, header: string[], format: (value: number) => string, label?: string): Column {
  const best = bestOf(metric, rows);
  return {
    header,
    align: 'right',
    ...(label === undefined ? {} : { label }),
    cells: rows.map((s) => {
      const value = metric.value(s);
      if (value === null) return { text: '—', paint: c.dim };
      const text = format(value);
      return isBest(metric, s, best) ? { text: `★ ${text}`, paint: (t: string) => c.green(c.bold(t)) } : { text };
    }),
  };
}

function barColumn(metric: Metric, rows: StrategyReport[], c: Colors, width: number): BarColumn {
  let max = 0;
  for (const s of rows) max = Math.max(max, metric.value(s) ?? 0);
  return { bar: { values: rows.map((s) => metric.value(s)), max, width, paint: c.cyan } };
}

function overheadTable(report: CompareReport, c: Colors): Table {
  const sizes = report.settings.sizes;
  const key = overheadMetric(sizes[0]!, 'text');
  const rows = sortBy(key, report.strategies);
  const signed = (value: number): string => `+${formatNumber(value)}`;
  const units = sizes.map((size): Unit =>
    (['text', 'binary'] as const).map((kind) => {
      const metric = overheadMetric(size, kind);
      return metricColumn(metric, rows, c, [kind === 'text' ? metric.header[0] : '', metric.header[1]], signed, metric.label);
    }),
  );
  units[0]!.splice(1, 0, barColumn(key, rows, c, 6));
  return { title: `Overhead: bytes added to one frame (sorted by ${formatSize(sizes[0]!)} text; — = refused)`, names: nameColumn(rows, c), units };
}

function robustnessTable(report: CompareReport, c: Colors): Table {
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
  return {
    title: 'Robustness (tested: binary payloads round-tripped; each byte of one frame in a stream flipped, then dropped)',
    names: nameColumn(rows, c),
    units: columns.map((column) => [column]),
  };
}

function speedTable(report: CompareReport, c: Colors): Table {
  const metrics = speedMetrics(report);
  const key = metrics.find((m) => m.id === 'tcp.throughputMBps')!;
  const rows = sortBy(key, report.strategies);
  const units = metrics.map((metric): Unit => {
    const column = metricColumn(metric, rows, c, [...metric.header, metric.unit], formatNumber, `${metric.label} ${metric.unit}`);
    return metric.id === 'memory.decodeMBps' || metric.id === 'tcp.throughputMBps' ? [column, barColumn(metric, rows, c, 8)] : [column];
  });
  return {
    title: `Speed: in memory and over loopback TCP (sorted by TCP ${formatSize(report.settings.largeFrameBytes)} MB/s)`,
    names: nameColumn(rows, c),
    units,
  };
}

/**
 * The notes of the strategies that have some ({@link StrategyReport.notes}): how their tests
 * were fitted to what they carry, and why a speed figure is `—`. No lines when none has notes.
 * On a narrow terminal a long note wraps, its next lines indented under it; on a very narrow
 * one the notes go under the strategy's name.
 */
function notesSection(report: CompareReport, c: Colors, width: number | undefined): string[] {
  const noted = report.strategies.filter((s) => (s.notes ?? []).length > 0);
  if (noted.length === 0) return [];
  const nameWidth = Math.max(...noted.map((s) => widthOf(s.instance)));
  const title = 'Notes: tests fitted to what a strategy carries, and figures shown as — because it refuses the payloads';
  const lines = noted.flatMap((s) =>
    (s.notes ?? []).map((note, i) => `  ${i === 0 ? c.bold(s.instance) + ' '.repeat(nameWidth - widthOf(s.instance)) : ' '.repeat(nameWidth)}  ${note}`),
  );
  if (width === undefined || fits([title, ...lines], width)) return [c.bold(title), ...lines];
  const indent = 2 + nameWidth + 2;
  const start = width - indent >= MIN_NOTE ? indent : 4;
  return [
    ...wrap(title, width).map((line) => c.bold(line)),
    ...noted.flatMap((s) => {
      const name = c.bold(s.instance);
      const noteLines = (s.notes ?? []).flatMap((note) =>
        wrap(note, width - start, width - start - 2).map((line, i) => ' '.repeat(i === 0 ? start : start + 2) + line),
      );
      if (start !== indent) return [`  ${name}`, ...noteLines];
      // Beside the notes: the name takes the place of the first line's leading spaces.
      return noteLines.map((line, i) => (i === 0 ? `  ${name}${line.slice(2 + widthOf(s.instance))}` : line));
    }),
  ];
}

/** The parts of {@link describeRun}. */
function runParts(report: CompareReport): string[] {
  const { machine, settings } = report;
  return [
    `${report.strategies.length} strategies`,
    `Node ${machine.node}`,
    `${machine.cpuModel} (${machine.cpuCount} CPUs)`,
    `${machine.platform} ${machine.arch}`,
    `${settings.quick ? 'quick run' : 'full run'} in ${report.elapsedSeconds.toFixed(1)} s`,
  ];
}

/** A one-line summary of the machine and the run. */
export function describeRun(report: CompareReport): string {
  return runParts(report).join(' · ');
}

/** The report's first line, or lines on a narrow terminal: broken between its parts. */
function headline(report: CompareReport, c: Colors, width: number | undefined): string[] {
  const parts = ['framewire compare', ...runParts(report)];
  const whole = parts.join(' · ');
  if (width === undefined || widthOf(whole) <= width) return [c.bold(whole)];
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.at(-1);
    if (last !== undefined && widthOf(last) + 3 + widthOf(part) <= width) lines[lines.length - 1] = `${last} · ${part}`;
    else lines.push(...wrap(part, width));
  }
  return lines.map((line) => c.bold(line));
}

const FOOTER =
  '★ best in its column. MB/s = 10^6 payload bytes per second. Encode = making the wire parts (a length prefix\n' +
  'passes the payload through uncopied). TCP: 127.0.0.1, one connection. Figures are from this machine and\n' +
  'this run (best of its rounds); --json has every figure, --html draws them.';

/**
 * The whole terminal report. With {@link TableOptions.width}, every line fits that many
 * columns; the report is the same as without it when it already does.
 */
export function renderTable(report: CompareReport, c: Colors, options: TableOptions = {}): string {
  const width = options.width !== undefined && options.width > 0 ? Math.floor(options.width) : undefined;
  const sections = [
    headline(report, c, width),
    renderTableSection(overheadTable(report, c), c, width),
    renderTableSection(robustnessTable(report, c), c, width),
    renderTableSection(speedTable(report, c), c, width),
    notesSection(report, c, width),
    [c.dim(paragraph(FOOTER, width))],
  ];
  return `${sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join('\n'))
    .join('\n\n')}\n`;
}
