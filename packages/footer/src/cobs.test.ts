import { ChunkBuffer, DEFAULT_MAX_FRAME_LENGTH, FrameTooLargeError, MalformedFrameError, encodeFrame } from '@framewire/chunk-buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountingChunkBuffer } from '@framewire/conformance';
import { concat, decodeEverySplit, encodeAll, fill, hex, run, toHex } from '../test/helpers.js';
import { cobs } from './cobs.js';

const range = (from: number, to: number): Uint8Array => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

// The examples of Cheshire & Baker's paper as Wikipedia's COBS article tabulates them, each
// followed by the 00 terminator.
const VECTORS: [string, Uint8Array, Uint8Array][] = [
  ['00', hex('00'), hex('01 01 00')],
  ['00 00', hex('00 00'), hex('01 01 01 00')],
  ['00 11 00', hex('00 11 00'), hex('01 02 11 01 00')],
  ['11 22 00 33', hex('11 22 00 33'), hex('03 11 22 02 33 00')],
  ['11 22 33 44', hex('11 22 33 44'), hex('05 11 22 33 44 00')],
  ['11 00 00 00', hex('11 00 00 00'), hex('02 11 01 01 01 00')],
  ['01 … fe (254 non-zero bytes)', range(0x01, 0xfe), concat(hex('ff'), range(0x01, 0xfe), hex('00'))],
  ['00 … fe (255 bytes)', range(0x00, 0xfe), concat(hex('01 ff'), range(0x01, 0xfe), hex('00'))],
  ['01 … ff (255 non-zero bytes)', range(0x01, 0xff), concat(hex('ff'), range(0x01, 0xfe), hex('02 ff 00'))],
  ['02 … ff 00 (255 bytes)', concat(range(0x02, 0xff), hex('00')), concat(hex('ff'), range(0x02, 0xff), hex('01 01 00'))],
  ['03 … ff 00 01 (255 bytes)', concat(range(0x03, 0xff), hex('00 01')), concat(hex('fe'), range(0x03, 0xff), hex('02 01 00'))],
];

describe('cobs: the paper\'s examples, byte for byte', () => {
  for (const [name, payload, wire] of VECTORS) {
    it(`${name} → ${wire.length} bytes`, () => {
      expect(toHex(encodeFrame(cobs().createEncoder(), payload))).toBe(toHex(wire));
      const r = wire.length <= 40 ? decodeEverySplit(cobs(), wire) : run(cobs(), [wire]);
      expect(r.frames.map(toHex)).toEqual([toHex(payload)]);
      expect(r.error).toBeUndefined();
    });
  }

  it('diagram: 11 22 00 33 → 03 11 22 02 33 00; 00 → 01 01 00; empty → 01 00', () => {
    const wire = encodeAll(cobs(), [hex('11 22 00 33'), hex('00'), hex('')]);
    expect(toHex(wire)).toBe('03 11 22 02 33 00 01 01 00 01 00');
    expect(decodeEverySplit(cobs(), wire).frames.map(toHex)).toEqual(['11 22 00 33', '00', '']);
  });

  it('long vectors decode the same whatever the chunking', () => {
    for (const [, payload, wire] of VECTORS.slice(6)) {
      for (const size of [1, 7, 254, 255, 256]) {
        const chunks: Uint8Array[] = [];
        for (let at = 0; at < wire.length; at += size) chunks.push(wire.subarray(at, at + size));
        expect(run(cobs(), chunks).frames.map(toHex)).toEqual([toHex(payload)]);
      }
    }
  });
});

describe('cobs: round trip', () => {
  it('any payloads, any chunking (1,000 runs)', () => {
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.uint8Array({ minLength: 250, maxLength: 800 }),
      fc.array(fc.constantFrom(0x00, 0x01, 0xfe, 0xff), { maxLength: 600 }).map((a) => Uint8Array.from(a)),
    );
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }), (payloads, sizes) => {
        const wire = encodeAll(cobs(), payloads);
        const chunks: Uint8Array[] = [];
        for (let at = 0, k = 0; at < wire.length; k++) {
          const next = at + sizes[k % sizes.length]!;
          chunks.push(wire.subarray(at, next));
          at = next;
        }
        const r = run(cobs(), chunks);
        expect(r.error).toBeUndefined();
        expect(r.frames.map(toHex)).toEqual(payloads.map(toHex));
      }),
      { numRuns: 1000 },
    );
  });

  it('frames of several blocks, with and without FF blocks, in one chunk or many', () => {
    const payloads = [
      concat(fill(40, 7), hex('00'), fill(20, 8), hex('00 00'), fill(3, 9)),
      concat(hex('00'), fill(300, 5), hex('00'), fill(254, 6), hex('00')),
      concat(fill(254, 1), fill(254, 2), hex('00')),
      hex('00 00 00'),
    ];
    const wire = encodeAll(cobs(), payloads);
    for (const size of [wire.length, 256, 17, 1]) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < wire.length; at += size) chunks.push(wire.subarray(at, at + size));
      const r = run(cobs(), chunks);
      expect(r.error).toBeUndefined();
      expect(r.frames.map(toHex)).toEqual(payloads.map(toHex));
    }
  });

  it('the encoded form never contains 00 before its terminator, and its overhead is max(1, ⌈n/254⌉)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (payload) => {
        const wire = encodeFrame(cobs().createEncoder(), payload);
        expect(wire.indexOf(0)).toBe(wire.length - 1);
        expect(wire.length - 1 - payload.length).toBeLessThanOrEqual(Math.max(1, Math.ceil(payload.length / 254)));
      }),
      { numRuns: 1000 },
    );
  });

  it('a payload in one code block comes back as a view of the received chunk', () => {
    const wire = hex('04 61 62 63 00 03 11 22 02 33 00');
    const buffer = new ChunkBuffer();
    buffer.push(wire);
    const dec = cobs().createDecoder();
    const first = dec.decode(buffer)!;
    expect(toHex(first)).toBe('61 62 63');
    expect(first.buffer).toBe(wire.buffer);
    const second = dec.decode(buffer)!;
    expect(toHex(second)).toBe('11 22 00 33');
    expect(second.buffer).not.toBe(wire.buffer);
  });
});

describe('cobs: bad input', () => {
  it('a code byte that runs past the terminator is a recoverable ERR_MALFORMED_FRAME; the next frame comes out', () => {
    const wire = hex('02 61 00 05 61 62 00 02 62 00');
    const r = decodeEverySplit(cobs(), wire);
    expect(r.frames.map(toHex)).toEqual(['61', '62']);
    expect(r.recovered).toHaveLength(1);
    expect(r.recovered[0]).toBeInstanceOf(MalformedFrameError);
    expect(r.recovered[0]!.recoverable).toBe(true);
    expect(r.recovered[0]!.message).toMatch(/COBS code 0x05 at offset 0 announces 4 data bytes, but the frame ends 2 bytes later/);
    expect(r.recoveredAt).toEqual([1]);
    // One byte is one byte: "announces 1 data byte, but the frame ends 0 bytes later".
    const one = decodeEverySplit(cobs(), hex('02 00'));
    expect(one.recovered[0]?.message ?? one.error?.message).toBe(
      'COBS code 0x02 at offset 0 announces 1 data byte, but the frame ends 0 bytes later; frame dropped',
    );
    const after = decodeEverySplit(cobs(), hex('03 61 00'));
    expect(after.recovered[0]?.message ?? after.error?.message).toBe(
      'COBS code 0x03 at offset 0 announces 2 data bytes, but the frame ends 1 byte later; frame dropped',
    );
  });

  it('a frame that spans chunks (decoded block by block out of them) is checked as one in a single chunk: a block past the end, a length over the limit', () => {
    // 300 × 61, 00, 100 × 62 encode as blocks FF (254 bytes), 2F (46 bytes, then 00), 65 (100 bytes).
    const wire = encodeAll(cobs(), [concat(fill(300, 0x61), hex('00'), fill(100, 0x62))]);
    expect([wire[0], wire[255], wire[302], wire.length]).toEqual([0xff, 0x2f, 0x65, 404]);
    const bad = concat(wire, hex('02 63 00'));
    bad[302] = 0x66;
    // Zeros only: 302 code bytes 01 decode to 301 bytes, one over a limit of 300, in fewer
    // encoded bytes than prove it while the terminator is still to come.
    const over = concat(encodeAll(cobs(), [fill(301, 0)]), hex('02 63 00'));
    const cases = [
      { strategy: cobs(), wire: bad, message: 'COBS code 0x66 at offset 302 announces 101 data bytes, but the frame ends 100 bytes later; frame dropped' },
      { strategy: cobs({ maxFrameLength: 300, onTooLong: 'discard' }), wire: over, message: 'frame decodes to 301 bytes, over the maximum frame length of 300 bytes; dropping the frame' },
    ];
    // Chunks that are copies of their own, as socket reads are, and views of one buffer back to back.
    for (const { strategy, wire: stream, message } of cases) {
      const split = [
        [stream],
        [stream.slice(0, 200), stream.slice(200)],
        [stream.subarray(0, 200), stream.subarray(200)],
        Array.from(stream, (b) => Uint8Array.of(b)),
      ];
      for (const chunks of split) {
        const r = run(strategy, chunks);
        expect(r.recovered.map((e) => e.message), `${chunks.length} chunks`).toEqual([message]);
        expect(r.frames.map(toHex)).toEqual(['63']);
        expect(r.error).toBeUndefined();
      }
    }
    const failing = run(cobs({ maxFrameLength: 300 }), [over.slice(0, 100), over.slice(100)]);
    expect(failing.error).toBeInstanceOf(FrameTooLargeError);
    expect(failing.error).toMatchObject({ length: 301, recoverable: false });
  });

  it('a bare 00 (an empty encoded frame) is skipped', () => {
    expect(decodeEverySplit(cobs(), hex('00 00 02 61 00 00 01 00')).frames.map(toHex)).toEqual(['61', '']);
  });

  it('leftover bytes at end of stream are ERR_TRUNCATED_FRAME, after the complete frames', () => {
    const r = decodeEverySplit(cobs(), hex('02 61 00 03 61'));
    expect(r.frames.map(toHex)).toEqual(['61']);
    expect(r.error?.code).toBe('ERR_TRUNCATED_FRAME');
    expect(r.error?.message).toMatch(/2 bytes without a 00 terminator/);
    expect(run(cobs(), [hex('02 61 00 03')]).error?.message).toBe('stream ended inside a COBS frame: 1 byte without a 00 terminator');
  });

  it('an error is reported once: after an unrecoverable one, calls rethrow it without reading', () => {
    const dec = cobs({ maxFrameLength: 2 }).createDecoder();
    const buffer = new CountingChunkBuffer();
    buffer.push(hex('04 61 62 63 00'));
    let first: unknown;
    try {
      dec.decode(buffer);
    } catch (error) {
      first = error;
    }
    expect(first).toBeInstanceOf(FrameTooLargeError);
    buffer.bytesInspected = 0;
    expect(() => dec.decode(buffer)).toThrow(first);
    expect(() => dec.end(buffer)).toThrow(first);
    expect(buffer.bytesInspected).toBe(0);
  });
});

describe('cobs: limits (on the decoded payload)', () => {
  it('default 8 MiB; maxWireLength is the longest valid frame, terminator included', () => {
    expect(cobs().maxFrameLength).toBe(DEFAULT_MAX_FRAME_LENGTH);
    expect(cobs({ maxFrameLength: 254 }).maxWireLength).toBe(257);
    expect(cobs({ maxFrameLength: 0 }).maxWireLength).toBe(2);
  });

  it('a payload of exactly the limit passes, zeros or not; one byte more fails on both sides', () => {
    for (const max of [0, 1, 253, 254, 255, 508, 600]) {
      const s = cobs({ maxFrameLength: max });
      for (const byte of [0x00, 0x61]) {
        expect(run(s, [encodeAll(s, [fill(max, byte)])]).frames.map((f) => f.length)).toEqual([max]);
        const over = encodeAll(cobs(), [fill(max + 1, byte)]);
        expect(run(s, [over]).error?.code, `max ${max}, byte ${byte}`).toBe('ERR_FRAME_TOO_LARGE');
        expect(() => s.createEncoder().encode(fill(max + 1, byte))).toThrow(FrameTooLargeError);
      }
    }
  });

  it('fails as soon as the encoded bytes without a terminator prove the decoded payload too long', () => {
    for (const max of [0, 1, 100, 253, 254, 255, 1000]) {
      // The fewest encoded bytes that prove it: all-FF blocks decode to the least.
      let proof = 1;
      while (proof - Math.ceil(proof / 255) <= max) proof++;
      const s = cobs({ maxFrameLength: max });
      expect(s.maxWireLength).toBe(proof);
      const stream = concat(hex('ff'), fill(254, 0x61)).subarray(0, 255);
      const wire = new Uint8Array(proof + 10);
      for (let at = 0; at < wire.length; at += 255) wire.set(stream.subarray(0, Math.min(255, wire.length - at)), at);
      const r = run(s, Array.from(wire, (b) => Uint8Array.of(b)));
      expect(r.error?.code).toBe('ERR_FRAME_TOO_LARGE');
      expect(r.fedAtError).toBe(proof);
      expect(r.maxBuffered).toBeLessThanOrEqual(proof);
    }
  });

  it('a non-canonical encoding within the limit is accepted (FF block then an empty block)', () => {
    const wire = concat(hex('ff'), fill(254, 0x61), hex('01 00'));
    expect(run(cobs({ maxFrameLength: 254 }), [wire]).frames.map((f) => f.length)).toEqual([254]);
  });

  it("'discard': one recoverable error per oversized frame, then the next frames", () => {
    const s = cobs({ maxFrameLength: 3, onTooLong: 'discard' });
    const big = encodeAll(cobs(), [fill(4, 0x61)]);
    const huge = encodeAll(cobs(), [fill(1000, 0x62)]);
    const wire = concat(encodeAll(s, [hex('01')]), big, encodeAll(s, [hex('02')]), huge, encodeAll(s, [hex('03')]));
    const r = decodeEverySplit(s, wire);
    expect(r.frames.map(toHex)).toEqual(['01', '02', '03']);
    expect(r.recovered.map((e) => e.code)).toEqual(['ERR_FRAME_TOO_LARGE', 'ERR_FRAME_TOO_LARGE']);
    expect(r.maxBuffered).toBeLessThanOrEqual(wire.length);
    const chunked = run(s, Array.from({ length: Math.ceil(huge.length / 10) }, (_, i) => huge.subarray(10 * i, 10 * i + 10)));
    expect(chunked.recovered).toHaveLength(1);
    expect(chunked.maxBuffered).toBeLessThanOrEqual(s.maxWireLength + 10);
  });

  it('decoding work is linear: a long frame in 1-byte chunks is scanned once', () => {
    const wire = encodeAll(cobs(), [fill(65536, 0x61)]);
    const buffer = new CountingChunkBuffer();
    const r = run(cobs(), Array.from(wire, (b) => Uint8Array.of(b)), buffer);
    expect(r.frames).toHaveLength(1);
    expect(buffer.bytesInspected).toBeLessThanOrEqual(3 * wire.length);
  });
});

describe('cobs: options', () => {
  it('is named cobs and validates its options', () => {
    expect(cobs().name).toBe('cobs');
    expect(Object.isFrozen(cobs())).toBe(true);
    expect(() => cobs({ maxFrameLength: 1.5 })).toThrow(/maxFrameLength must be a non-negative safe integer \(got 1.5\)/);
    expect(() => cobs({ onTooLong: 'skip' as 'fail' })).toThrow(/onTooLong must be 'fail' or 'discard' \(got "skip"\)/);
    expect(() => cobs(null as unknown as undefined)).toThrow(/cobs options must be an object \(got null\)/);
  });
});
