import { ChunkBuffer, DEFAULT_MAX_FRAME_LENGTH, encodeFrame } from '@framewire/chunk-buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountingChunkBuffer } from '@framewire/conformance';
import {
  bytes,
  cut,
  decodeChunks,
  drive,
  encodeAll,
  expectEverySplit,
  expectFrames,
  payload,
  toHex,
} from '../test/helpers.js';
import { netstring } from './netstring.js';

const text = new TextDecoder();

describe('netstring diagrams', () => {
  it('netstring: "hello world!"', () => {
    const before = bytes('12:hello world!,');
    expect(before.length).toBe(16);
    expect(text.decode(encodeFrame(netstring().createEncoder(), bytes('hello world!')))).toBe('12:hello world!,');
    expectEverySplit(netstring(), before, { frames: [bytes('hello world!')] });
  });

  it('netstring: the empty string', () => {
    expect(text.decode(encodeFrame(netstring().createEncoder(), new Uint8Array(0)))).toBe('0:,');
    expectEverySplit(netstring(), bytes('0:,'), { frames: [new Uint8Array(0)] });
  });
});

describe('netstring', () => {
  it('splits a stream of netstrings at every byte position', () => {
    const frames = [bytes('hi'), new Uint8Array(0), bytes('a:b,c'), payload(11, 4)];
    const wire = encodeAll(netstring(), frames);
    expect(text.decode(wire.subarray(0, 15))).toBe('2:hi,0:,5:a:b,c');
    expectEverySplit(netstring(), wire, { frames });
  });

  it('encodes without copying the payload', () => {
    const data = bytes('abc');
    const parts = netstring().createEncoder().encode(data);
    expect(parts.map((p) => text.decode(p))).toEqual(['3:', 'abc', ',']);
    expect(parts[1]).toBe(data);
  });

  it('rejects leading zeros, empty lengths and non-digits as malformed headers', () => {
    const cases: [string, string][] = [
      ['01:a,', 'netstring length "01" has a leading zero at byte 0'],
      ['00:,', 'netstring length "00" has a leading zero at byte 0'],
      [':,', 'netstring length ":" has 0x3a where a digit must start at byte 0'],
      [' 1:a,', 'netstring length " " has 0x20 where a digit must start at byte 0'],
      ['+1:a,', 'netstring length "+" has 0x2b where a digit must start at byte 0'],
      ['1 :a,', 'netstring length "1 " has 0x20 at byte 1'],
      ['12x', 'netstring length "12x" has 0x78 at byte 2'],
    ];
    for (const [wire, message] of cases) {
      const result = decodeChunks(netstring(), [bytes(wire)]);
      expect(result.error?.code, wire).toBe('ERR_MALFORMED_HEADER');
      expect(result.error?.message).toBe(`${message}: expected decimal digits without leading zeros, then ':'`);
    }
  });

  it('reports a missing comma as a malformed frame', () => {
    expectEverySplit(netstring(), bytes('2:hi,3:abcX'), { frames: [bytes('hi')], code: 'ERR_MALFORMED_FRAME' });
    expect(decodeChunks(netstring(), [bytes('3:abc;')]).error?.message).toBe(
      "netstring payload of 3 bytes is followed by 0x3b, not ',' (0x2c)",
    );
  });

  it('fails as soon as the digits exceed the limit, before the colon', () => {
    const strategy = netstring({ maxFrameLength: 999 });
    const decoder = strategy.createDecoder();
    const buffer = new ChunkBuffer();
    buffer.push(bytes('100'));
    expect(decoder.decode(buffer)).toBeUndefined();
    buffer.push(bytes('0'));
    expect(() => decoder.decode(buffer)).toThrow(
      expect.objectContaining({
        code: 'ERR_FRAME_TOO_LARGE',
        length: 1000,
        maxFrameLength: 999,
        message: 'netstring length "1000" already declares 1000 bytes, over the maximum frame length of 999 bytes',
      }) as Error,
    );
    // A value over the limit with as many digits as the limit fails at its last digit.
    expect(decodeChunks(strategy, [bytes('99')]).error?.code).toBe('ERR_TRUNCATED_FRAME');
    expect(decodeChunks(netstring({ maxFrameLength: 500 }), [bytes('501')]).error?.code).toBe('ERR_FRAME_TOO_LARGE');
  });

  it('reports a length past 2^53 exactly, as a bigint', () => {
    // 9007199254740993 = 2^53 + 1, which a double rounds to 2^53.
    const result = decodeChunks(netstring({ maxFrameLength: Number.MAX_SAFE_INTEGER }), [bytes('9007199254740993:')]);
    expect(result.error).toMatchObject({
      code: 'ERR_FRAME_TOO_LARGE',
      length: 2n ** 53n + 1n,
      message: `netstring length "9007199254740993" already declares 9007199254740993 bytes, over the maximum frame length of ${Number.MAX_SAFE_INTEGER} bytes`,
    });
  });

  it('accepts a frame of exactly the limit and refuses one byte more, both ways', () => {
    const strategy = netstring({ maxFrameLength: 100 });
    expectFrames(decodeChunks(strategy, [encodeAll(strategy, [payload(100)])]).frames, [payload(100)]);
    expect(() => strategy.createEncoder().encode(payload(101))).toThrow(
      'netstring cannot encode a payload of 101 bytes, over the maximum frame length of 100 bytes',
    );
    expect(decodeChunks(strategy, [encodeAll(netstring(), [payload(101)])]).error?.code).toBe('ERR_FRAME_TOO_LARGE');
  });

  it('scans each header byte once, however the header is split', () => {
    const buffer = new CountingChunkBuffer();
    const result = drive(netstring().createDecoder(), buffer, Array.from(bytes('1234567:'), (b) => Uint8Array.of(b)));
    expect(result.error?.code).toBe('ERR_TRUNCATED_FRAME');
    expect(buffer.bytesInspected).toBe(8);
  });

  it('reports a partial length or netstring at end of stream as truncated', () => {
    expect(decodeChunks(netstring(), [bytes('2:hi,12')]).error).toMatchObject({
      code: 'ERR_TRUNCATED_FRAME',
      bufferedBytes: 2,
      message: "stream ended inside a netstring length (2 bytes received, no ':' yet)",
    });
    expect(decodeChunks(netstring(), [bytes('2:hi,1')]).error?.message).toBe("stream ended inside a netstring length (1 byte received, no ':' yet)");
    // The comma missing at the very end is a truncation, not a malformed frame.
    expect(decodeChunks(netstring(), [bytes('2:hi')]).error).toMatchObject({
      code: 'ERR_TRUNCATED_FRAME',
      message: 'stream ended inside a netstring (4 of 5 bytes received)',
    });
  });

  it('rethrows the same error after failing, without reading the buffer again', () => {
    const decoder = netstring().createDecoder();
    const buffer = new CountingChunkBuffer();
    const result = drive(decoder, buffer, [bytes('1:a;1:b,')]);
    expect(result.error?.code).toBe('ERR_MALFORMED_FRAME');
    buffer.calls = 0;
    expect(() => decoder.decode(buffer)).toThrow(result.error);
    expect(() => decoder.end(buffer)).toThrow(result.error);
    expect(buffer.calls).toBe(0);
  });

  it('has maxWireLength = limit digits + 2 + maxFrameLength', () => {
    const strategy = netstring();
    expect(strategy.name).toBe('netstring');
    expect(strategy.maxFrameLength).toBe(DEFAULT_MAX_FRAME_LENGTH);
    expect(strategy.maxWireLength).toBe(7 + 2 + DEFAULT_MAX_FRAME_LENGTH);
    expect(netstring({ maxFrameLength: 0 }).maxWireLength).toBe(3);
    expect(() => netstring({ maxFrameLength: Infinity })).toThrow(RangeError);
  });

  it('decodes what it encodes, under any chunking', () => {
    const strategy = netstring({ maxFrameLength: 500 });
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (payloads, rawCuts) => {
          const wire = encodeAll(strategy, payloads);
          const cuts = [...new Set(rawCuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const result = decodeChunks(strategy, cut(wire, cuts));
          expect(result.error).toBeUndefined();
          expectFrames(result.frames, payloads);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('decodes any byte stream identically however it is chunked', () => {
    const strategy = netstring({ maxFrameLength: 20 });
    const alphabet = fc.constantFrom(...bytes('0123456789:,ab'));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 8 }), (raw, rawCuts) => {
        const wire = Uint8Array.from(raw);
        const whole = decodeChunks(strategy, [wire]);
        const cuts = [...new Set(rawCuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const split = decodeChunks(strategy, cut(wire, cuts));
        expect(split.frames.map(toHex)).toEqual(whole.frames.map(toHex));
        expect(split.error?.code).toBe(whole.error?.code);
      }),
      { numRuns: 1000 },
    );
  });
});
