import { ChunkBuffer, DEFAULT_MAX_FRAME_LENGTH, Deframer, FrameTooLargeError, encodeFrame } from '@framewire/chunk-buffer';
import type { FramingStrategy } from '@framewire/chunk-buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountingChunkBuffer } from '@framewire/conformance';
import {
  bytes,
  cat,
  decodeChunks,
  drive,
  encodeAll,
  expectEverySplit,
  hex,
  payload,
  toHex,
} from '../test/helpers.js';
import { lengthPrefix } from './length-prefix.js';
import type { LengthPrefixOptions } from './length-prefix.js';

const HELLO = bytes('HELLO, WORLD');

/** Checks one TSDoc diagram: BEFORE decodes to AFTER under every split; optionally encoding content gives BEFORE. */
function checkDiagram(options: LengthPrefixOptions, before: Uint8Array, after: Uint8Array, content?: Uint8Array): void {
  const strategy = lengthPrefix(options);
  expectEverySplit(strategy, before, { frames: [after] });
  if (content !== undefined) expect(toHex(encodeFrame(strategy.createEncoder(), content))).toBe(toHex(before));
}

describe('lengthPrefix diagrams', () => {
  it('defaults (u32be): 4-byte length of the payload, header stripped', () => {
    const before = cat(hex('00 00 00 0C'), HELLO);
    expect(before.length).toBe(16);
    checkDiagram({}, before, HELLO, HELLO);
    expect(lengthPrefix().name).toBe('u32be');
  });

  it('u16le: 2-byte little-endian length', () => {
    const before = cat(hex('0C 00'), HELLO);
    expect(before.length).toBe(14);
    checkDiagram({ lengthFieldLength: 2, byteOrder: 'little' }, before, HELLO, HELLO);
  });

  it('bytesToStrip 0: the length field stays in the frame', () => {
    const before = cat(hex('00 0C'), HELLO);
    expect(before.length).toBe(14);
    // The encoder is given the content; the decoder returns the kept header with it.
    checkDiagram({ lengthFieldLength: 2, bytesToStrip: 0 }, before, before, HELLO);
  });

  it('lengthIncludesHeader: the length counts its own 2 bytes', () => {
    const before = cat(hex('00 0E'), HELLO);
    expect(before.length).toBe(14);
    checkDiagram({ lengthFieldLength: 2, lengthIncludesHeader: true }, before, HELLO, HELLO);
  });

  it('lengthFieldOffset 2: a 3-byte length after 2 bytes of another header (decode only)', () => {
    const before = cat(hex('CA FE 00 00 0C'), HELLO);
    expect(before.length).toBe(17);
    const options: LengthPrefixOptions = { lengthFieldOffset: 2, lengthFieldLength: 3, bytesToStrip: 0 };
    checkDiagram(options, before, before);
    expect(() => lengthPrefix(options).createEncoder()).toThrow(TypeError);
  });

  it('lengthAdjustment 2: 2 more bytes follow the length than it counts', () => {
    const before = cat(hex('00 00 0C CA FE'), HELLO);
    expect(before.length).toBe(17);
    checkDiagram({ lengthFieldLength: 3, lengthAdjustment: 2, bytesToStrip: 0 }, before, before, cat(hex('CA FE'), HELLO));
  });

  it('offset 1, adjustment 1, strip 3: keep only what follows the length field', () => {
    const before = cat(hex('CA 00 0C FE'), HELLO);
    const after = cat(hex('FE'), HELLO);
    expect([before.length, after.length]).toEqual([16, 13]);
    checkDiagram({ lengthFieldOffset: 1, lengthFieldLength: 2, lengthAdjustment: 1, bytesToStrip: 3 }, before, after);
  });

  it('offset 1, length counts the whole frame, strip 3', () => {
    const before = cat(hex('CA 00 10 FE'), HELLO);
    const after = cat(hex('FE'), HELLO);
    expect([before.length, after.length]).toEqual([16, 13]);
    checkDiagram({ lengthFieldOffset: 1, lengthFieldLength: 2, lengthIncludesHeader: true, bytesToStrip: 3 }, before, after);
  });
});

describe('lengthPrefix options', () => {
  it('rejects invalid options, naming the option, the value and what was expected', () => {
    expect(() => lengthPrefix({ lengthFieldLength: 5 as 4 })).toThrow(
      new RangeError('lengthFieldLength must be 1, 2, 3, 4 or 8 (got 5)'),
    );
    expect(() => lengthPrefix({ byteOrder: 'middle' as 'big' })).toThrow(
      new RangeError(`byteOrder must be 'big' or 'little' (got "middle")`),
    );
    expect(() => lengthPrefix({ lengthFieldOffset: -1 })).toThrow(
      new RangeError('lengthFieldOffset must be a non-negative safe integer (got -1)'),
    );
    expect(() => lengthPrefix({ lengthAdjustment: 0.5 })).toThrow(
      new RangeError('lengthAdjustment must be a safe integer (got 0.5)'),
    );
    expect(() => lengthPrefix({ lengthIncludesHeader: 'yes' as unknown as boolean })).toThrow(
      new TypeError('lengthIncludesHeader must be a boolean (got "yes")'),
    );
    expect(() => lengthPrefix({ lengthFieldOffset: 1, lengthFieldLength: 2, bytesToStrip: 4 })).toThrow(
      new RangeError('bytesToStrip must be an integer from 0 to the header length 3 (got 4)'),
    );
    expect(() => lengthPrefix({ maxFrameLength: -1 })).toThrow(
      new RangeError('maxFrameLength must be a non-negative safe integer (got -1)'),
    );
    expect(() => lengthPrefix(42 as LengthPrefixOptions)).toThrow(
      new TypeError('lengthPrefix() options must be an object (got 42)'),
    );
    expect(() => lengthPrefix({ lengthFieldLength: 1, bytesToStrip: 0, maxFrameLength: 0 })).toThrow(
      new RangeError('maxFrameLength 0 is smaller than the 1 header byte every u8(bytesToStrip=0) frame keeps (bytesToStrip 0)'),
    );
  });

  it('builds a decoder but no encoder when bytes come before the length field', () => {
    const strategy = lengthPrefix({ lengthFieldOffset: 1, lengthFieldLength: 2 });
    expect(decodeChunks(strategy, [hex('ff 00 01 61')]).frames).toEqual([hex('61')]);
    expect(() => strategy.createEncoder()).toThrow(
      new TypeError(
        'u16be(lengthFieldOffset=1) cannot encode: the bytes before the length field (lengthFieldOffset 1) belong to your ' +
          'protocol and the encoder cannot invent them; this configuration is decode-only',
      ),
    );
  });

  it('rejects configurations that can express no frame at all', () => {
    expect(() => lengthPrefix({ lengthFieldLength: 1, lengthAdjustment: -256 })).toThrow(RangeError);
    expect(() => lengthPrefix({ lengthFieldLength: 2, bytesToStrip: 0, maxFrameLength: 1 })).toThrow(
      /maxFrameLength 1 is smaller than the 2 header bytes/,
    );
  });

  it('names non-default layouts after their options', () => {
    expect(lengthPrefix({ lengthFieldLength: 1, byteOrder: 'little' }).name).toBe('u8');
    expect(lengthPrefix({ lengthFieldLength: 3, byteOrder: 'little' }).name).toBe('u24le');
    expect(lengthPrefix({ lengthFieldLength: 8 }).name).toBe('u64be');
    expect(
      lengthPrefix({ lengthFieldLength: 2, lengthFieldOffset: 1, lengthAdjustment: -1, lengthIncludesHeader: true, bytesToStrip: 0 })
        .name,
    ).toBe('u16be(lengthFieldOffset=1,lengthAdjustment=-1,lengthIncludesHeader,bytesToStrip=0)');
  });

  it('caps maxFrameLength at what the field can express, and reports it', () => {
    expect(lengthPrefix({ lengthFieldLength: 1 }).maxFrameLength).toBe(255);
    expect(lengthPrefix({ lengthFieldLength: 2 }).maxFrameLength).toBe(65535);
    expect(lengthPrefix({ lengthFieldLength: 2, maxFrameLength: 100 }).maxFrameLength).toBe(100);
    expect(lengthPrefix({ lengthFieldLength: 3 }).maxFrameLength).toBe(DEFAULT_MAX_FRAME_LENGTH);
    expect(lengthPrefix({ lengthFieldLength: 3, maxFrameLength: 2 ** 25 }).maxFrameLength).toBe(2 ** 24 - 1);
    expect(lengthPrefix().maxFrameLength).toBe(DEFAULT_MAX_FRAME_LENGTH);
    expect(lengthPrefix({ lengthFieldLength: 8, maxFrameLength: Number.MAX_SAFE_INTEGER }).maxFrameLength).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    // A u8 that counts its header: 255 - 1 content bytes at most.
    expect(lengthPrefix({ lengthFieldLength: 1, lengthIncludesHeader: true }).maxFrameLength).toBe(254);
    // A u8 whose value is 2 short of the content: up to 257 bytes.
    expect(lengthPrefix({ lengthFieldLength: 1, lengthAdjustment: 2 }).maxFrameLength).toBe(257);
  });

  it('has maxWireLength = bytesToStrip + maxFrameLength', () => {
    expect(lengthPrefix().maxWireLength).toBe(4 + DEFAULT_MAX_FRAME_LENGTH);
    expect(lengthPrefix({ lengthFieldLength: 2, maxFrameLength: 100 }).maxWireLength).toBe(102);
    expect(lengthPrefix({ lengthFieldLength: 2, bytesToStrip: 0, maxFrameLength: 100 }).maxWireLength).toBe(100);
    expect(lengthPrefix({ lengthFieldOffset: 3, bytesToStrip: 5, maxFrameLength: 100 }).maxWireLength).toBe(105);
  });

  it('is immutable', () => {
    const strategy = lengthPrefix();
    expect(Object.isFrozen(strategy)).toBe(true);
    expect(() => {
      (strategy as { maxFrameLength: number }).maxFrameLength = 1;
    }).toThrow(TypeError);
  });
});

describe('lengthPrefix limits', () => {
  it('checks the limit on the final frame length, after lengthAdjustment (tokio #4815)', () => {
    // The field says 8; with lengthAdjustment 2 the frame is 10 bytes: at the limit.
    const strategy = lengthPrefix({ lengthFieldLength: 1, lengthAdjustment: 2, maxFrameLength: 10 });
    expect(decodeChunks(strategy, [cat(hex('08'), payload(10))]).frames.map((f) => f.length)).toEqual([10]);
    // The field says 9: under the limit by itself, but the frame is 11 bytes.
    const result = decodeChunks(strategy, [hex('09')]);
    expect(result.error).toBeInstanceOf(FrameTooLargeError);
    expect(result.error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', length: 11, maxFrameLength: 10 });
  });

  it('counts kept header bytes in the final frame length', () => {
    // bytesToStrip 0 keeps the 2-byte field: a payload of 9 makes an 11-byte frame.
    const strategy = lengthPrefix({ lengthFieldLength: 2, bytesToStrip: 0, maxFrameLength: 10 });
    expect(decodeChunks(strategy, [cat(hex('00 08'), payload(8))]).frames.map((f) => f.length)).toEqual([10]);
    expect(decodeChunks(strategy, [hex('00 09')]).error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', length: 11 });
    expect(() => strategy.createEncoder().encode(payload(9))).toThrow(FrameTooLargeError);
    expect(strategy.createEncoder().encode(payload(8))).toHaveLength(2);
  });

  it('fails as soon as the header is read, before any payload is buffered', () => {
    const strategy = lengthPrefix({ maxFrameLength: 1000 });
    const decoder = strategy.createDecoder();
    const buffer = new ChunkBuffer();
    buffer.push(hex('00 00 03'));
    expect(decoder.decode(buffer)).toBeUndefined();
    buffer.push(hex('E9'));
    expect(() => decoder.decode(buffer)).toThrow(
      'u32be header declares a frame of 1001 bytes, over the maximum frame length of 1000 bytes',
    );
  });

  it('accepts a frame of exactly the limit and refuses one byte more, both ways', () => {
    const strategy = lengthPrefix({ maxFrameLength: 100 });
    const encoder = strategy.createEncoder();
    const wire = encodeFrame(encoder, payload(100));
    expect(decodeChunks(strategy, [wire]).frames).toEqual([payload(100)]);
    expect(() => encoder.encode(payload(101))).toThrow(
      'u32be cannot encode a payload of 101 bytes: the frame would be 101 bytes, over the maximum frame length of 100 bytes',
    );
    expect(() => lengthPrefix({ maxFrameLength: 1 }).createEncoder().encode(payload(2))).toThrow(
      'u32be cannot encode a payload of 2 bytes: the frame would be 2 bytes, over the maximum frame length of 1 byte',
    );
    const over = encodeFrame(lengthPrefix({ maxFrameLength: 101 }).createEncoder(), payload(101));
    expect(decodeChunks(strategy, [over]).error?.code).toBe('ERR_FRAME_TOO_LARGE');
  });

  it('refuses a payload that does not fit the length field instead of truncating the length (tokio #5080)', () => {
    const encoder = lengthPrefix({ lengthFieldLength: 2 }).createEncoder();
    let error: unknown;
    try {
      encoder.encode(new Uint8Array(70_000));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({
      code: 'ERR_FRAME_TOO_LARGE',
      length: 70_000,
      maxFrameLength: 65_535,
      message: 'u16be cannot encode a payload of 70000 bytes: its 2-byte length field holds at most 65535, so frames are limited to 65535 bytes',
    });
    expect(encoder.encode(new Uint8Array(65_535))[0]).toEqual(hex('FF FF'));
  });

  it('refuses content shorter than a positive lengthAdjustment', () => {
    const encoder = lengthPrefix({ lengthFieldLength: 2, lengthAdjustment: 3 }).createEncoder();
    expect(() => encoder.encode(payload(2))).toThrow(
      expect.objectContaining({ code: 'ERR_UNENCODABLE_PAYLOAD' }) as Error,
    );
    expect(encoder.encode(payload(3))[0]).toEqual(hex('00 00'));
  });

  it('with lengthIncludesHeader too, refuses only content the field cannot count', () => {
    // The field holds content - 10 + 2: content of 7 bytes would need -1.
    const strategy = lengthPrefix({ lengthFieldLength: 2, lengthAdjustment: 10, lengthIncludesHeader: true });
    const encoder = strategy.createEncoder();
    expect(() => encoder.encode(payload(7))).toThrow(
      expect.objectContaining({
        code: 'ERR_UNENCODABLE_PAYLOAD',
        message:
          'u16be(lengthAdjustment=10,lengthIncludesHeader) cannot encode 7 bytes: with lengthAdjustment 10 and ' +
          'lengthIncludesHeader every frame has at least 8 content bytes',
      }) as Error,
    );
    expect(encoder.encode(payload(8))[0]).toEqual(hex('00 00'));
    expect(decodeChunks(strategy, [hex('00 00'), payload(8)]).frames).toEqual([payload(8)]);
    expect(() => lengthPrefix({ lengthAdjustment: 1 }).createEncoder().encode(payload(0))).toThrow(
      'u32be(lengthAdjustment=1) cannot encode 0 bytes: with lengthAdjustment 1 every frame has at least 1 content byte',
    );
  });

  it('reports a length that the adjustment makes negative as a malformed header', () => {
    const strategy = lengthPrefix({ lengthFieldLength: 4, lengthIncludesHeader: true });
    expectEverySplit(strategy, hex('00 00 00 04 00 00 00 03'), { frames: [new Uint8Array(0)], code: 'ERR_MALFORMED_HEADER' });
    expect(decodeChunks(strategy, [hex('00 00 00 03')]).error?.message).toBe(
      'u32be(lengthIncludesHeader) length field holds 3, which leaves -1 content bytes after ' +
        'lengthAdjustment/lengthIncludesHeader (-4); a length cannot be negative',
    );
  });

  it('reads u64 lengths exactly: 2^63 is too large, not garbage', () => {
    for (const [byteOrder, header] of [
      ['big', hex('80 00 00 00 00 00 00 00')],
      ['little', hex('00 00 00 00 00 00 00 80')],
    ] as const) {
      const strategy = lengthPrefix({ lengthFieldLength: 8, byteOrder });
      const result = decodeChunks(strategy, [header]);
      expect(result.error).toBeInstanceOf(FrameTooLargeError);
      expect((result.error as FrameTooLargeError).length).toBe(2n ** 63n);
      expect(result.error?.message).toContain('9223372036854775808 bytes');
    }
    // 2^53 + 1 is not a safe integer: reported exactly as a bigint.
    const result = decodeChunks(lengthPrefix({ lengthFieldLength: 8 }), [hex('00 20 00 00 00 00 00 01')]);
    expect((result.error as FrameTooLargeError).length).toBe(2n ** 53n + 1n);
    // 2^64 - 1, the largest value.
    const max = decodeChunks(lengthPrefix({ lengthFieldLength: 8 }), [hex('FF FF FF FF FF FF FF FF')]);
    expect((max.error as FrameTooLargeError).length).toBe(2n ** 64n - 1n);
  });

  it('brings a huge u64 length back under the limit with an equally huge negative adjustment', () => {
    const strategy = lengthPrefix({ lengthFieldLength: 8, lengthAdjustment: -(2 ** 53 - 1) });
    // 2^53 + 1 - (2^53 - 1) = 2 content bytes.
    expectEverySplit(strategy, hex('00 20 00 00 00 00 00 01 68 69'), { frames: [bytes('hi')] });
    // And the encoder writes that field exactly, past 2^53, in both byte orders.
    expect(strategy.createEncoder().encode(bytes('hi'))[0]).toEqual(hex('00 20 00 00 00 00 00 01'));
    const little = lengthPrefix({ lengthFieldLength: 8, lengthAdjustment: -(2 ** 53 - 1), byteOrder: 'little' });
    expect(little.createEncoder().encode(bytes('hi'))[0]).toEqual(hex('01 00 00 00 00 00 20 00'));
    for (const n of [0, 1, 2, 3, 1000]) {
      expectEverySplit(strategy, cat(...strategy.createEncoder().encode(payload(n))), { frames: [payload(n)] });
    }
  });

  it('reads and writes u64 lengths exactly when lengthIncludesHeader takes the adjustment past -2^53', () => {
    // lengthAdjustment -(2^53 - 1) minus the 8 header bytes is -(2^53 + 7): not a safe integer.
    // Computed as a number it was rounded, and the field 2^53 + 10 gave 2 content bytes, not 3
    // (the encoder wrote 2^53 + 11 for 3 bytes): frames cut one byte short, the stream out of step.
    const strategy = lengthPrefix({ lengthFieldLength: 8, lengthAdjustment: -(2 ** 53 - 1), lengthIncludesHeader: true, maxFrameLength: 16 });
    expectEverySplit(strategy, hex('00 20 00 00 00 00 00 0A 61 62 63 00 20 00 00 00 00 00 07'), { frames: [bytes('abc'), bytes('')] });
    expect(strategy.createEncoder().encode(bytes('abc'))[0]).toEqual(hex('00 20 00 00 00 00 00 0A'));
    for (const n of [0, 1, 2, 3, 16]) {
      expectEverySplit(strategy, cat(...strategy.createEncoder().encode(payload(n))), { frames: [payload(n)] });
    }
    // 2^53 + 6 leaves -1 content bytes: malformed, said exactly.
    const negative = decodeChunks(strategy, [hex('00 20 00 00 00 00 00 06')]);
    expect(negative.error?.code).toBe('ERR_MALFORMED_HEADER');
    expect(negative.error?.message).toContain('leaves -1 content bytes');
  });

  it('reports a frame length past 2^53 exactly, as a bigint, when lengthAdjustment takes it there', () => {
    // 2^32 - 1 + (2^53 - 1) is not a safe integer: FrameTooLargeError.length was a rounded number.
    const result = decodeChunks(lengthPrefix({ lengthAdjustment: 2 ** 53 - 1 }), [hex('FF FF FF FF')]);
    expect(result.error).toBeInstanceOf(FrameTooLargeError);
    expect((result.error as FrameTooLargeError).length).toBe(2n ** 53n + 2n ** 32n - 2n);
    expect(result.error?.message).toContain(`${2n ** 53n + 2n ** 32n - 2n} bytes`);
  });

  it('writes u64 lengths above 2^32 exactly', () => {
    // A lengthAdjustment of -2^40 makes the encoder write 2^40 + 5 for a 5-byte payload.
    const options = { lengthFieldLength: 8, lengthAdjustment: -(2 ** 40), maxFrameLength: 10 } as const;
    expect(lengthPrefix(options).createEncoder().encode(payload(5))[0]).toEqual(hex('00 00 01 00 00 00 00 05'));
    const little = lengthPrefix({ ...options, byteOrder: 'little' });
    expect(little.createEncoder().encode(payload(5))[0]).toEqual(hex('05 00 00 00 00 01 00 00'));
    expectEverySplit(little, cat(hex('05 00 00 00 00 01 00 00'), payload(5)), { frames: [payload(5)] });
    const counting = lengthPrefix({ lengthFieldLength: 8, lengthIncludesHeader: true });
    expect(counting.createEncoder().encode(payload(1))[0]).toEqual(hex('00 00 00 00 00 00 00 09'));
  });

  it('grows memory with the bytes that arrive, never with the declared length (tokio #333)', () => {
    // 100 connections each announce a 1 MiB frame and send 10 bytes of it.
    const strategy = lengthPrefix({ maxFrameLength: 1024 * 1024 });
    const before = process.memoryUsage().arrayBuffers;
    const held: ChunkBuffer[] = [];
    for (let i = 0; i < 100; i++) {
      const decoder = strategy.createDecoder();
      const buffer = new CountingChunkBuffer();
      buffer.push(cat(hex('00 10 00 00'), payload(10)));
      expect(decoder.decode(buffer)).toBeUndefined();
      // Waiting costs the header read only: nothing taken, peeked or copied.
      expect(buffer.bytesInspected).toBe(4);
      held.push(buffer);
    }
    const grown = process.memoryUsage().arrayBuffers - before;
    // 100 × 1 MiB would be 100 MiB; allow generous slack for unrelated allocations.
    expect(grown).toBeLessThan(8 * 1024 * 1024);
    expect(held.reduce((sum, b) => sum + b.length, 0)).toBe(1400);
  });
});

describe('lengthPrefix decoding', () => {
  it('splits every header at every byte position, for every width and order', () => {
    for (const lengthFieldLength of [1, 2, 3, 4, 8] as const) {
      for (const byteOrder of ['big', 'little'] as const) {
        const strategy = lengthPrefix({ lengthFieldLength, byteOrder });
        const frames = [bytes('hi'), new Uint8Array(0), payload(3, 7)];
        expectEverySplit(strategy, encodeAll(strategy, frames), { frames });
      }
    }
  });

  it('reads the fixed vector u32be("hi") = 00 00 00 02 68 69', () => {
    const strategy = lengthPrefix();
    expect(toHex(encodeFrame(strategy.createEncoder(), bytes('hi')))).toBe('00 00 00 02 68 69');
    expectEverySplit(strategy, hex('00 00 00 02 68 69'), { frames: [bytes('hi')] });
  });

  it('delivers zero-length frames', () => {
    const strategy = lengthPrefix({ lengthFieldLength: 2 });
    expectEverySplit(strategy, hex('00 00 00 00 00 01 41 00 00'), {
      frames: [new Uint8Array(0), new Uint8Array(0), bytes('A'), new Uint8Array(0)],
    });
  });

  it('returns the payload as a view when it lies in one chunk', () => {
    const wire = cat(hex('00 00 00 05'), bytes('hello'));
    const buffer = new ChunkBuffer();
    buffer.push(wire);
    const frame = lengthPrefix().createDecoder().decode(buffer)!;
    expect(frame.buffer).toBe(wire.buffer);
    expect(frame.byteOffset).toBe(4);
  });

  it('encodes without copying the payload', () => {
    const data = bytes('hello');
    const parts = lengthPrefix().createEncoder().encode(data);
    expect(parts[1]).toBe(data);
  });

  it('reports a partial header or frame at end of stream as truncated', () => {
    const strategy = lengthPrefix();
    const header = decodeChunks(strategy, [cat(hex('00 00 00 02 68 69'), hex('00 00'))]);
    expect(header.frames).toEqual([bytes('hi')]);
    expect(header.error).toMatchObject({ code: 'ERR_TRUNCATED_FRAME', bufferedBytes: 2 });
    expect(header.error?.message).toBe('stream ended inside a u32be header (2 of 4 bytes received)');
    const body = decodeChunks(strategy, [hex('00 00 00 05 68 69')]);
    expect(body.error).toMatchObject({ code: 'ERR_TRUNCATED_FRAME', bufferedBytes: 6 });
    expect(body.error?.message).toBe('stream ended inside a u32be frame (6 of 9 bytes received)');
    expect(decodeChunks(strategy, []).error).toBeUndefined();
  });

  it('rethrows the same error after failing, without reading the buffer again (tokio #3976)', () => {
    const strategy = lengthPrefix({ maxFrameLength: 10 });
    const decoder = strategy.createDecoder();
    const buffer = new CountingChunkBuffer();
    const first = drive(decoder, buffer, [cat(hex('00 00 00 01 41'), hex('00 00 00 0B'))]);
    expect(first.frames).toEqual([bytes('A')]);
    expect(first.error?.code).toBe('ERR_FRAME_TOO_LARGE');
    buffer.calls = 0;
    for (let i = 0; i < 3; i++) expect(() => decoder.decode(buffer)).toThrow(first.error);
    expect(() => decoder.end(buffer)).toThrow(first.error);
    // A fresh buffer with a valid frame changes nothing: the stream is lost.
    const fresh = new CountingChunkBuffer();
    fresh.push(hex('00 00 00 00'));
    expect(() => decoder.decode(fresh)).toThrow(first.error);
    expect(buffer.calls + fresh.calls).toBe(0);
    expect(buffer.length).toBe(4);
  });

  it('is driven by the Deframer without tripping its buffer cap at exactly the limit', () => {
    const strategy = lengthPrefix({ lengthFieldLength: 2, lengthFieldOffset: 1, bytesToStrip: 1, maxFrameLength: 52 });
    const wire = cat(hex('07 00 32'), payload(50));
    const deframer = new Deframer(strategy);
    const frames: Uint8Array[] = [];
    for (const b of wire) deframer.push(Uint8Array.of(b), (f) => frames.push(f.slice()));
    deframer.end();
    expect(frames).toEqual([cat(hex('00 32'), payload(50))]);
  });

  it('decodes any byte stream identically however it is chunked', () => {
    const strategies: FramingStrategy[] = [
      lengthPrefix({ lengthFieldLength: 1, maxFrameLength: 40 }),
      lengthPrefix({ lengthFieldLength: 2, byteOrder: 'little', lengthAdjustment: -3, maxFrameLength: 40 }),
      lengthPrefix({ lengthFieldLength: 1, lengthFieldOffset: 1, lengthIncludesHeader: true, bytesToStrip: 1 }),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...strategies),
        fc.uint8Array({ maxLength: 120 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (strategy, wire, rawCuts) => {
          const whole = decodeChunks(strategy, [wire]);
          const cuts = [...new Set(rawCuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let from = 0;
          for (const at of cuts) {
            chunks.push(wire.subarray(from, at));
            from = at;
          }
          chunks.push(wire.subarray(from));
          const split = decodeChunks(strategy, chunks);
          expect(split.frames).toEqual(whole.frames);
          expect(split.error?.code).toBe(whole.error?.code);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('lengthPrefix round trip', () => {
  it('decodes what it encodes, for any layout, payloads and chunking', () => {
    const layout = fc.record({
      lengthFieldLength: fc.constantFrom<1 | 2 | 3 | 4 | 8>(1, 2, 3, 4, 8),
      byteOrder: fc.constantFrom<'big' | 'little'>('big', 'little'),
      lengthAdjustment: fc.integer({ min: -4, max: 0 }),
      lengthIncludesHeader: fc.boolean(),
    });
    fc.assert(
      fc.property(
        layout,
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }),
        fc.integer({ min: 1, max: 17 }),
        (options, payloads, chunkSize) => {
          const strategy = lengthPrefix(options);
          const wire = encodeAll(strategy, payloads);
          const chunks: Uint8Array[] = [];
          for (let i = 0; i < wire.length; i += chunkSize) chunks.push(wire.subarray(i, i + chunkSize));
          const result = decodeChunks(strategy, chunks);
          expect(result.error).toBeUndefined();
          expect(result.frames).toEqual(payloads);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/**
 * How Netty's LengthFieldBasedFrameDecoder and tokio's LengthDelimitedCodec cut one frame from
 * `wire`, modelled on their decode code: Netty takes `field + lengthAdjustment` bytes after the
 * length field, then strips `initialBytesToStrip`; tokio skips `num_skip` bytes, then takes
 * `field + length_adjustment` bytes.
 */
interface PeerLayout {
  offset: number;
  width: 1 | 2 | 3 | 4 | 8;
  adjustment: number;
  strip: number;
}
function readField(wire: Uint8Array, { offset, width }: PeerLayout): number {
  let value = 0;
  for (let k = 0; k < width; k++) value = value * 256 + wire[offset + k]!;
  return value;
}
const nettyFrame = (wire: Uint8Array, l: PeerLayout): Uint8Array =>
  wire.subarray(l.strip, l.offset + l.width + readField(wire, l) + l.adjustment);
const tokioFrame = (wire: Uint8Array, l: PeerLayout): Uint8Array =>
  wire.subarray(l.strip, l.strip + readField(wire, l) + l.adjustment);

describe('lengthPrefix and its peers (README: the options map onto Netty and tokio)', () => {
  const layouts = fc
    .record({
      offset: fc.integer({ min: 0, max: 3 }),
      width: fc.constantFrom<1 | 2 | 3 | 4 | 8>(1, 2, 3, 4, 8),
      extra: fc.integer({ min: 0, max: 3 }),
      stripSeed: fc.nat(),
      content: fc.integer({ min: 0, max: 40 }),
    })
    .map(({ offset, width, extra, stripSeed, content }) => ({ offset, width, extra, strip: stripSeed % (offset + width + 1), content }));

  it("reads Netty's frames with Netty's arguments, one for one", () => {
    fc.assert(
      fc.property(layouts, ({ offset, width, extra, strip, content }) => {
        // A length field that counts the content but not `extra` bytes of it: lengthAdjustment = extra.
        const wire = cat(new Uint8Array(offset).fill(0xca), hex(content.toString(16).padStart(2 * width, '0')), payload(content + extra, 3));
        const netty = nettyFrame(wire, { offset, width, adjustment: extra, strip });
        const ours = lengthPrefix({ lengthFieldOffset: offset, lengthFieldLength: width, lengthAdjustment: extra, bytesToStrip: strip });
        expect(decodeChunks(ours, [wire]).frames.map(toHex)).toEqual([toHex(netty)]);
      }),
    );
  });

  it("reads tokio's frames with length_adjustment less the header bytes num_skip keeps", () => {
    // tokio's length_adjustment counts from where num_skip stops, not from the end of the length
    // field: with num_skip(0), a u16 field counting the payload needs length_adjustment(2).
    fc.assert(
      fc.property(layouts, ({ offset, width, extra, strip, content }) => {
        const header = offset + width;
        const adjustment = extra + (header - strip);
        const wire = cat(new Uint8Array(offset).fill(0xca), hex(content.toString(16).padStart(2 * width, '0')), payload(content + extra, 3));
        const tokio = tokioFrame(wire, { offset, width, adjustment, strip });
        const ours = lengthPrefix({
          lengthFieldOffset: offset,
          lengthFieldLength: width,
          lengthAdjustment: adjustment - (header - strip),
          bytesToStrip: strip,
        });
        expect(decodeChunks(ours, [wire]).frames.map(toHex)).toEqual([toHex(tokio)]);
      }),
    );
    // tokio's own example: .length_field_type::<u16>().length_adjustment(2).num_skip(0) keeps the head.
    const wire = cat(hex('00 0B'), bytes('Hello world'));
    const ours = lengthPrefix({ lengthFieldLength: 2, lengthAdjustment: 2 - 2, bytesToStrip: 0 });
    expect(decodeChunks(ours, [wire]).frames.map(toHex)).toEqual([toHex(tokioFrame(wire, { offset: 0, width: 2, adjustment: 2, strip: 0 }))]);
  });
});
