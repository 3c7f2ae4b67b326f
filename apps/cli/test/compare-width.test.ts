/**
 * The terminal report on terminals of different widths: every line fits, no figure is cut or
 * lost, every ★ stays, and the report is unchanged where it already fits or is piped.
 */
import { stripVTControlCharacters } from 'node:util';
import pc from 'picocolors';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompareCommand } from '../src/compare/command.js';
import type { CompareReport } from '../src/compare/report.js';
import { DEFAULT_COMPARED } from '../src/compare/strategies.js';
import { renderTable } from '../src/compare/table.js';
import { colorsFor, terminalWidth } from '../src/output.js';
import { captureIo, runCompareCli } from './compare-helpers.js';

// Every strategy, two with notes (ascii:1 carries at most 9 bytes, delim:20 refuses the text's
// spaces), and the four default sizes: the widest tables and the longest notes a run prints.
const FRAMINGS = [...DEFAULT_COMPARED, 'ascii:1', 'delim:20'];
const SECTIONS = ['framewire compare', 'Overhead', 'Robustness', 'Speed', 'Notes', '★ best'] as const;
const colours = pc.createColors(true);
const plain = pc.createColors(false);

let report: CompareReport;

beforeAll(async () => {
  const { stdout } = await runCompareCli(['--quick', '--json', '--framing', FRAMINGS.join(',')]);
  report = JSON.parse(stdout) as CompareReport;
}, 180_000);

/** Cells a line takes on a terminal: code points once escape codes are out. */
const displayWidth = (line: string): number => Array.from(stripVTControlCharacters(line)).length;

/** The report's lines by section, a section starting at its title (a line that is not indented). */
function sections(text: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stripVTControlCharacters(text).split('\n')) {
    const title = SECTIONS.find((start) => line.startsWith(start));
    if (title !== undefined) result.set(title, (current = []));
    current?.push(line);
  }
  return result;
}

/**
 * The cells of each strategy's rows in one table section, in the order they are shown, bars left
 * out: one row at the natural width, one per panel on a narrow terminal, cells split at the two
 * spaces between columns.
 */
function cellsByStrategy(lines: string[]): Map<string, string[]> {
  const names = new Set(report.strategies.map((s) => s.instance));
  const cells = new Map<string, string[]>();
  for (const line of lines) {
    const [name, ...rest] = line.trim().split(/ {2,}/);
    if (!line.startsWith('  ') || name === undefined || !names.has(name)) continue;
    cells.set(name, [...(cells.get(name) ?? []), ...rest.filter((cell) => !/^[█▏▎▍▌▋▊▉]+$/.test(cell))]);
  }
  return cells;
}

describe.each([60, 80, 200])('the terminal report at %i columns', (width) => {
  it('fits every line in the width, escape codes aside', () => {
    const text = renderTable(report, colours, { width });
    expect(text).toContain('\u001b[');
    const tooWide = text.split('\n').filter((line) => displayWidth(line) > width);
    expect(tooWide).toEqual([]);
  });

  it('shows every figure of every strategy whole, in the same order, with every ★', () => {
    const natural = sections(renderTable(report, plain));
    const narrow = sections(renderTable(report, plain, { width }));
    expect([...narrow.keys()]).toEqual([...SECTIONS]);
    for (const title of ['Overhead', 'Robustness', 'Speed']) {
      const expected = cellsByStrategy(natural.get(title)!);
      expect(expected.size).toBe(FRAMINGS.length);
      expect(cellsByStrategy(narrow.get(title)!), title).toEqual(expected);
    }
    const count = (text: string): number => text.split('★').length - 1;
    expect(count(renderTable(report, plain, { width }))).toBe(count(renderTable(report, plain)));
  });

  it('shows the figures of the JSON report', () => {
    const narrow = sections(renderTable(report, plain, { width }));
    const overhead = cellsByStrategy(narrow.get('Overhead')!);
    const robustness = cellsByStrategy(narrow.get('Robustness')!);
    for (const s of report.strategies) {
      // Overheads are a few bytes, shown as they are: `+4`, or `—` when the encoder refused the payload.
      const shown = overhead.get(s.instance)!.map((cell) => cell.replace('★ ', ''));
      expect(shown).toEqual(report.settings.sizes.flatMap((size) =>
        (['text', 'binary'] as const).map((kind) => {
          const bytes = s.overhead.find((o) => o.payloadBytes === size && o.kind === kind)!.overheadBytes;
          return bytes === null ? '—' : `+${bytes}`;
        }),
      ));
      const resync = s.resync.recovers ? `yes, ${s.resync.framesLost} lost` : 'no';
      expect(robustness.get(s.instance)!.slice(0, 3).map((cell) => cell.replace('★ ', ''))).toEqual([
        s.binarySafe ? 'yes' : 'no',
        s.needsLengthUpFront ? 'yes' : 'no',
        resync,
      ]);
    }
    // The fastest over TCP leads the speed table, its throughput starred.
    const fastest = [...report.strategies].sort((a, b) => (b.tcp.throughputMBps ?? -1) - (a.tcp.throughputMBps ?? -1))[0]!;
    const speed = cellsByStrategy(narrow.get('Speed')!);
    expect([...speed.keys()][0]).toBe(fastest.instance);
    expect(speed.get(fastest.instance)![3]).toMatch(/^★ [\d.]+[kMG]?$/);
  });

  it('keeps the notes and the legend word for word', () => {
    const text = renderTable(report, plain, { width });
    const flat = (lines: string[]): string => lines.join(' ').replace(/\s+/g, ' ');
    const notes = flat(sections(text).get('Notes')!);
    const noted = report.strategies.filter((s) => (s.notes ?? []).length > 0);
    expect(noted.map((s) => s.instance)).toEqual(['ascii:1', 'delim:20']);
    for (const note of noted.flatMap((s) => s.notes!)) expect(notes).toContain(note);
    expect(flat(sections(text).get('★ best')!)).toBe(flat(sections(renderTable(report, plain)).get('★ best')!));
    // The first line breaks between its parts, where a ` · ` stood.
    const headline = (lines: string[]): string => lines.filter((line) => line !== '').join(' · ');
    expect(headline(sections(text).get('framewire compare')!)).toBe(headline(sections(renderTable(report, plain)).get('framewire compare')!));
  });
});

describe('the terminal report on any width', () => {
  it('is the same as without a width when the report fits', () => {
    const natural = renderTable(report, colours);
    const naturalWidth = Math.max(...natural.split('\n').map(displayWidth));
    expect(naturalWidth).toBeGreaterThan(100);
    for (const width of [naturalWidth, naturalWidth + 1, 200, 1000]) expect(renderTable(report, colours, { width })).toBe(natural);
    expect(renderTable(report, colours, { width: undefined })).toBe(natural);
  });

  it('fits every width from 30 to 140 columns, down to one block per strategy, figures whole', () => {
    for (let width = 30; width <= 140; width++) {
      const text = renderTable(report, colours, { width });
      expect(text.split('\n').filter((line) => displayWidth(line) > width), `at ${width} columns`).toEqual([]);
    }
    const narrowest = stripVTControlCharacters(renderTable(report, plain, { width: 30 }));
    const u32be = report.strategies.find((s) => s.instance === 'u32be')!;
    expect(narrowest).toMatch(/^ {2}u32be$/m);
    expect(narrowest).toContain(`never (${u32be.resync.drop.positionsTested - u32be.resync.drop.positionsRealigned} of ${u32be.resync.drop.positionsTested} bytes)`);
  });
});

describe('framewire compare on a terminal', () => {
  const args = { framing: ['u32be', 'ascii:1', 'delim:20', 'cobs'], sizes: [16, 256, 4096, 65536], quick: true, seed: 1, progress: false };

  it('fits the tables to the width of stdout', async () => {
    const { io, output } = captureIo(false, { isTTY: true, columns: 60 });
    const shown = await runCompareCommand(args, io);
    const lines = output().stdout.split('\n');
    expect(lines.filter((line) => displayWidth(line) > 60)).toEqual([]);
    expect(output().stdout).toBe(renderTable(shown, colorsFor(io.stdout), { width: 60 }));
    expect(Math.max(...renderTable(shown, plain).split('\n').map(displayWidth))).toBeGreaterThan(60);
  }, 60_000);

  it('prints the tables at their natural width when stdout is not a terminal, whatever its columns', async () => {
    const { io, output } = captureIo(false, { isTTY: false, columns: 60 });
    const shown = await runCompareCommand(args, io);
    expect(output().stdout).toBe(renderTable(shown, colorsFor(io.stdout)));
  }, 60_000);

  it('takes the width of a terminal that reports one, and none of a pipe', () => {
    expect(terminalWidth({ isTTY: true, columns: 80 })).toBe(80);
    expect(terminalWidth({ isTTY: true, columns: 0 })).toBeUndefined();
    expect(terminalWidth({ isTTY: true })).toBeUndefined();
    expect(terminalWidth({ isTTY: false, columns: 80 })).toBeUndefined();
    expect(terminalWidth({ columns: 80 })).toBeUndefined();
  });
});
