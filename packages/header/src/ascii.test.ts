import { ChunkBuffer, DEFAULT_MAX_FRAME_LENGTH, FrameTooLargeError, encodeFrame } from '@framewire/chunk-buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountingChunkBuffer } from '@framewire/conformance';
import {
  bytes,
  cat,
  cut,
  decodeChunks,
  drive,
  encodeAll,
  expectEverySplit,
  expectFrames,
  hex,
  payload,
  toHex,
} from '../test/helpers.js';
import { ascii } from './ascii.js';

const decoder = new TextDecoder();

describe('ascii diagrams', () => {
  it("ascii:10: the tutorial's header", () => {
    const before = bytes('12        Hey there!!!');
    expect(before.length).toBe(22);
    expect(toHex(before.subarray(0, 10))).toBe('31 32 20 20 20 20 20 20 20 20');
    expect(decoder.decode(encodeFrame(ascii().createEncoder(), bytes('Hey there!!!')))).toBe('12        Hey there!!!');
    expectEverySplit(ascii(), before, { frames: [bytes('Hey there!!!')] });
  });

  it('ascii:4: right-aligned digits are read too', () => {
    expectEverySplit(ascii({ width: 4 }), bytes('   2hi'), { frames: [bytes('hi')] });
  });
});

describe('ascii encoding', () => {
  it("writes the tutorial's header: f\"{len(msg):<10}\"", () => {
    const encoder = ascii().createEncoder();
    expect(decoder.decode(encodeFrame(encoder, bytes('Welcome to the server!')))).toBe('22        Welcome to the server!');
    expect(decoder.decode(encodeFrame(encoder, new Uint8Array(0)))).toBe('0         ');
    expect(decoder.decode(encodeFrame(ascii({ width: 3 }).createEncoder(), payload(999)).subarray(0, 3))).toBe('999');
  });

  it('counts UTF-8 bytes, not characters', () => {
    const text = 'héllo wörld ✓';
    expect(text.length).toBe(13);
    const wire = encodeFrame(ascii().createEncoder(), bytes(text));
    expect(decoder.decode(wire.subarray(0, 10))).toBe('17        ');
    expect(decoder.decode(decodeChunks(ascii(), [wire]).frames[0])).toBe(text);
  });

  it('refuses a length that does not fit the width, as too large', () => {
    const strategy = ascii({ width: 4 });
    expect(strategy.maxFrameLength).toBe(9999);
    expect(strategy.maxWireLength).toBe(10003);
    const encoder = strategy.createEncoder();
    expect(toHex(encoder.encode(payload(9999))[0]!)).toBe(toHex(bytes('9999')));
    let error: unknown;
    try {
      encoder.encode(payload(10000));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({
      length: 10000,
      maxFrameLength: 9999,
      message: 'ascii:4 cannot encode a payload of 10000 bytes: its length does not fit 4 digits (at most 9999)',
    });
  });

  it('says "1 digit", not "1 digits", when ascii:1 refuses a length of two digits', () => {
    const encoder = ascii({ width: 1 }).createEncoder();
    expect(toHex(encoder.encode(payload(9))[0]!)).toBe(toHex(bytes('9')));
    expect(() => encoder.encode(payload(10))).toThrow(
      new FrameTooLargeError(10, 9, 'ascii:1 cannot encode a payload of 10 bytes: its length does not fit 1 digit (at most 9)'),
    );
  });

  it('refuses a payload over maxFrameLength', () => {
    expect(() => ascii({ maxFrameLength: 5 }).createEncoder().encode(payload(6))).toThrow(
      'ascii:10 cannot encode a payload of 6 bytes, over the maximum frame length of 5 bytes',
    );
  });
});

describe('ascii decoding', () => {
  it('splits the header at every byte position, zero-length frames included', () => {
    const strategy = ascii({ width: 5 });
    const frames = [bytes('hi'), new Uint8Array(0), payload(12, 9)];
    expectEverySplit(strategy, encodeAll(strategy, frames), { frames });
  });

  it("tolerates leading and trailing whitespace and leading zeros, as Python's int() does", () => {
    const strategy = ascii({ width: 6 });
    for (const header of ['2     ', '     2', '  2   ', '000002', '\t2\r\n  ', '\x0b2\x0c   ', '   02 ']) {
      expect(decodeChunks(strategy, [cat(header, 'hi')]).frames, JSON.stringify(header)).toEqual([bytes('hi')]);
    }
  });

  it('rejects anything else as a malformed header, showing the bytes escaped', () => {
    const strategy = ascii({ width: 6 });
    const cases: [string, string][] = [
      ['12a   ', '"12a   "'],
      ['+12   ', '"+12   "'],
      ['-1    ', '"-1    "'],
      ['1 2   ', '"1 2   "'],
      ['      ', '"      "'],
      ['1_000 ', '"1_000 "'],
      ['0x10  ', '"0x10  "'],
      ['12\x00   ', '"12\\x00   "'],
      ['"\\\n\xff ', '"\\"\\\\\\n\\xc3\\xbf "'],
    ];
    for (const [header, shown] of cases) {
      const result = decodeChunks(strategy, [cat(header, 'hi')]);
      expect(result.error?.code, shown).toBe('ERR_MALFORMED_HEADER');
      expect(result.error?.message).toBe(
        `ascii:6 header ${shown} is not a decimal length (expected digits, optionally surrounded by spaces)`,
      );
    }
  });

  it('fails as soon as the header is read when it declares more than the limit', () => {
    const d = ascii({ maxFrameLength: 100 }).createDecoder();
    const buffer = new ChunkBuffer();
    buffer.push(bytes('101      '));
    expect(d.decode(buffer)).toBeUndefined();
    buffer.push(bytes(' '));
    expect(() => d.decode(buffer)).toThrow(
      'ascii:10 header declares a frame of 101 bytes, over the maximum frame length of 100 bytes',
    );
    expectFrames(decodeChunks(ascii({ maxFrameLength: 100 }), [bytes('100       '), payload(100)]).frames, [payload(100)]);
  });

  it('reports lengths past 2^53 exactly', () => {
    const result = decodeChunks(ascii({ width: 20 }), [bytes('99999999999999999999')]);
    expect(result.error).toBeInstanceOf(FrameTooLargeError);
    expect((result.error as FrameTooLargeError).length).toBe(99999999999999999999n);
  });

  it('waits for the whole frame without copying or allocating by the declared length', () => {
    const d = ascii().createDecoder();
    const buffer = new CountingChunkBuffer();
    buffer.push(bytes('8000000   abc'));
    expect(d.decode(buffer)).toBeUndefined();
    expect(d.decode(buffer)).toBeUndefined();
    // The header was peeked once (10 bytes); nothing else was read.
    expect(buffer.bytesInspected).toBe(10);
  });

  it('reports a partial header or frame at end of stream as truncated', () => {
    expect(decodeChunks(ascii(), [bytes('12   ')]).error).toMatchObject({
      code: 'ERR_TRUNCATED_FRAME',
      bufferedBytes: 5,
      message: 'stream ended inside an ascii:10 header (5 of 10 bytes received)',
    });
    expect(decodeChunks(ascii(), [bytes('12        Hey')]).error).toMatchObject({
      code: 'ERR_TRUNCATED_FRAME',
      message: 'stream ended inside an ascii:10 frame (13 of 22 bytes received)',
    });
  });

  it('rethrows the same error after failing, without reading the buffer again', () => {
    const d = ascii().createDecoder();
    const buffer = new CountingChunkBuffer();
    const result = drive(d, buffer, [bytes('2         hiXX        ')]);
    expect(result.frames).toEqual([bytes('hi')]);
    expect(result.error?.code).toBe('ERR_MALFORMED_HEADER');
    buffer.calls = 0;
    expect(() => d.decode(buffer)).toThrow(result.error);
    expect(() => d.end(buffer)).toThrow(result.error);
    expect(buffer.calls).toBe(0);
  });

  it('validates its options', () => {
    expect(ascii().name).toBe('ascii:10');
    expect(ascii({ width: 3 }).name).toBe('ascii:3');
    expect(ascii().maxFrameLength).toBe(DEFAULT_MAX_FRAME_LENGTH);
    expect(ascii().maxWireLength).toBe(10 + DEFAULT_MAX_FRAME_LENGTH);
    expect(ascii({ width: 20, maxFrameLength: Number.MAX_SAFE_INTEGER }).maxFrameLength).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => ascii({ width: 0 })).toThrow(new RangeError('width must be an integer from 1 to 64 (got 0)'));
    expect(() => ascii({ width: 2.5 })).toThrow(RangeError);
    expect(() => ascii({ maxFrameLength: -3 })).toThrow(RangeError);
  });

  it('takes widths up to 64 and refuses wider ones, which would buffer that much header', () => {
    // It used to take any safe integer: ascii({ width: 1e9 }) waited for a gigabyte of header.
    const widest = ascii({ width: 64 });
    expect(widest.name).toBe('ascii:64');
    expect(widest.maxWireLength).toBe(64 + DEFAULT_MAX_FRAME_LENGTH);
    const wire = encodeAll(widest, [bytes('hi')]);
    expect(wire.length).toBe(66);
    expectEverySplit(widest, wire, { frames: [bytes('hi')] }, 8);
    // A malformed 64-byte header is shown whole (no "…").
    const error = decodeChunks(widest, [cat('x'.repeat(64), 'hi')]).error;
    expect(error?.message).toBe(
      `ascii:64 header "${'x'.repeat(64)}" is not a decimal length (expected digits, optionally surrounded by spaces)`,
    );
    for (const width of [65, 1000, 1_000_000_000, Number.MAX_SAFE_INTEGER]) {
      expect(() => ascii({ width }), String(width)).toThrow(
        new RangeError(`width must be an integer from 1 to 64 (got ${width})`),
      );
    }
    expect(() => ascii({ width: 0 })).toThrow(new RangeError('width must be an integer from 1 to 64 (got 0)'));
  });

  // Whitespace, digits, and look-alikes Python's int() would treat differently or reject.
  const HEADER_CHARS = [' ', '\t', '\r', '\n', '\v', '\f', '0', '1', '2', '5', '9', 'a', '+', '-', '_', '.'];

  it('accepts exactly the headers a reference model accepts', () => {
    const model = /^[\t\n\v\f\r ]*([0-9]+)[\t\n\v\f\r ]*$/;
    // Headers made of runs of spaces, runs of digits and single characters: the decoder reads
    // a header four bytes at a time and skips a group of four spaces whole, so groups of spaces
    // must come before, between and after the digits at every offset.
    const run = fc.oneof(
      fc.string({ unit: fc.constant(' '), minLength: 1, maxLength: 5 }),
      fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9'), minLength: 1, maxLength: 5 }),
      fc.constantFrom(...HEADER_CHARS),
    );
    const headers = fc.array(run, { minLength: 1, maxLength: 5 }).map((runs) => runs.join(''));
    fc.assert(
      fc.property(headers, (header) => {
        const strategy = ascii({ width: header.length, maxFrameLength: 5000 });
        const result = decodeChunks(strategy, [cat(header, payload(9999))]);
        const match = model.exec(header);
        if (match === null) {
          expect(result.error?.code, JSON.stringify(header)).toBe('ERR_MALFORMED_HEADER');
        } else {
          const length = Number(match[1]);
          if (length > 5000) expect(result.error?.code).toBe('ERR_FRAME_TOO_LARGE');
          else expect(result.frames[0]?.length).toBe(length);
        }
      }),
      { numRuns: 4000 },
    );
  });

  it('decodes what it encodes, under any chunking', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 12 })
          .chain((width) =>
            fc.tuple(fc.constant(width), fc.array(fc.uint8Array({ maxLength: width === 1 ? 9 : 30 }), { maxLength: 6 })),
          ),
        fc.array(fc.nat(), { maxLength: 10 }),
        ([width, payloads], rawCuts) => {
          const strategy = ascii({ width });
          const wire = encodeAll(strategy, payloads);
          const cuts = [...new Set(rawCuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const result = decodeChunks(strategy, cut(wire, cuts));
          expect(result.error).toBeUndefined();
          expect(result.frames).toEqual(payloads);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

it('ascii:1 carries frames of up to 9 bytes', () => {
  const strategy = ascii({ width: 1 });
  expect(strategy.maxFrameLength).toBe(9);
  expectEverySplit(strategy, cat('0', '3abc', '9', payload(9)), { frames: [new Uint8Array(0), bytes('abc'), payload(9)] });
  expect(decodeChunks(strategy, [hex('20')]).error?.code).toBe('ERR_MALFORMED_HEADER');
});
