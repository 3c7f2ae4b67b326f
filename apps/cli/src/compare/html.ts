/**
 * The HTML report (`--html FILE`): one self-contained page, inline CSS and SVG charts, no
 * script, no network access (its Content-Security-Policy forbids any). The strategies' notes,
 * when some have any, follow the table of all figures.
 *
 * @module
 */
import type { CompareReport, StrategyReport } from './report.js';
import { describeRun } from './table.js';
import { bestOf, describeResync, formatNumber, formatSize, isBest, overheadMetric, resyncRank, sortBy, speedMetrics, type Metric } from './view.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const LABEL_WIDTH = 96;
const BAR_WIDTH = 300;
const VALUE_WIDTH = 84;
const ROW_HEIGHT = 20;

/** One horizontal bar chart of a metric, best first, as inline SVG. */
export function barChart(metric: Metric, strategies: readonly StrategyReport[], title: string): string {
  const rows = sortBy(metric, strategies);
  const best = bestOf(metric, rows);
  let max = 0;
  for (const s of rows) max = Math.max(max, metric.value(s) ?? 0);
  const width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
  const height = rows.length * ROW_HEIGHT + 8;
  const items = rows.map((s, i) => {
    const value = metric.value(s);
    const y = 4 + i * ROW_HEIGHT;
    const barLength = value === null || max <= 0 ? 0 : Math.max(value > 0 ? 1 : 0, (value / max) * BAR_WIDTH);
    const starred = isBest(metric, s, best);
    const shown = value === null ? '—' : formatNumber(value);
    const name = escapeHtml(s.instance);
    return [
      `<g data-strategy="${name}">`,
      `<text x="${LABEL_WIDTH - 6}" y="${y + 14}" text-anchor="end" class="label">${name}</text>`,
      value === null
        ? ''
        : `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${barLength.toFixed(2)}" height="${ROW_HEIGHT - 6}" rx="2" class="${starred ? 'bar best' : 'bar'}" data-strategy="${name}" data-value="${value}"><title>${name}: ${shown} ${escapeHtml(metric.unit)}</title></rect>`,
      `<text x="${LABEL_WIDTH + barLength + 6}" y="${y + 14}" class="value" data-strategy="${name}" data-metric="${metric.id}">${starred ? '★ ' : ''}${shown}</text>`,
      '</g>',
    ].join('');
  });
  return [
    `<figure class="chart" data-metric="${metric.id}">`,
    `<figcaption>${escapeHtml(title)} <span class="unit">${escapeHtml(metric.unit)}, ${metric.better} is better</span></figcaption>`,
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" data-metric="${metric.id}">`,
    ...items,
    '</svg>',
    '</figure>',
  ].join('\n');
}

function cell(strategy: StrategyReport, metric: Metric, best: number | undefined): string {
  const value = metric.value(strategy);
  const field = metric.id;
  const shown = value === null ? '—' : formatNumber(value);
  const mark = isBest(metric, strategy, best);
  return `<td class="num${mark ? ' best' : ''}" data-strategy="${escapeHtml(strategy.instance)}" data-field="${field}"${value === null ? '' : ` data-value="${value}"`}>${mark ? '★ ' : ''}${shown}</td>`;
}

function figuresTable(report: CompareReport): string {
  const metrics = speedMetrics(report);
  const overhead = report.settings.sizes.flatMap((size) => (['text', 'binary'] as const).map((kind) => overheadMetric(size, kind)));
  const all = [...overhead, ...metrics];
  const bests = new Map(all.map((m) => [m.id, bestOf(m, report.strategies)]));
  const head = [
    '<tr><th rowspan="2">strategy</th><th rowspan="2">name</th><th rowspan="2">binary safe</th><th rowspan="2">needs length up front</th><th rowspan="2">after one bad byte</th>',
    `<th colspan="${overhead.length}">bytes added per frame</th><th colspan="${metrics.length}">speed</th></tr>`,
    `<tr>${all.map((m) => `<th>${escapeHtml(m.label)}<br><span class="unit">${escapeHtml(m.unit)}</span></th>`).join('')}</tr>`,
  ].join('');
  const bestRank = Math.min(...report.strategies.map(resyncRank));
  const body = report.strategies.map((s) => {
    const id = escapeHtml(s.instance);
    const resyncBest = Number.isFinite(bestRank) && resyncRank(s) === bestRank;
    return [
      `<tr data-strategy="${id}">`,
      `<th scope="row">${id}</th>`,
      `<td data-strategy="${id}" data-field="name">${escapeHtml(s.name)}</td>`,
      `<td class="${s.binarySafe ? 'good' : 'bad'}" data-strategy="${id}" data-field="binarySafe">${s.binarySafe ? 'yes' : 'no'}</td>`,
      `<td class="${s.needsLengthUpFront ? 'bad' : 'good'}" data-strategy="${id}" data-field="needsLengthUpFront">${s.needsLengthUpFront ? 'yes' : 'no'}</td>`,
      `<td class="${s.resync.recovers ? 'good' : 'bad'}${resyncBest ? ' best' : ''}" data-strategy="${id}" data-field="resync.framesLost"${s.resync.framesLost === null ? '' : ` data-value="${s.resync.framesLost}"`}>${resyncBest ? '★ ' : ''}${describeResync(s)}</td>`,
      ...all.map((m) => cell(s, m, bests.get(m.id))),
      '</tr>',
    ].join('');
  });
  return `<div class="scroll"><table class="figures"><thead>${head}</thead><tbody>${body.join('\n')}</tbody></table></div>`;
}

/**
 * The strategies' notes ({@link StrategyReport.notes}) as a list, or nothing when none has
 * notes.
 */
function notesList(report: CompareReport): string {
  const items = report.strategies.flatMap((s) =>
    (s.notes ?? []).map((note) => `<li data-strategy="${escapeHtml(s.instance)}"><code>${escapeHtml(s.instance)}</code>: ${escapeHtml(note)}</li>`),
  );
  if (items.length === 0) return '';
  return `<h2>Notes</h2>
<p>Tests fitted to what a strategy carries, and figures shown as — because it refuses the payloads.</p>
<ul class="notes" id="notes">
${items.join('\n')}
</ul>
`;
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1d2433; --muted: #667085; --bar: #3b82f6; --best: #16a34a; --bad: #dc2626; --line: #d0d5dd; --bg: #ffffff; }
@media (prefers-color-scheme: dark) { :root { --fg: #e4e7ec; --muted: #98a2b3; --line: #344054; --bg: #101828; } }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 2rem auto; max-width: 1400px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta, .unit, figcaption .unit { color: var(--muted); font-size: .85em; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem 2rem; }
figure.chart { margin: 0; } figcaption { font-weight: 600; margin-bottom: .25rem; }
svg .label { font: 12px ui-monospace, monospace; fill: var(--fg); }
svg .value { font: 12px system-ui, sans-serif; fill: var(--muted); }
svg .bar { fill: var(--bar); } svg .bar.best { fill: var(--best); }
.scroll { overflow-x: auto; }
table.figures { border-collapse: collapse; font-size: 12px; }
table.figures th, table.figures td { border: 1px solid var(--line); padding: 3px 6px; white-space: nowrap; }
table.figures th[scope=row] { text-align: left; font-family: ui-monospace, monospace; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.best { color: var(--best); font-weight: 700; } td.good { color: var(--best); } td.bad { color: var(--bad); }
`;

/** The whole page. */
export function renderHtml(report: CompareReport): string {
  const speed = speedMetrics(report);
  const sizes = report.settings.sizes;
  const overheadCharts = sizes.flatMap((size) =>
    (['text', 'binary'] as const).map((kind) => barChart(overheadMetric(size, kind), report.strategies, `Bytes added to one ${formatSize(size)} ${kind} frame`)),
  );
  const speedCharts = speed.map((metric) => barChart(metric, report.strategies, metric.label));
  const json = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>framewire compare — ${escapeHtml(report.generatedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>framewire compare</h1>
<p class="meta" id="machine">${escapeHtml(describeRun(report))} · ${escapeHtml(report.generatedAt)}</p>
<p>Every figure was measured on this machine: overhead from real encodings, binary safety by round-tripping random bytes,
recovery by flipping and dropping each byte of one frame in a stream of ${report.strategies[0]?.resync.streamFrames ?? 0} frames,
speed in memory and over loopback TCP (127.0.0.1). MB/s = 10<sup>6</sup> payload bytes per second; ★ marks the best in each chart and column.</p>
<h2>All figures</h2>
${figuresTable(report)}
${notesList(report)}<h2>Speed</h2>
<div class="charts">
${speedCharts.join('\n')}
</div>
<h2>Overhead</h2>
<p>Bytes the framing adds to one frame; — means the encoder refused the payload (too large for the length field, or a delimiter inside it).</p>
<div class="charts">
${overheadCharts.join('\n')}
</div>
<script type="application/json" id="framewire-compare-report">${json}</script>
</body>
</html>
`;
}
