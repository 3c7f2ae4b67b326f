import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { runCompareCli } from '../../test/compare-helpers.js';
import { resolveFraming } from '../framing.js';
import { carriableText, Fitting } from './carry.js';
import { Random, textPayload } from './data.js';
import { renderHtml } from './html.js';
import { measureBinarySafety, tryEncode } from './overhead.js';
import type { CompareReport, StrategyReport } from './report.js';
import { measureResync } from './resync.js';
import { DEFAULT_COMPARED } from './strategies.js';
import { measureStreaming } from './streaming.js';
import { renderTable } from './table.js';
import { bestOf, isBest, speedMetrics } from './view.js';

const SEED = 0x5eed;
const hex = (byte: number): string => byte.toString(16).padStart(2, '0');
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

// Every byte the generated text payloads hold (and the `#000 ` labels of the recovery test):
// a delimiter of any of them occurs in the text.
const TEXT_BYTES = [...new Set([...textPayload(new Random(1), 100_000), ...bytesOf('#0123456789 ')])].sort((a, b) => a - b);
// Delimiter sequences that occur in the text, one of them overlapping itself.
const TEXT_SEQUENCES = ['th', ', ', '  ', 'aa', 'aaa', 'hello'];
const LENGTH_PREFIXES = new Set(['u8', 'u16be', 'u16le', 'u24be', 'u32be', 'u32le', 'u64be', 'u64le', 'varint', 'netstring', 'ascii:1', 'ascii:2', 'ascii:3', 'ascii:10']);
const ESCAPING = new Set(['cobs', 'slip']);
const NARROW = [
  ...DEFAULT_COMPARED,
  'ascii:1',
  'ascii:2',
  'ascii:3',
  ...TEXT_BYTES.map((byte) => `delim:${hex(byte)}`),
  ...TEXT_SEQUENCES.map((text) => `delim:${[...bytesOf(text)].map(hex).join('')}`),
];

/** True when the encoder accepts every prefix of `bytes` (the empty one aside). */
function everyPrefixCarried(instance: string, bytes: Uint8Array): boolean {
  const strategy = resolveFraming(instance);
  for (let end = 1; end <= bytes.length; end++) if (!tryEncode(strategy, bytes.subarray(0, end)).ok) return false;
  return true;
}

describe('carriableText', () => {
  it('returns the text as it is when the encoder takes it', () => {
    const text = textPayload(new Random(3), 500);
    const carried = carriableText(resolveFraming('line'), text);
    expect(carried?.bytes).toEqual(text);
    expect(carried?.replaced.size).toBe(0);
  });

  it('replaces a one-byte delimiter wherever it stands, and nothing else', () => {
    const text = textPayload(new Random(3), 500);
    const carried = carriableText(resolveFraming('delim:20'), text)!;
    expect(carried.bytes).toHaveLength(text.length);
    expect(carried.bytes.includes(0x20)).toBe(false);
    expect([...carried.replaced]).toEqual([[0x20, 0x5f]]);
    expect(carried.bytes).toEqual(text.map((byte) => (byte === 0x20 ? 0x5f : byte)));
    expect(everyPrefixCarried('delim:20', carried.bytes)).toBe(true);
    expect(text.includes(0x20)).toBe(true);
  });

  it.each(['delim:7468', 'delim:6161', 'delim:2c20', 'line', 'delim:0d0a'])('leaves no prefix %s refuses', (instance) => {
    const text = bytesOf('the path, that thing: aaaa, and then a bath, ah  then');
    const carried = carriableText(resolveFraming(instance), text)!;
    expect(carried.bytes).toHaveLength(text.length);
    expect(everyPrefixCarried(instance, carried.bytes)).toBe(true);
    // Only the bytes the encoder refused changed.
    for (let i = 0; i < text.length; i++) if (carried.bytes[i] !== text[i]) expect(carried.replaced.has(text[i]!)).toBe(true);
  });

  it('gives up on text longer than the strategy carries', () => {
    expect(carriableText(resolveFraming('ascii:1'), bytesOf('0123456789'))).toBeUndefined();
    expect(carriableText(resolveFraming('ascii:1'), bytesOf('012345678'))?.bytes).toEqual(bytesOf('012345678'));
  });
});

describe.each(NARROW)('the fixed measurements of %s', (instance) => {
  it('measure what it carries: binary safety, length up front and recovery, as its format has them', () => {
    const strategy = resolveFraming(instance);
    const fitting = new Fitting(instance);
    const binary = measureBinarySafety(strategy, SEED, fitting);
    const streaming = measureStreaming(strategy, SEED, fitting);
    const resync = measureResync(strategy, SEED, fitting);

    expect(binary.corrupted).toBe(0);
    expect(binary.roundTripped + binary.refused).toBe(binary.payloadsTested);
    expect(binary.payloadsTested).toBeGreaterThan(1000);
    const lengthPrefix = LENGTH_PREFIXES.has(instance);
    expect(binary.binarySafe).toBe(lengthPrefix || ESCAPING.has(instance));
    expect(streaming.needsLengthUpFront).toBe(lengthPrefix);
    expect(resync.recovers).toBe(!lengthPrefix);
    if (!lengthPrefix) expect(resync.framesLost).toBeLessThanOrEqual(2);
    expect(resync.flip.positionsTested).toBe(resync.drop.positionsTested);
    if (DEFAULT_COMPARED.includes(instance)) expect(fitting.notes()).toEqual([]);
  });
});

describe('the notes on fitted tests', () => {
  it('say how the tests of a short length field were cut to what it carries', () => {
    const strategy = resolveFraming('ascii:1');
    const fitting = new Fitting('ascii:1');
    measureBinarySafety(strategy, SEED, fitting);
    const streaming = measureStreaming(strategy, SEED, fitting);
    const resync = measureResync(strategy, SEED, fitting);
    expect(streaming).toEqual({ needsLengthUpFront: true, probePayloadBytes: 4, commonWirePrefixBytes: 0 });
    // One header byte and 9 payload bytes, the most ascii:1 carries.
    expect(resync.flip.positionsTested).toBe(10);
    expect(fitting.notes()).toEqual([
      'binary safety: payloads of at most 9 bytes, the most ascii:1 carries',
      'needs length up front: payloads of 4 to 9 bytes, the most ascii:1 carries',
      'recovery: frames of 9 bytes, the most ascii:1 carries',
    ]);
  });

  it('say which bytes of the text a delimiter made them replace', () => {
    const strategy = resolveFraming('delim:20');
    const fitting = new Fitting('delim:20');
    const streaming = measureStreaming(strategy, SEED, fitting);
    measureResync(strategy, SEED, fitting);
    expect(streaming.probePayloadBytes).toBe(16 * 1024);
    expect(fitting.notes()).toEqual(["needs length up front and recovery: text with space (20) written as '_' (5f), where delim:20 refuses it"]);
  });
});

describe('framewire compare with strategies that carry little', () => {
  const FRAMINGS = ['ascii:1', 'ascii:2', 'delim:20', 'delim:61', 'u32be'];
  let report: CompareReport;
  const byInstance = (instance: string): StrategyReport => report.strategies.find((s) => s.instance === instance)!;

  it('reports every strategy named, with notes where a test was fitted', async () => {
    const { stdout, stderr } = await runCompareCli(['--quick', '--json', '--framing', FRAMINGS.join(','), '--sizes', '16,4096']);
    expect(stderr).toBe('');
    report = JSON.parse(stdout) as CompareReport;
    expect(report.strategies.map((s) => s.instance)).toEqual(FRAMINGS);
    expect(byInstance('u32be').notes).toBeUndefined();
    expect(byInstance('ascii:2').notes).toEqual([
      'binary safety: payloads of at most 99 bytes, the most ascii:2 carries',
      'needs length up front: payloads of 49 to 99 bytes, the most ascii:2 carries',
    ]);
    expect(byInstance('ascii:1').notes).toContain('round trips: 9-byte frames, the most ascii:1 carries');
    expect(byInstance('delim:20').notes).toContain('speed in memory: — for 16 B and 4 KiB: the text payloads hold bytes delim:20 refuses');
    expect(byInstance('delim:61').notes?.[0]).toMatch(/^needs length up front and recovery: text with 'a' \(61\) written as '_' \(5f\)/);
    for (const s of report.strategies) {
      // A round trip is measured for every strategy: with as many bytes as it carries.
      expect(s.tcp.latency.payloadBytes).toBe(s.instance === 'ascii:1' ? 9 : 16);
      expect(s.tcp.p99us).toBeGreaterThanOrEqual(s.tcp.p50us);
    }
    // Frames it cannot carry have no speed figure: ascii:1 carries at most 9 bytes.
    expect(byInstance('ascii:1').memory.bySize.map((m) => m.decodeMBps)).toEqual([null, null]);
    expect(byInstance('delim:20').memory.decodeFramesPerSec).toBeNull();
  }, 60_000);

  it('prints the notes under the tables and on the page, and none for strategies without', () => {
    const table = renderTable(report, pc.createColors(false));
    const notes = table.split('\n\n').find((section) => section.startsWith('Notes: '))!;
    expect(notes.split('\n').filter((line) => /^ {2}\S/.test(line)).map((line) => line.trim().split(/\s+/)[0])).toEqual(['ascii:1', 'ascii:2', 'delim:20', 'delim:61']);
    expect(notes).toContain('  ascii:2   binary safety: payloads of at most 99 bytes, the most ascii:2 carries\n');
    const html = renderHtml(report);
    expect(html).toContain('<li data-strategy="ascii:1"><code>ascii:1</code>: binary safety: payloads of at most 9 bytes, the most ascii:1 carries</li>');
    expect(html).not.toContain('<li data-strategy="u32be">');
    const plain = { ...report, strategies: report.strategies.filter((s) => s.instance === 'u32be') };
    expect(renderTable(plain, pc.createColors(false))).not.toContain('Notes');
    expect(renderHtml(plain)).not.toContain('<h2>Notes</h2>');
  });

  it('gives no ★ to a round trip of shorter frames, even the fastest', () => {
    // ascii:1 echoed 9-byte frames, the others 16: make its round trip the fastest of all.
    const fastest = Math.min(...report.strategies.map((s) => s.tcp.p50us)) / 2;
    const fitted = {
      ...report,
      strategies: report.strategies.map((s) =>
        s.instance === 'ascii:1' ? { ...s, tcp: { ...s.tcp, p50us: fastest, p99us: fastest } } : s,
      ),
    };
    const p50 = speedMetrics(fitted).find((m) => m.id === 'tcp.p50us')!;
    const best = bestOf(p50, fitted.strategies);
    expect(best).toBe(Math.min(...fitted.strategies.filter((s) => s.instance !== 'ascii:1').map((s) => s.tcp.p50us)));
    const starred = fitted.strategies.filter((s) => isBest(p50, s, best)).map((s) => s.instance);
    expect(starred).not.toContain('ascii:1');
    expect(starred.length).toBeGreaterThan(0);
    const html = renderHtml(fitted);
    expect(html).toMatch(/data-strategy="ascii:1" data-field="tcp.p50us" data-value="[\d.e-]+">[\d.]+<\/td>/);
    expect(html).not.toMatch(/data-strategy="ascii:1" data-metric="tcp.p50us">★/);
  });
});
