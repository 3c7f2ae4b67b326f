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
import { varint, varintLength } from './varint.js';

/** Reference LEB128 encoder in bigint, independent of the one under test. */
function leb128(value: bigint): Uint8Array {
  const out: number[] = [];
  do {
    let b = Number(value & 0x7fn);
    value >>= 7n;
    if (value !== 0n) b |= 0x80;
    out.push(b);
  } while (value !== 0n);
  return Uint8Array.from(out);
}

describe('varint diagrams', () => {
  it('varint: 300-byte payload behind a 2-byte varint', () => {
    const body = payload(300);
    const before = cat(hex('ac 02'), body);
    expect(before.length).toBe(302);
    expect(toHex(encodeFrame(varint().createEncoder(), body))).toBe(toHex(before));
    // Every split inside and around the header, and a few in the payload.
    for (const at of [0, 1, 2, 3, 150, 301, 302]) {
      expectFrames(decodeChunks(varint(), cut(before, [at])).frames, [body], `cut at ${at}`);
    }
    expectFrames(decodeChunks(varint(), Array.from(before, (b) => Uint8Array.of(b))).frames, [body]);
  });

  it('varint: lengths up to 127 take one byte', () => {
    const before = hex('02 68 69');
    expect(toHex(encodeFrame(varint().createEncoder(), bytes('hi')))).toBe('02 68 69');
    expectEverySplit(varint(), before, { frames: [bytes('hi')] });
  });
});

describe('varint encoding', () => {
  it('matches the fixed vectors', () => {
    const encoder = varint({ maxFrameLength: 2 ** 21 }).createEncoder();
    const headerOf = (n: number): string => toHex(encoder.encode(new Uint8Array(n))[0]!);
    expect(headerOf(0)).toBe('00');
    expect(headerOf(1)).toBe('01');
    expect(headerOf(127)).toBe('7f');
    expect(headerOf(128)).toBe('80 01');
    expect(headerOf(300)).toBe('ac 02');
    expect(headerOf(16383)).toBe('ff 7f');
    expect(headerOf(16384)).toBe('80 80 01');
    expect(headerOf(2 ** 21)).toBe('80 80 80 01');
  });

  it('writes the canonical LEB128 of any length, as a bigint reference does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        // Encode a fake payload of length n without allocating it.
        const fake = { length: n } as Uint8Array;
        Object.setPrototypeOf(fake, Uint8Array.prototype);
        const encoded = varint({ maxFrameLength: Number.MAX_SAFE_INTEGER }).createEncoder().encode(fake)[0]!;
        expect(toHex(encoded)).toBe(toHex(leb128(BigInt(n))));
        expect(varintLength(n)).toBe(encoded.length);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a payload over the limit', () => {
    const encoder = varint({ maxFrameLength: 10 }).createEncoder();
    expect(() => encoder.encode(payload(11))).toThrow(
      'varint cannot encode a payload of 11 bytes, over the maximum frame length of 10 bytes',
    );
    expect(encoder.encode(payload(10))[0]).toEqual(hex('0a'));
  });
});

describe('varint decoding', () => {
  it('splits multi-byte varints at every byte position (Netty #17549)', () => {
    // Non-canonical varints within the limit's 4 bytes give multi-byte headers with short payloads.
    const wire = cat(hex('82 80 80 00'), bytes('hi'), hex('80 00'), hex('81 80 00'), bytes('A'), hex('00'));
    expectEverySplit(varint(), wire, { frames: [bytes('hi'), new Uint8Array(0), bytes('A'), new Uint8Array(0)] });
  });

  it('splits a canonical 3-byte varint at every header position', () => {
    const body = payload(16384, 3);
    const wire = cat(hex('80 80 01'), body, hex('01 5a'));
    for (let a = 0; a <= 4; a++) {
      for (let b = a; b <= 4; b++) {
        expectFrames(decodeChunks(varint(), cut(wire, [a, b])).frames, [body, hex('5a')], `cut at ${a}, ${b}`);
      }
    }
  });

  it('reads the header bytes once, however the varint is split', () => {
    const decoder = varint().createDecoder();
    const buffer = new CountingChunkBuffer();
    const result = drive(decoder, buffer, Array.from(hex('ff ff ff 03'), (b) => Uint8Array.of(b)));
    expect(result.error?.code).toBe('ERR_TRUNCATED_FRAME');
    // Four header bytes, each looked at once across four decode calls.
    expect(buffer.bytesInspected).toBe(4);
  });

  it('accepts non-canonical varints within the bytes the limit needs', () => {
    // Default limit 8 MiB = 80 80 80 04: four bytes.
    expect(varintLength(DEFAULT_MAX_FRAME_LENGTH)).toBe(4);
    expectEverySplit(varint(), hex('82 00 68 69'), { frames: [bytes('hi')] });
    expectEverySplit(varint(), hex('80 80 80 00'), { frames: [new Uint8Array(0)] });
  });

  it('rejects zero padding past those bytes as a malformed header, as soon as it is seen', () => {
    const decoder = varint().createDecoder();
    const buffer = new ChunkBuffer();
    buffer.push(hex('82 80 80 80'));
    expect(decoder.decode(buffer)).toBeUndefined();
    buffer.push(hex('00'));
    expect(() => decoder.decode(buffer)).toThrow(
      expect.objectContaining({
        code: 'ERR_MALFORMED_HEADER',
        message:
          'varint header (0x82 0x80 0x80 0x80 0x00…) is longer than the 4 bytes any length up to the maximum frame ' +
          'length of 8388608 needs, and byte 5 carries no value bits: zero padding is not a length',
      }) as Error,
    );
    expectEverySplit(varint({ maxFrameLength: 127 }), hex('05 41 41 41 41 41 80 80'), {
      frames: [bytes('AAAAA')],
      code: 'ERR_MALFORMED_HEADER',
    });
  });

  it('rejects a varint longer than the limit needs as too large as soon as its value bits say so', () => {
    // Limit 127 needs one byte; 80 01 = 128.
    const strategy = varint({ maxFrameLength: 127 });
    const result = decodeChunks(strategy, [hex('80 01')]);
    expect(result.error).toBeInstanceOf(FrameTooLargeError);
    expect(result.error).toMatchObject({ length: 128, maxFrameLength: 127 });
    // 127 passes; the next payload's header is refused before any of its bytes arrive.
    const wire = cat(encodeAll(strategy, [payload(127)]), hex('80 01'));
    expectEverySplit(strategy, wire, { frames: [payload(127)], code: 'ERR_FRAME_TOO_LARGE' }, 0);
  });

  it('rejects a value over the limit that fits the limit width', () => {
    // Limit 300 needs two bytes (ac 02); ad 02 = 301.
    const result = decodeChunks(varint({ maxFrameLength: 300 }), [hex('ad 02')]);
    expect(result.error).toMatchObject({
      code: 'ERR_FRAME_TOO_LARGE',
      length: 301,
      message: 'varint header declares a frame of 301 bytes, over the maximum frame length of 300 bytes',
    });
    expect(decodeChunks(varint({ maxFrameLength: 300 }), [hex('ac 02'), payload(300)]).frames).toEqual([payload(300)]);
  });

  it('never reads past 10 bytes: over-long varints fail before their 10th byte', () => {
    const safe = varint({ maxFrameLength: Number.MAX_SAFE_INTEGER });
    expect(varintLength(Number.MAX_SAFE_INTEGER)).toBe(8);
    // 11 bytes of padding: malformed at byte 9.
    const padding = decodeChunks(safe, [hex('80 80 80 80 80 80 80 80 80 80 00')]);
    expect(padding.error?.code).toBe('ERR_MALFORMED_HEADER');
    // 11 bytes with value bits everywhere: at least 2^56 - 1 after 8 bytes, too large.
    const huge = decodeChunks(safe, [hex('ff ff ff ff ff ff ff ff ff ff 01')]);
    expect(huge.error).toBeInstanceOf(FrameTooLargeError);
    expect((huge.error as FrameTooLargeError).length).toBe(2n ** 56n - 1n);
    // Decided by the 9th byte and the 8th: the 10th and 11th are never needed.
    for (const [head, code] of [
      ['80 80 80 80 80 80 80 80 80', 'ERR_MALFORMED_HEADER'],
      ['ff ff ff ff ff ff ff ff', 'ERR_FRAME_TOO_LARGE'],
    ] as const) {
      const buffer = new ChunkBuffer();
      buffer.push(hex(head));
      expect(() => safe.createDecoder().decode(buffer)).toThrow(expect.objectContaining({ code }) as Error);
    }
  });

  it('rejects a length over the limit as soon as the bytes so far show it, before the varint ends', () => {
    // ff ff ff ff: at least 2^28 - 1 whatever follows, over the default 8 MiB.
    for (const chunks of [[hex('ff ff ff ff')], Array.from(hex('ff ff ff ff'), (b) => Uint8Array.of(b))]) {
      const result = decodeChunks(varint(), chunks);
      expect(result.error).toBeInstanceOf(FrameTooLargeError);
      expect(result.error).toMatchObject({ length: 2 ** 28 - 1, maxFrameLength: DEFAULT_MAX_FRAME_LENGTH });
      expect(result.error?.message).toBe(
        `varint header (0xff 0xff 0xff 0xff…) declares a frame of at least ${2 ** 28 - 1} bytes, over the maximum frame length of ${DEFAULT_MAX_FRAME_LENGTH} bytes`,
      );
    }
    // c9 81: at least 201 after two bytes of three, over 200; the third byte is never needed.
    const buffer = new ChunkBuffer();
    buffer.push(hex('c9 81'));
    expect(() => varint({ maxFrameLength: 200 }).createDecoder().decode(buffer)).toThrow(
      expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE', length: 201 }) as Error,
    );
    // A following 00 (zero padding) does not turn it into a malformed header.
    expect(decodeChunks(varint(), [hex('ff ff ff ff 00')]).error?.code).toBe('ERR_FRAME_TOO_LARGE');
  });

  it('reports a length past 2^53 exactly, as a bigint', () => {
    const safe = varint({ maxFrameLength: Number.MAX_SAFE_INTEGER });
    // 2^56 - 1, complete (the last byte has no continuation bit): 7f after seven ff.
    const whole = decodeChunks(safe, [hex('ff ff ff ff ff ff ff 7f')]);
    expect((whole.error as FrameTooLargeError).length).toBe(2n ** 56n - 1n);
    expect(whole.error?.message).toBe(
      `varint header declares a frame of ${2n ** 56n - 1n} bytes, over the maximum frame length of ${Number.MAX_SAFE_INTEGER} bytes`,
    );
    // 2^53 + 1 (81 80 80 80 80 80 80 10): a double would round it to 2^53.
    const odd = decodeChunks(safe, [hex('81 80 80 80 80 80 80 10')]);
    expect((odd.error as FrameTooLargeError).length).toBe(2n ** 53n + 1n);
  });

  it('handles a zero limit: only empty frames', () => {
    const strategy = varint({ maxFrameLength: 0 });
    expect(strategy.maxWireLength).toBe(1);
    expectEverySplit(strategy, hex('00 00 01'), { frames: [new Uint8Array(0), new Uint8Array(0)], code: 'ERR_FRAME_TOO_LARGE' });
  });

  it('reports a partial header or frame at end of stream as truncated', () => {
    const inHeader = decodeChunks(varint(), [hex('02 68 69 ac')]);
    expect(inHeader.frames).toEqual([bytes('hi')]);
    expect(inHeader.error).toMatchObject({
      code: 'ERR_TRUNCATED_FRAME',
      bufferedBytes: 1,
      message: 'stream ended inside a varint header (1 byte received, the last with the continuation bit set)',
    });
    const inBody = decodeChunks(varint(), [hex('ac 02 00 00')]);
    expect(inBody.error).toMatchObject({
      code: 'ERR_TRUNCATED_FRAME',
      message: 'stream ended inside a varint frame (4 of 302 bytes received)',
    });
  });

  it('rethrows the same error after failing, without reading the buffer again', () => {
    const decoder = varint({ maxFrameLength: 5 }).createDecoder();
    const buffer = new CountingChunkBuffer();
    const result = drive(decoder, buffer, [hex('06')]);
    expect(result.error?.code).toBe('ERR_FRAME_TOO_LARGE');
    buffer.calls = 0;
    expect(() => decoder.decode(buffer)).toThrow(result.error);
    expect(() => decoder.end(buffer)).toThrow(result.error);
    expect(buffer.calls).toBe(0);
  });

  it('has maxWireLength = the limit varint length + maxFrameLength', () => {
    expect(varint().maxWireLength).toBe(4 + DEFAULT_MAX_FRAME_LENGTH);
    expect(varint({ maxFrameLength: 127 }).maxWireLength).toBe(128);
    expect(varint({ maxFrameLength: 128 }).maxWireLength).toBe(130);
    expect(varint().name).toBe('varint');
    expect(() => varint({ maxFrameLength: 1.5 })).toThrow(RangeError);
  });

  it('decodes what it encodes, under any chunking', () => {
    const strategy = varint({ maxFrameLength: 1000 });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ minLength: 120, maxLength: 400 })), {
          maxLength: 5,
        }),
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
    const strategy = varint({ maxFrameLength: 300 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.array(fc.nat(), { maxLength: 8 }), (wire, rawCuts) => {
        const whole = decodeChunks(strategy, [wire]);
        const cuts = [...new Set(rawCuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const split = decodeChunks(strategy, cut(wire, cuts));
        expect(split.frames).toEqual(whole.frames);
        expect(split.error?.code).toBe(whole.error?.code);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('varint reference model', () => {
  it('accepts exactly the varints the documented rules accept', () => {
    const max = 300; // two bytes: ac 02
    const strategy = varint({ maxFrameLength: max });
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xac, 0xff), { minLength: 1, maxLength: 4 }), (head) => {
        const wire = Uint8Array.from(head);
        const result = decodeChunks(strategy, [wire]);
        // Model: read up to 2 bytes; a third byte is an error (value bits → too large, none →
        // malformed). Too large as soon as the bytes so far hold more than the limit, whether
        // the varint ends there or goes on.
        let value = 0;
        let expected: string | number = 'TRUNCATED';
        for (let i = 0; i < head.length; i++) {
          const b = head[i]!;
          if (i === 2) {
            expected = (b & 0x7f) !== 0 ? 'ERR_FRAME_TOO_LARGE' : 'ERR_MALFORMED_HEADER';
            break;
          }
          value += (b & 0x7f) * 128 ** i;
          if (value > max) {
            expected = 'ERR_FRAME_TOO_LARGE';
            break;
          }
          if (b < 0x80) {
            expected = value;
            break;
          }
        }
        if (typeof expected === 'number') {
          // A valid header: the payload has not arrived (unless it is empty).
          const headerLength = head.findIndex((b) => b < 0x80) + 1;
          const rest = wire.length - headerLength;
          if (expected <= rest) expect(result.frames[0]?.length).toBe(expected);
          else expect(result.error?.code).toBe('ERR_TRUNCATED_FRAME');
        } else if (expected === 'TRUNCATED') {
          expect(result.error?.code).toBe('ERR_TRUNCATED_FRAME');
        } else {
          expect(result.error?.code).toBe(expected);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

// Keep the reference helper honest: it must agree with the vectors too.
it('reference LEB128 agrees with the fixed vectors', () => {
  expect(toHex(leb128(300n))).toBe('ac 02');
  expect(toHex(leb128(0n))).toBe('00');
  expect(toHex(leb128(2n ** 64n - 1n))).toBe('ff ff ff ff ff ff ff ff ff 01');
});
