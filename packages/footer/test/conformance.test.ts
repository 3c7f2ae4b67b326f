// Every footer strategy of the design's table through the conformance kit, with its byte vectors.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testStrategy } from '@framewire/conformance';
import type { StrategyFactory } from '@framewire/conformance';
import { FOOTER_STRATEGY_NAMES, cobs, delimiter, footerStrategy, line, slip } from '../src/index.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes = (...parts: (number | number[] | Uint8Array)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'number' ? [part] : Array.from(part))));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const CR = 0x0d;
const LF = 0x0a;

/** The strategy of a CLI name, as a factory for the kit (through the registry the CLI uses). */
const named =
  (name: string): StrategyFactory =>
  (options) => {
    const strategy = footerStrategy(name, options);
    if (strategy === undefined) throw new Error(`${name} is not a footer strategy`);
    return strategy;
  };

/**
 * Payloads for a text strategy: bytes biased towards CR, LF and NUL so that lone ones occur
 * often, filtered by what the strategy must carry.
 */
function payloads(carries: (payload: Uint8Array) => boolean): Arbitrary<Uint8Array> {
  const byte = fc.oneof({ weight: 1, arbitrary: fc.constantFrom(CR, LF, 0x00) }, { weight: 4, arbitrary: fc.integer({ min: 0, max: 255 }) });
  return fc.array(byte, { maxLength: 64, size: 'max' }).map((b) => Uint8Array.from(b)).filter(carries);
}
const hasCrLf = (p: Uint8Array): boolean => p.some((b, i) => b === CR && p[i + 1] === LF);
const endsWithCr = (p: Uint8Array): boolean => p[p.length - 1] === CR;

// line: payload + \n; the decoder also strips \r\n. Lone \r inside a line is data.
const lineOptions = {
  payload: payloads((p) => !p.includes(LF) && !endsWithCr(p)),
  specialBytes: [LF, CR],
  binarySafe: false,
  recovers: true,
  vectors: [
    { name: 'hi', payload: text('hi'), wire: text('hi\n') },
    { name: 'empty line', payload: new Uint8Array(0), wire: text('\n') },
    { name: 'lone \\r inside', payload: text('a\rb'), wire: text('a\rb\n') },
    { name: 'hi with \\r\\n', payload: text('hi'), wire: text('hi\r\n'), direction: 'decode' as const },
    { name: 'empty with \\r\\n', payload: new Uint8Array(0), wire: text('\r\n'), direction: 'decode' as const },
  ],
};
testStrategy(named('line'), lineOptions);
// Netty's discarding mode: an oversized line is a recoverable error and is skipped.
testStrategy((options) => line({ ...options, onTooLong: 'discard' }), { ...lineOptions, vectors: [] });

// crlf and delim:0d0a: payload + \r\n. Lone \r and \n are data; \r\n inside, or a final \r, is refused.
const crlfOptions = (name: string) => ({
  payload: payloads((p) => !hasCrLf(p) && !endsWithCr(p)),
  specialBytes: [CR, LF],
  binarySafe: false,
  recovers: true,
  vectors: [
    { name: `${name} hi`, payload: text('hi'), wire: text('hi\r\n') },
    { name: `${name} empty`, payload: new Uint8Array(0), wire: text('\r\n') },
    { name: `${name} lone \\n and \\r`, payload: text('\na\rb'), wire: text('\na\rb\r\n') },
  ],
});
testStrategy(named('crlf'), crlfOptions('crlf'));
testStrategy(named('delim:0d0a'), crlfOptions('delim:0d0a'));

// nul: payload + 0x00 (C strings, Flash/XMLSocket-style framing).
testStrategy(named('nul'), {
  payload: payloads((p) => !p.includes(0x00)),
  specialBytes: [0x00],
  binarySafe: false,
  recovers: true,
  vectors: [
    { name: 'hi', payload: text('hi'), wire: bytes(text('hi'), 0x00) },
    { name: 'empty', payload: new Uint8Array(0), wire: bytes(0x00) },
  ],
});

// Several delimiters, as Netty's DelimiterBasedFrameDecoder takes them: the earliest match ends the frame.
testStrategy((options) => delimiter({ ...options, delimiters: [text('END'), bytes(0x00)] }), {
  payload: payloads((p) => !p.includes(0x00) && !p.includes(0x45)),
  specialBytes: [0x45, 0x4e, 0x44, 0x00],
  binarySafe: false,
  recovers: true,
  vectors: [
    { name: 'a', payload: text('a'), wire: text('aEND') },
    { name: 'b ended by NUL', payload: text('b'), wire: bytes(text('b'), 0x00), direction: 'decode' },
    { name: 'NUL before END', payload: text('c'), wire: bytes(text('c'), 0x00), direction: 'decode' },
  ],
});

// COBS: the examples of Cheshire & Baker's paper as Wikipedia tabulates them, each + the 00 terminator.
const cobsVectors = [
  { name: 'empty', payload: bytes(), wire: bytes(0x01, 0x00) },
  { name: '00', payload: bytes(0x00), wire: bytes(0x01, 0x01, 0x00) },
  { name: '00 00', payload: bytes(0x00, 0x00), wire: bytes(0x01, 0x01, 0x01, 0x00) },
  { name: '00 11 00', payload: bytes(0x00, 0x11, 0x00), wire: bytes(0x01, 0x02, 0x11, 0x01, 0x00) },
  { name: '11 22 00 33', payload: bytes(0x11, 0x22, 0x00, 0x33), wire: bytes(0x03, 0x11, 0x22, 0x02, 0x33, 0x00) },
  { name: '11 22 33 44', payload: bytes(0x11, 0x22, 0x33, 0x44), wire: bytes(0x05, 0x11, 0x22, 0x33, 0x44, 0x00) },
  { name: '11 00 00 00', payload: bytes(0x11, 0x00, 0x00, 0x00), wire: bytes(0x02, 0x11, 0x01, 0x01, 0x01, 0x00) },
  { name: '01 … fe (254 bytes)', payload: bytes(range(0x01, 0xfe)), wire: bytes(0xff, range(0x01, 0xfe), 0x00) },
  { name: '00 … fe (255 bytes)', payload: bytes(range(0x00, 0xfe)), wire: bytes(0x01, 0xff, range(0x01, 0xfe), 0x00) },
  { name: '01 … ff (255 bytes)', payload: bytes(range(0x01, 0xff)), wire: bytes(0xff, range(0x01, 0xfe), 0x02, 0xff, 0x00) },
  { name: '02 … ff 00 (255 bytes)', payload: bytes(range(0x02, 0xff), 0x00), wire: bytes(0xff, range(0x02, 0xff), 0x01, 0x01, 0x00) },
  { name: '03 … ff 00 01 (255 bytes)', payload: bytes(range(0x03, 0xff), 0x00, 0x01), wire: bytes(0xfe, range(0x03, 0xff), 0x02, 0x01, 0x00) },
];
testStrategy(named('cobs'), { specialBytes: [0x00, 0x01, 0xfe, 0xff], recovers: true, vectors: cobsVectors });
testStrategy((options) => cobs({ ...options, onTooLong: 'discard' }), { specialBytes: [0x00], recovers: true });

// SLIP, RFC 1055: END c0, ESC db, ESC_END db dc, ESC_ESC db dd; a leading END flushes line noise.
// Empty payloads cannot be carried (receivers ignore empty frames), hence allowsEmpty: false.
const slipVectors = [
  { name: 'hi', payload: text('hi'), wire: bytes(0xc0, text('hi'), 0xc0) },
  { name: 'END escaped', payload: bytes(0xc0), wire: bytes(0xc0, 0xdb, 0xdc, 0xc0) },
  { name: 'ESC escaped', payload: bytes(0xdb), wire: bytes(0xc0, 0xdb, 0xdd, 0xc0) },
  { name: '01 c0 db 02', payload: bytes(0x01, 0xc0, 0xdb, 0x02), wire: bytes(0xc0, 0x01, 0xdb, 0xdc, 0xdb, 0xdd, 0x02, 0xc0) },
  { name: 'dc and dd alone are data', payload: bytes(0xdc, 0xdd), wire: bytes(0xc0, 0xdc, 0xdd, 0xc0) },
  { name: 'without the leading END', payload: text('hi'), wire: bytes(text('hi'), 0xc0), direction: 'decode' as const },
  { name: 'after line noise ENDs', payload: text('hi'), wire: bytes(0xc0, 0xc0, 0xc0, text('hi'), 0xc0), direction: 'decode' as const },
];
const slipOptions = { specialBytes: [0xc0, 0xdb, 0xdc, 0xdd], allowsEmpty: false, recovers: true };
testStrategy(named('slip'), { ...slipOptions, neutralPrefix: 1, vectors: slipVectors });
testStrategy((options) => slip({ ...options, leadingEnd: false }), {
  ...slipOptions,
  vectors: [{ name: '01 c0 db 02', payload: bytes(0x01, 0xc0, 0xdb, 0x02), wire: bytes(0x01, 0xdb, 0xdc, 0xdb, 0xdd, 0x02, 0xc0) }],
});

describe('footer strategy names', () => {
  it('covers every name of FOOTER_STRATEGY_NAMES, delim:HEX as delim:0d0a', () => {
    const tested = ['line', 'crlf', 'nul', 'delim:0d0a', 'cobs', 'slip'];
    expect(tested.map((name) => name.replace(/^delim:[0-9a-f]+$/, 'delim:HEX')).sort()).toEqual([...FOOTER_STRATEGY_NAMES].sort());
    for (const name of tested) expect(named(name)({}).name).toBe(name);
  });
});
