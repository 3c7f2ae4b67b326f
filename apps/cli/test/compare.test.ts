import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import pc from 'picocolors';
import { UsageError } from '../src/errors.js';
import type { CompareReport, StrategyReport } from '../src/compare/report.js';
import { DEFAULT_COMPARED } from '../src/compare/strategies.js';
import { bar, renderTable } from '../src/compare/table.js';
import { runCompareCommand } from '../src/compare/command.js';
import { socketChunks } from '../src/compare/memory.js';
import { captureIo, runCompareCli } from './compare-helpers.js';

// What the design's table and the formats' specifications say, independent of the code.
const HEADER_BYTES: Record<string, number> = { u8: 1, u16be: 2, u16le: 2, u24be: 3, u32be: 4, u32le: 4, u64be: 8, u64le: 8, 'ascii:10': 10 };
const LENGTH_PREFIXES = ['u8', 'u16be', 'u16le', 'u24be', 'u32be', 'u32le', 'u64be', 'u64le', 'varint', 'ascii:10', 'netstring'];
const DELIMITED = ['line', 'crlf', 'nul', 'delim:0d0a', 'cobs', 'slip'];
const BINARY_SAFE = new Set([...LENGTH_PREFIXES, 'cobs', 'slip']);
const SIZES = [16, 4096];

let report: CompareReport;
const byInstance = (instance: string): StrategyReport => {
  const strategy = report.strategies.find((s) => s.instance === instance);
  if (strategy === undefined) throw new Error(`no ${instance} in the report`);
  return strategy;
};
const positive = (value: number | null): void => {
  expect(typeof value).toBe('number');
  expect(Number.isFinite(value)).toBe(true);
  expect(value).toBeGreaterThan(0);
};
const close = (a: number | null, b: number | null): void => {
  expect(a).not.toBeNull();
  expect(b).not.toBeNull();
  expect(Math.abs(a! - b!)).toBeLessThanOrEqual(Math.abs(b!) * 1e-9);
};
const varintBytes = (n: number): number => Math.max(1, Math.ceil(Math.log2(n + 1) / 7));

beforeAll(async () => {
  const { stdout, stderr } = await runCompareCli(['--quick', '--json', '--sizes', SIZES.join(',')]);
  expect(stderr).toBe('');
  report = JSON.parse(stdout) as CompareReport;
}, 180_000);

describe('framewire compare --json: the whole report', () => {
  it('describes the machine and the run', () => {
    expect(report.schemaVersion).toBe(1);
    expect(report.tool.name).toBe('framewire compare');
    expect(report.machine.node).toBe(process.version);
    expect(report.machine.cpuModel.length).toBeGreaterThan(0);
    expect(Number.isInteger(report.machine.cpuCount) && report.machine.cpuCount >= 1).toBe(true);
    expect(report.machine.totalMemoryBytes).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(report.generatedAt))).toBe(false);
    expect(report.elapsedSeconds).toBeGreaterThan(0);
    expect(report.settings).toMatchObject({ quick: true, sizes: SIZES, smallFrameBytes: 16, largeFrameBytes: 4096, rounds: 1 });
    for (const key of ['overhead[].wireBytes', 'memory.encodeMBps', 'memory.decodeFramesPerSec', 'tcp.throughputMBps', 'tcp.p50us', 'tcp.p99us']) {
      expect(report.units[key], key).toMatch(/\w/);
    }
  });

  it('measures every strategy of the design table except raw, named as in the table', () => {
    expect(report.strategies.map((s) => s.instance)).toEqual([...DEFAULT_COMPARED]);
    expect(report.strategies.map((s) => s.name)).toEqual(DEFAULT_COMPARED.map((n) => (n === 'ascii:10' ? 'ascii:W' : n === 'delim:0d0a' ? 'delim:HEX' : n)));
    for (const s of report.strategies) {
      expect(s.package).toBe(LENGTH_PREFIXES.includes(s.instance) ? '@framewire/header' : '@framewire/footer');
    }
  });
});

describe.each([...DEFAULT_COMPARED])('framewire compare --json: %s', (instance) => {
  it('has an overhead figure for every size and kind, consistent with the wire format', () => {
    const s = byInstance(instance);
    expect(s.overhead.map((o) => [o.payloadBytes, o.kind])).toEqual(SIZES.flatMap((n) => [[n, 'text'], [n, 'binary']]));
    for (const o of s.overhead) {
      if (o.wireBytes === null) {
        expect(['ERR_FRAME_TOO_LARGE', 'ERR_UNENCODABLE_PAYLOAD']).toContain(o.refused);
        expect(o.overheadBytes).toBeNull();
        expect(o.wirePerPayloadByte).toBeNull();
        continue;
      }
      expect(o.refused).toBeNull();
      expect(Number.isInteger(o.wireBytes)).toBe(true);
      expect(o.wireBytes).toBeGreaterThan(o.payloadBytes);
      expect(o.overheadBytes).toBe(o.wireBytes - o.payloadBytes);
      close(o.wirePerPayloadByte, o.wireBytes / o.payloadBytes);
    }
    const text = (n: number) => s.overhead.find((o) => o.kind === 'text' && o.payloadBytes === n)!;
    const binary = (n: number) => s.overhead.find((o) => o.kind === 'binary' && o.payloadBytes === n)!;
    for (const n of SIZES) {
      if (instance in HEADER_BYTES) {
        // A fixed header: the same bytes added whatever the payload, unless the field is too small.
        const fits = instance !== 'u8' || n <= 255;
        expect(text(n).overheadBytes).toBe(fits ? HEADER_BYTES[instance] : null);
        expect(binary(n).overheadBytes).toBe(fits ? HEADER_BYTES[instance] : null);
        if (!fits) expect(text(n).refused).toBe('ERR_FRAME_TOO_LARGE');
      } else if (instance === 'varint') {
        expect(text(n).overheadBytes).toBe(varintBytes(n));
      } else if (instance === 'netstring') {
        expect(text(n).overheadBytes).toBe(String(n).length + 2);
      } else if (instance === 'line' || instance === 'nul') {
        expect(text(n).overheadBytes).toBe(1);
      } else if (instance === 'crlf' || instance === 'delim:0d0a') {
        expect(text(n).overheadBytes).toBe(2);
      } else if (instance === 'cobs') {
        // One code byte per 254 payload bytes (at most), and the 0x00 delimiter.
        expect(text(n).overheadBytes).toBeGreaterThanOrEqual(2);
        expect(text(n).overheadBytes!).toBeLessThanOrEqual(Math.ceil(n / 254) + 1);
        expect(binary(n).overheadBytes!).toBeLessThanOrEqual(Math.ceil(n / 254) + 1);
      } else {
        // slip: text has no byte to escape; random binary has some 0xC0 and 0xDB, escaped as two bytes.
        expect(text(n).overheadBytes).toBeGreaterThanOrEqual(1);
        expect(text(n).overheadBytes).toBeLessThanOrEqual(2);
        expect(binary(n).overheadBytes!).toBeLessThanOrEqual(n + 2);
      }
      // 4 KiB of random bytes holds a 0x0A and a 0x00 (the odds against are about 1 in 10 million):
      // a one-byte delimiter strategy refuses it rather than corrupting the stream.
      if ((instance === 'line' || instance === 'nul') && n >= 4096) expect(binary(n).refused).toBe('ERR_UNENCODABLE_PAYLOAD');
    }
  });

  it('tests binary safety: random and special bytes round-trip, or the encoder refuses them; nothing is corrupted', () => {
    const s = byInstance(instance);
    const b = s.binarySafety;
    expect(s.binarySafe).toBe(BINARY_SAFE.has(instance));
    expect(b.binarySafe).toBe(s.binarySafe);
    expect(b.payloadsTested).toBeGreaterThan(1000);
    expect(b.roundTripped + b.refused + b.corrupted).toBe(b.payloadsTested);
    expect(b.corrupted).toBe(0);
    if (s.binarySafe) expect(b.roundTripped).toBe(b.payloadsTested);
    else expect(b.refused).toBeGreaterThan(0);
  });

  it('derives needsLengthUpFront from the encodings: true for a length prefix, false for a delimiter', () => {
    const s = byInstance(instance);
    expect(s.needsLengthUpFront).toBe(LENGTH_PREFIXES.includes(instance));
    expect(s.streaming.needsLengthUpFront).toBe(s.needsLengthUpFront);
    const { probePayloadBytes, commonWirePrefixBytes } = s.streaming;
    if (s.needsLengthUpFront) {
      // The encodings of two lengths differ within the header: the first bytes are the length.
      expect(commonWirePrefixBytes).toBeLessThan(12);
    } else {
      // A delimiter encodes the shared start of the payloads the same; COBS looks at most 254 bytes ahead.
      expect(commonWirePrefixBytes).toBeGreaterThanOrEqual(probePayloadBytes - 255);
    }
  });

  it('measures recovery: delimiters resync at the next delimiter, a length prefix does not', () => {
    const { resync } = byInstance(instance);
    expect(resync.streamFrames).toBeGreaterThanOrEqual(64);
    expect(resync.damagedFrameIndex).toBeGreaterThan(0);
    for (const figure of [resync.flip, resync.drop]) {
      expect(figure.positionsTested).toBeGreaterThan(24);
      expect(figure.positionsResynced).toBeLessThanOrEqual(figure.positionsRealigned);
      expect(figure.positionsRealigned).toBeLessThanOrEqual(figure.positionsTested);
      expect(figure.recovers).toBe(figure.positionsResynced === figure.positionsTested);
      expect(figure.framesLost === null).toBe(figure.positionsRealigned < figure.positionsTested);
      expect(figure.wrongFramesDelivered).toBeGreaterThanOrEqual(0);
      expect(figure.errorsRaised).toBeGreaterThanOrEqual(0);
    }
    if (DELIMITED.includes(instance)) {
      expect(resync.recovers).toBe(true);
      // The damaged frame, and the next one when its delimiter was the damaged byte.
      expect(resync.framesLost).toBeGreaterThanOrEqual(1);
      expect(resync.framesLost).toBeLessThanOrEqual(2);
      expect(resync.flip.framesLost).toBeLessThanOrEqual(2);
      expect(resync.drop.framesLost).toBeLessThanOrEqual(2);
    } else {
      expect(resync.recovers).toBe(false);
      expect(resync.framesLost).toBeNull();
      // A dropped byte shifts every later header: the decoder never resyncs by itself.
      expect(resync.drop.positionsResynced).toBe(0);
      if (instance in HEADER_BYTES) {
        // A flipped payload byte costs that frame only; a flipped header byte loses the stream's place.
        expect(resync.flip.positionsResynced).toBe(resync.flip.positionsTested - HEADER_BYTES[instance]!);
      }
    }
  });

  it('measures speed in memory for every size it can carry', () => {
    const s = byInstance(instance);
    expect(s.memory.bySize.map((m) => m.payloadBytes)).toEqual(SIZES);
    for (const m of s.memory.bySize) {
      const carried = s.overhead.find((o) => o.payloadBytes === m.payloadBytes && o.kind === 'text')!.wireBytes !== null;
      if (!carried) {
        expect([m.encodeMBps, m.encodeFramesPerSec, m.decodeMBps, m.decodeFramesPerSec]).toEqual([null, null, null, null]);
        continue;
      }
      for (const value of [m.encodeMBps, m.encodeFramesPerSec, m.decodeMBps, m.decodeFramesPerSec]) positive(value);
      close(m.encodeMBps, (m.encodeFramesPerSec! * m.payloadBytes) / 1e6);
      close(m.decodeMBps, (m.decodeFramesPerSec! * m.payloadBytes) / 1e6);
    }
    expect(s.memory.encodeMBps).toBe(s.memory.bySize[1]!.encodeMBps);
    expect(s.memory.decodeMBps).toBe(s.memory.bySize[1]!.decodeMBps);
    expect(s.memory.encodeFramesPerSec).toBe(s.memory.bySize[0]!.encodeFramesPerSec);
    expect(s.memory.decodeFramesPerSec).toBe(s.memory.bySize[0]!.decodeFramesPerSec);
  });

  it('measures loopback TCP: throughput with small and large frames, round-trip p50 ≤ p99', () => {
    const { tcp, overhead } = byInstance(instance);
    const carriesLarge = overhead.find((o) => o.payloadBytes === 4096 && o.kind === 'text')!.wireBytes !== null;
    expect(tcp.large.payloadBytes).toBe(4096);
    expect(tcp.small.payloadBytes).toBe(16);
    if (carriesLarge) {
      positive(tcp.throughputMBps);
      expect(tcp.large.frames).toBeGreaterThan(0);
      close(tcp.throughputMBps, ((tcp.large.framesPerSec ?? 0) * 4096) / 1e6);
    } else {
      expect(tcp.throughputMBps).toBeNull();
      expect(tcp.large.frames).toBe(0);
    }
    positive(tcp.framesPerSec);
    expect(tcp.framesPerSec).toBe(tcp.small.framesPerSec);
    expect(tcp.small.frames).toBeGreaterThan(0);
    positive(tcp.p50us);
    expect(tcp.p99us).toBeGreaterThanOrEqual(tcp.p50us);
    expect(tcp.latency.roundTrips).toBeGreaterThan(0);
    expect([tcp.p50us, tcp.p99us]).toEqual([tcp.latency.p50us, tcp.latency.p99us]);
  });
});

describe('the terminal table', () => {
  const plain = pc.createColors(false);
  const rowsOf = (text: string, title: string): string[] => {
    const section = text.split('\n\n').find((part) => part.startsWith(title));
    if (section === undefined) throw new Error(`no section ${title}`);
    // The rows: lines that start with a strategy's name (the header lines before them do not).
    const names = new Set(report.strategies.map((s) => s.instance));
    return section.split('\n').filter((line) => names.has(line.trim().split(/\s+/)[0]!));
  };

  it('has every strategy in each of its three tables, with bars and one ★ winner mark per column at least', () => {
    const text = renderTable(report, plain);
    for (const title of ['Overhead', 'Robustness', 'Speed']) {
      const rows = rowsOf(text, title);
      expect(rows.map((row) => row.trim().split(/\s+/)[0])).toEqual(expect.arrayContaining([...DEFAULT_COMPARED]));
      expect(rows).toHaveLength(DEFAULT_COMPARED.length);
    }
    expect(text).toContain('█');
    expect(text).toContain('★');
    expect(text).toMatch(/Node v\d+\.\d+\.\d+/);
  });

  it('sorts the speed table by TCP throughput and marks the fastest', () => {
    const rows = rowsOf(renderTable(report, plain), 'Speed');
    const order = rows.map((row) => row.trim().split(/\s+/)[0]!);
    const expected = [...report.strategies]
      .sort((a, b) => (b.tcp.throughputMBps ?? -1) - (a.tcp.throughputMBps ?? -1))
      .map((s) => s.instance);
    expect(order).toEqual(expected);
    // The row with the highest TCP figure carries a ★ before it.
    expect(rows[0]).toMatch(/★ [\d.]+[kMG]? {2}█/);
  });

  it('sorts the robustness table: strategies that resync first', () => {
    const rows = rowsOf(renderTable(report, plain), 'Robustness');
    const resyncs = rows.map((row) => / yes, \d+ lost/.test(row));
    expect(resyncs).toEqual([...resyncs].sort((a, b) => Number(b) - Number(a)));
    expect(resyncs.filter(Boolean)).toHaveLength(DELIMITED.length);
  });

  it('draws bars in eighths of a cell', () => {
    expect(bar(8, 8, 4)).toBe('████');
    expect(bar(1, 8, 4)).toBe('▌');
    expect(bar(3, 8, 1)).toBe('▍');
    expect(bar(null, 8, 4)).toBe('');
    expect(bar(0.0001, 8, 4)).toBe('▏');
  });
});

describe('framewire compare on the command line', () => {
  it('prints the table on stdout, with no colour and no progress when not on a terminal', async () => {
    const { stdout, stderr } = await runCompareCli(['--quick', '--framing', 'u32be,line,cobs', '--sizes', '16,4096']);
    expect(stderr).toBe('');
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).toMatch(/framewire compare · 3 strategies/);
    for (const name of ['u32be', 'line', 'cobs']) expect(stdout).toContain(name);
    expect(stdout).not.toContain('varint');
  }, 60_000);

  it('shows progress on stderr when stderr is a terminal', async () => {
    const { stdout, stderr } = await runCompareCli(['--quick', '--json', '--framing', 'nul', '--sizes', '64'], true);
    expect(stderr).toContain('measuring');
    expect((JSON.parse(stdout) as CompareReport).strategies.map((s) => s.instance)).toEqual(['nul']);
  }, 60_000);

  it.each([
    [['--framing', 'nope'], /unknown framing 'nope'; valid framings: .*u32be.*cobs/],
    [['--framing', 'raw'], /'raw' cannot be compared: .*; compare any of: u8, u16be, .*, slip$/m],
    [['--framing', 'u32be,u32be'], /listed twice/],
    [['--framing', 'delim:0g'], /invalid framing 'delim:0g'/],
    [['--framing', 'u8,,line'], /expected a comma-separated list of framing names \(got 'u8,,line': entry 2 of 3 is empty\)/],
    [['--framing', 'u8,'], /\(got 'u8,': entry 2 of 2 is empty\)/],
    [['--framing', ' '], /\(got ' ': an empty list\)/],
    [['--sizes', '16,,64'], /expected a comma-separated list of sizes such as 16,4096,64k \(got '16,,64': entry 2 of 3 is empty\)/],
    [['--sizes', '0'], /expected at least 1 byte/],
    [['--sizes', '2MiB'], /at most 1 MiB/],
    [['--sizes', 'big'], /expected a byte count/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['--seed', '4294967296'], /expected a seed from 0 to 4294967295 \(got '4294967296'\)/],
  ])('refuses %j as a usage error (exit 2)', async (args, message) => {
    const run = runCompareCli(args);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('the in-memory decode speed', () => {
  it('feeds chunks that are copies of their own, as socket reads are, not views of one buffer', () => {
    const stream = Uint8Array.from({ length: 200_000 }, (_, i) => i & 0xff);
    const chunks = socketChunks(stream);
    expect(chunks.map((c) => c.length)).toEqual([65_536, 65_536, 65_536, 3_392]);
    expect(Buffer.concat(chunks).equals(Buffer.from(stream))).toBe(true);
    expect(new Set([stream.buffer, ...chunks.map((c) => c.buffer)]).size).toBe(chunks.length + 1);
  });
});

describe('framewire compare --html', () => {
  it('fails at once, before measuring, when the page cannot be written', async () => {
    const { io, output } = captureIo(true);
    const run = runCompareCommand(
      { framing: ['u32be'], sizes: [16], seed: 1, progress: true, html: '/nonexistent-dir/report.html' },
      io,
    );
    await expect(run).rejects.toThrow(/^cannot write \/nonexistent-dir\/report\.html: /);
    await expect(run).rejects.toMatchObject({ exitCode: 1 });
    // The progress bar (stderr claims to be a terminal) never started: nothing was measured.
    expect(output()).toEqual({ stdout: '', stderr: '' });
  });

  it('fails at once, before measuring, when the page would be a directory', async () => {
    const { io, output } = captureIo(true);
    const dir = tmpdir();
    const run = runCompareCommand({ framing: ['u32be'], sizes: [16], seed: 1, progress: true, html: dir }, io);
    await expect(run).rejects.toThrow(`cannot write ${dir}: it is a directory`);
    expect(output()).toEqual({ stdout: '', stderr: '' });
  });
});
