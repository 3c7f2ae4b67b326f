import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareReport, StrategyReport } from '../src/compare/report.js';
import { runCompareCli } from './compare-helpers.js';

// Debian's `chromium` package; CI (.ci/run) installs it. Missing means the test fails, loudly.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));
const HTML = `${OUTPUT}compare.html`;
const SCREENSHOT = `${OUTPUT}compare.png`;
const FRAMINGS = ['u32be', 'varint', 'line', 'cobs', 'slip'];
const SIZES = [16, 4096];

// Every figure the page shows, read straight from the JSON (not through the page's own code).
const FIGURES: Record<string, (s: StrategyReport) => number | null> = {
  'memory.encodeMBps': (s) => s.memory.encodeMBps,
  'memory.decodeMBps': (s) => s.memory.decodeMBps,
  'memory.decodeFramesPerSec': (s) => s.memory.decodeFramesPerSec,
  'tcp.throughputMBps': (s) => s.tcp.throughputMBps,
  'tcp.framesPerSec': (s) => s.tcp.framesPerSec,
  'tcp.p50us': (s) => s.tcp.p50us,
  'tcp.p99us': (s) => s.tcp.p99us,
};
for (const size of SIZES) {
  for (const kind of ['text', 'binary'] as const) {
    FIGURES[`overhead.${kind}.${size}`] = (s) => s.overhead.find((o) => o.payloadBytes === size && o.kind === kind)?.overheadBytes ?? null;
  }
}

/** Reads a figure as shown ("★ 1.23M", "+4", "812", "—") back into a number. */
function shownNumber(text: string): number | null {
  const match = /(-?[\d.]+)([kMG]?)\s*$/.exec(text.replace('★', '').trim());
  if (match === null) return null;
  const scale = { '': 1, k: 1e3, M: 1e6, G: 1e9 }[match[2] as '' | 'k' | 'M' | 'G'];
  return Number(match[1]) * scale;
}

/** True when a figure shown with 3 significant digits stands for `value`. */
function showsValue(shown: number | null, value: number): boolean {
  if (shown === null) return false;
  return Math.abs(shown - value) <= Math.max(Math.abs(value) * 0.006, 0.006);
}

let report: CompareReport;
let browser: Browser | undefined;
let page: Page;
const requests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: this test opens the compare report in a real browser. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (CI does this in .ci/run).',
    );
  }
  mkdirSync(OUTPUT, { recursive: true });
  const { stdout } = await runCompareCli(['--quick', '--json', '--html', HTML, '--framing', FRAMINGS.join(','), '--sizes', SIZES.join(',')]);
  report = JSON.parse(stdout) as CompareReport;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(HTML).href, { waitUntil: 'load' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('framewire compare --html, opened in headless Chromium', () => {
  it('is one self-contained page: nothing but the file itself is requested', () => {
    expect(requests).toEqual([pathToFileURL(HTML).href]);
    const html = readFileSync(HTML, 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*type="application\/json")/);
    expect(html).not.toMatch(/\b(?:src|href)=/);
  });

  it('carries the same report as the JSON output', async () => {
    const embedded = await page.locator('#framewire-compare-report').textContent();
    expect(JSON.parse(embedded ?? 'null')).toEqual(report);
    await expect(page.title()).resolves.toContain('framewire compare');
    const machine = await page.locator('#machine').textContent();
    expect(machine).toContain(report.machine.node);
    expect(machine).toContain(report.machine.cpuModel);
  });

  it('renders every chart as SVG with a real size, one bar per strategy with a figure', async () => {
    // Measured in the page, in one go: each chart's box, and each bar's box, value and label.
    const drawn = await page.locator('svg[data-metric]').evaluateAll((svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return {
          metric: svg.getAttribute('data-metric') ?? '',
          width: box.width,
          height: box.height,
          bars: Array.from(svg.querySelectorAll('rect[data-value]'), (rect) => {
            const strategy = rect.getAttribute('data-strategy') ?? '';
            const rectBox = rect.getBoundingClientRect();
            const label = svg.querySelector(`text.value[data-strategy="${strategy}"]`)?.textContent ?? '';
            return { strategy, value: Number(rect.getAttribute('data-value')), width: rectBox.width, height: rectBox.height, label };
          }),
        };
      }),
    );
    expect(drawn.map((chart) => chart.metric).sort()).toEqual(Object.keys(FIGURES).sort());
    for (const chart of drawn) {
      const figure = FIGURES[chart.metric]!;
      expect(chart.width, chart.metric).toBeGreaterThan(100);
      expect(chart.height, chart.metric).toBeGreaterThan(FRAMINGS.length * 10);
      const withFigure = report.strategies.filter((s) => figure(s) !== null);
      expect(chart.bars.map((b) => b.strategy).sort(), chart.metric).toEqual(withFigure.map((s) => s.instance).sort());
      for (const b of chart.bars) {
        const value = figure(report.strategies.find((s) => s.instance === b.strategy)!);
        expect(b.value, `${chart.metric} ${b.strategy}`).toBe(value);
        expect(b.width, `${chart.metric} ${b.strategy}`).toBeGreaterThan(0);
        expect(b.height).toBeGreaterThan(0);
        expect(showsValue(shownNumber(b.label), b.value), `${chart.metric} ${b.strategy}: ${b.label} vs ${b.value}`).toBe(true);
      }
      // Bars are drawn to scale: the largest figure gets the longest bar, half the figure half the length.
      const top = chart.bars.reduce((a, b) => (b.value > a.value ? b : a));
      for (const b of chart.bars) {
        expect(b.width).toBeLessThanOrEqual(top.width + 0.01);
        expect(Math.abs(b.width / top.width - b.value / top.value), `${chart.metric} ${b.strategy}`).toBeLessThan(0.01 + 1 / top.width);
      }
    }
  });

  it('shows every figure of the JSON in the table, as written in the JSON', async () => {
    for (const s of report.strategies) {
      const row = page.locator(`tr[data-strategy="${s.instance}"]`);
      await expect(row.locator('th').textContent()).resolves.toBe(s.instance);
      await expect(row.locator('[data-field="name"]').textContent()).resolves.toBe(s.name);
      await expect(row.locator('[data-field="binarySafe"]').textContent()).resolves.toBe(s.binarySafe ? 'yes' : 'no');
      await expect(row.locator('[data-field="needsLengthUpFront"]').textContent()).resolves.toBe(s.needsLengthUpFront ? 'yes' : 'no');
      const resync = (await row.locator('[data-field="resync.framesLost"]').textContent()) ?? '';
      expect(resync).toContain(s.resync.recovers ? `yes, ${s.resync.framesLost} lost` : 'no');
      for (const [metric, figure] of Object.entries(FIGURES)) {
        const value = figure(s);
        const cell = row.locator(`[data-field="${metric}"]`);
        const text = (await cell.textContent()) ?? '';
        if (value === null) {
          expect(text, `${s.instance} ${metric}`).toBe('—');
          continue;
        }
        expect(Number(await cell.getAttribute('data-value')), `${s.instance} ${metric}`).toBe(value);
        expect(showsValue(shownNumber(text), value), `${s.instance} ${metric}: ${text} vs ${value}`).toBe(true);
      }
    }
  });

  it('marks the best figure of each column with ★', async () => {
    const metric = 'tcp.throughputMBps';
    const best = Math.max(...report.strategies.map((s) => FIGURES[metric]!(s) ?? -1));
    const winner = report.strategies.find((s) => FIGURES[metric]!(s) === best)!;
    await expect(page.locator(`tr[data-strategy="${winner.instance}"] [data-field="${metric}"]`).textContent()).resolves.toMatch(/^★ /);
    const marked = await page.locator(`td[data-field="${metric}"]`).evaluateAll((cells) => cells.filter((cell) => cell.textContent.startsWith('★')).length);
    expect(marked).toBe(1);
  });

  it('saves a screenshot', async () => {
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });
});
