// Every header strategy of the design's table through the conformance kit, with its byte vectors.
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '@framewire/chunk-buffer';
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { testStrategy } from '@framewire/conformance';
import type { ConformanceVector, StrategyFactory } from '@framewire/conformance';
import {
  HEADER_STRATEGY_NAMES,
  ascii,
  headerStrategy,
  netstring,
  u8,
  u16be,
  u16le,
  u24be,
  u32be,
  u32le,
  u64be,
  u64le,
  varint,
} from '../src/index.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes = (...parts: (number | number[] | Uint8Array)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'number' ? [part] : Array.from(part))));
/** 258 bytes (length 0x0102, so byte order shows), 0x00, 0x01, … 0xff, 0x00, 0x01. */
const P258 = Uint8Array.from({ length: 258 }, (_, i) => i & 0xff);
const P300 = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);

// Binary length prefixes: "hi", the empty payload, and 258 bytes, whose length 0x0102 shows the byte order.
const binary: [name: string, hiLength: number[], longLength: number[]][] = [
  ['u8', [0x02], []],
  ['u16be', [0x00, 0x02], [0x01, 0x02]],
  ['u16le', [0x02, 0x00], [0x02, 0x01]],
  ['u24be', [0x00, 0x00, 0x02], [0x00, 0x01, 0x02]],
  ['u32be', [0x00, 0x00, 0x00, 0x02], [0x00, 0x00, 0x01, 0x02]],
  ['u32le', [0x02, 0x00, 0x00, 0x00], [0x02, 0x01, 0x00, 0x00]],
  ['u64be', [0, 0, 0, 0, 0, 0, 0, 0x02], [0, 0, 0, 0, 0, 0, 0x01, 0x02]],
  ['u64le', [0x02, 0, 0, 0, 0, 0, 0, 0], [0x02, 0x01, 0, 0, 0, 0, 0, 0]],
];

/** The strategy of a CLI name, as a factory for the kit (through the registry the CLI uses). */
const named =
  (name: string): StrategyFactory =>
  (options) => {
    const strategy = headerStrategy(name, options);
    if (strategy === undefined) throw new Error(`${name} is not a header strategy`);
    return strategy;
  };

for (const [name, hiLength, longLength] of binary) {
  const vectors: ConformanceVector[] = [
    { name: `${name} "hi"`, payload: text('hi'), wire: bytes(hiLength, text('hi')) },
    { name: `${name} empty`, payload: new Uint8Array(0), wire: bytes(hiLength.map(() => 0)) },
  ];
  if (longLength.length > 0) vectors.push({ name: `${name} 258 bytes`, payload: P258, wire: bytes(longLength, P258) });
  testStrategy(named(name), { vectors });
}

// varint: unsigned LEB128, as protobuf's writeDelimitedTo writes it: 300 = ac 02.
testStrategy(named('varint'), {
  vectors: [
    { name: 'varint 0', payload: new Uint8Array(0), wire: bytes(0x00) },
    { name: 'varint 2', payload: text('hi'), wire: bytes(0x02, text('hi')) },
    { name: 'varint 127 = 7f', payload: new Uint8Array(127).fill(1), wire: bytes(0x7f, new Uint8Array(127).fill(1)) },
    { name: 'varint 128 = 80 01', payload: new Uint8Array(128).fill(2), wire: bytes(0x80, 0x01, new Uint8Array(128).fill(2)) },
    { name: 'varint 300 = ac 02', payload: P300, wire: bytes(0xac, 0x02, P300) },
    { name: 'varint 16384 = 80 80 01', payload: new Uint8Array(16384).fill(3), wire: bytes(0x80, 0x80, 0x01, new Uint8Array(16384).fill(3)) },
  ],
});

// ascii:10: the sockets tutorial's header, f"{len(msg):<10}" + msg; decoded like int(msg[:10]).
testStrategy(named('ascii:10'), {
  specialBytes: [0x20, 0x30, 0x39],
  vectors: [
    { name: 'tutorial', payload: text('Hey there!!!'), wire: text('12        Hey there!!!') },
    { name: 'welcome', payload: text('Welcome to the server!'), wire: text('22        Welcome to the server!') },
    { name: 'empty', payload: new Uint8Array(0), wire: text('0         ') },
    { name: 'UTF-8 bytes, not characters', payload: text('héllo'), wire: text('6         héllo') },
    { name: 'right-aligned header', payload: text('hi'), wire: text('         2hi'), direction: 'decode' },
    { name: 'leading zeros', payload: text('hello'), wire: text('005       hello'), direction: 'decode' },
  ],
});

// netstring, per D. J. Bernstein's spec: "12:hello world!,".
testStrategy(named('netstring'), {
  specialBytes: [0x3a, 0x2c, 0x30],
  vectors: [
    { name: 'hello world!', payload: text('hello world!'), wire: text('12:hello world!,') },
    { name: 'empty', payload: new Uint8Array(0), wire: text('0:,') },
    { name: 'payload with : and ,', payload: text('a:b,c'), wire: text('5:a:b,c,') },
  ],
});

// The functions the package exports are the strategies the registry builds.
describe('header strategy names', () => {
  it('covers every name of HEADER_STRATEGY_NAMES, ascii:W as ascii:10', () => {
    const tested = [...binary.map(([name]) => name), 'varint', 'ascii:10', 'netstring'];
    expect(tested.map((name) => name.replace(/^ascii:\d+$/, 'ascii:W')).sort()).toEqual([...HEADER_STRATEGY_NAMES].sort());
  });

  it('builds, through the registry, the same wire format as the exported functions', () => {
    const exported: [string, FramingStrategy][] = [
      ['u8', u8()], ['u16be', u16be()], ['u16le', u16le()], ['u24be', u24be()], ['u32be', u32be()], ['u32le', u32le()],
      ['u64be', u64be()], ['u64le', u64le()], ['varint', varint()], ['ascii:10', ascii({ width: 10 })], ['netstring', netstring()],
    ];
    for (const [name, strategy] of exported) {
      expect(strategy.name).toBe(name);
      expect(encodeFrame(named(name)({}).createEncoder(), P300.subarray(0, 200))).toEqual(encodeFrame(strategy.createEncoder(), P300.subarray(0, 200)));
    }
  });
});
