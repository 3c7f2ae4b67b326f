import { ChunkBuffer, DEFAULT_MAX_FRAME_LENGTH, FrameTooLargeError, MalformedFrameError, UnencodablePayloadError, encodeFrame } from '@framewire/chunk-buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountingChunkBuffer } from '@framewire/conformance';
import { concat, decodeEverySplit, encodeAll, fill, hex, outcome, run, text, toHex } from '../test/helpers.js';
import { cobs } from './cobs.js';
import { slip } from './slip.js';

describe('slip: RFC 1055, byte for byte', () => {
  it('END (c0) in the payload is sent as ESC ESC_END (db dc)', () => {
    expect(toHex(encodeFrame(slip().createEncoder(), hex('c0')))).toBe('c0 db dc c0');
    expect(decodeEverySplit(slip(), hex('c0 db dc c0')).frames.map(toHex)).toEqual(['c0']);
  });

  it('ESC (db) in the payload is sent as ESC ESC_ESC (db dd)', () => {
    expect(toHex(encodeFrame(slip().createEncoder(), hex('db')))).toBe('c0 db dd c0');
    expect(decodeEverySplit(slip(), hex('c0 db dd c0')).frames.map(toHex)).toEqual(['db']);
  });

  it('diagram: 01 c0 db 02 → c0 01 db dc db dd 02 c0 (8 bytes)', () => {
    const wire = encodeAll(slip(), [hex('01 c0 db 02')]);
    expect(toHex(wire)).toBe('c0 01 db dc db dd 02 c0');
    expect(decodeEverySplit(slip(), wire).frames.map(toHex)).toEqual(['01 c0 db 02']);
  });

  it('diagram: with leadingEnd: false, 01 c0 db 02 → 01 db dc db dd 02 c0 (7 bytes)', () => {
    const s = slip({ leadingEnd: false });
    const wire = encodeAll(s, [hex('01 c0 db 02')]);
    expect(toHex(wire)).toBe('01 db dc db dd 02 c0');
    expect(decodeEverySplit(s, wire).frames.map(toHex)).toEqual(['01 c0 db 02']);
  });

  it('dc and dd alone are data', () => {
    expect(decodeEverySplit(slip(), hex('dc dd c0 dd c0')).frames.map(toHex)).toEqual(['dc dd', 'dd']);
  });

  it('a payload without c0 or db is passed through as parts, not copied', () => {
    const payload = text('hello');
    const parts = slip().createEncoder().encode(payload);
    expect(parts.map(toHex)).toEqual(['c0', toHex(payload), 'c0']);
    expect(parts[1]).toBe(payload);
    expect(slip({ leadingEnd: false }).createEncoder().encode(payload)[0]).toBe(payload);
  });

  it('a frame without escapes comes back as a view of the received chunk', () => {
    const wire = hex('c0 61 62 c0 c0 db dc c0');
    const buffer = new ChunkBuffer();
    buffer.push(wire);
    const dec = slip().createDecoder();
    const plain = dec.decode(buffer)!;
    expect(toHex(plain)).toBe('61 62');
    expect(plain.buffer).toBe(wire.buffer);
    expect(toHex(dec.decode(buffer)!)).toBe('c0');
  });
});

describe('slip: empty frames and zero-length payloads', () => {
  it('empty frames (END END, line noise, the leading END) are ignored, as RFC 1055 receivers do', () => {
    expect(decodeEverySplit(slip(), hex('c0 c0 c0 61 c0 c0 c0 62 c0 c0')).frames.map(toHex)).toEqual(['61', '62']);
  });

  it('the encoder refuses an empty payload (the peer would drop it)', () => {
    expect(() => slip().createEncoder().encode(new Uint8Array(0))).toThrow(UnencodablePayloadError);
    expect(() => slip().createEncoder().encode(new Uint8Array(0))).toThrow(/cannot carry an empty payload/);
  });

  it('the leading END ends line noise instead of gluing it to the next frame', () => {
    const noise = hex('13 37');
    const withLeading = run(slip(), [concat(noise, encodeAll(slip(), [text('ok')]))]);
    expect(withLeading.frames.map(toHex)).toEqual(['13 37', toHex(text('ok'))]);
    const without = run(slip(), [concat(noise, encodeAll(slip({ leadingEnd: false }), [text('ok')]))]);
    expect(without.frames.map(toHex)).toEqual(['13 37 6f 6b']);
  });
});

describe('slip: round trip', () => {
  it('any non-empty payloads, any chunking, both encoder forms (1,000 runs)', () => {
    const payload = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 60 }),
      fc.array(fc.constantFrom(0xc0, 0xdb, 0xdc, 0xdd, 0x00), { minLength: 1, maxLength: 100 }).map((a) => Uint8Array.from(a)),
    );
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 5 }), fc.boolean(), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 }), (payloads, leadingEnd, sizes) => {
        const s = slip({ leadingEnd });
        const wire = encodeAll(s, payloads);
        const chunks: Uint8Array[] = [];
        for (let at = 0, k = 0; at < wire.length; k++) {
          const next = at + sizes[k % sizes.length]!;
          chunks.push(wire.subarray(at, next));
          at = next;
        }
        const r = run(s, chunks);
        expect(r.error).toBeUndefined();
        expect(r.frames.map(toHex)).toEqual(payloads.map(toHex));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('slip: unescaping', () => {
  it('long and short runs around escapes, escapes first and last, in one chunk or many', () => {
    const a = (n: number): Uint8Array => fill(n, 0x61);
    const payloads = [
      concat(a(40), hex('c0'), a(20), hex('db'), a(3), hex('c0 c0'), a(30)),
      concat(hex('db'), a(17), hex('c0')),
      concat(a(16), hex('db'), a(16), hex('c0'), a(17)),
      hex('c0 db c0 db'),
    ];
    const s = slip();
    const wire = encodeAll(s, payloads);
    for (const size of [wire.length, 64, 17, 7, 1]) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < wire.length; at += size) chunks.push(wire.subarray(at, at + size));
      const r = run(s, chunks);
      expect(r.error).toBeUndefined();
      expect(r.frames.map(toHex)).toEqual(payloads.map(toHex));
    }
  });
});

describe('slip: small frames with a few escapes (decoded by one slice)', () => {
  // Payloads of 1–66 bytes with escaped bytes at the given places, filler bytes all different so
  // that a byte moved one place too far or too short shows.
  const payload = (length: number, escaped: readonly number[]): Uint8Array => {
    const p = Uint8Array.from({ length }, (_, k) => 1 + (k % 0xbf));
    escaped.forEach((at, n) => (p[at] = n % 2 === 0 ? 0xc0 : 0xdb));
    return p;
  };
  // Every placement of `escapes` escaped bytes in payloads of the given lengths, at the places
  // `where` allows.
  const cases = (lengths: Iterable<number>, escapes: number, where = (_at: number, _length: number) => true): Uint8Array[] => {
    const out: Uint8Array[] = [];
    const place = (length: number, from: number, chosen: number[]): void => {
      if (chosen.length === escapes) out.push(payload(length, chosen));
      else for (let at = from; at < length; at++) if (where(at, length)) place(length, at + 1, [...chosen, at]);
    };
    for (const length of lengths) place(length, 0, []);
    return out;
  };
  const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);

  // Each frame decoded by the window's hot path (all in one chunk, after the first) and as the
  // first frame of its chunk (one chunk per frame); the frames are checked once all are decoded.
  const check = (payloads: readonly Uint8Array[]): void => {
    const s = slip();
    const enc = s.createEncoder();
    const wires = payloads.map((p) => encodeFrame(enc, p));
    for (const chunks of [[concat(...wires)], wires.map((w) => w.slice())]) {
      const buffer = new ChunkBuffer();
      const dec = s.createDecoder();
      const frames: Uint8Array[] = [];
      for (const chunk of chunks) {
        buffer.push(chunk);
        for (let f = dec.decode(buffer); f !== undefined; f = dec.decode(buffer)) frames.push(f);
      }
      expect(dec.end(buffer)).toBeUndefined();
      // Escaped frames are copies: zeroing the received bytes (no payload has a 00) changes none.
      for (const chunk of chunks) chunk.fill(0);
      expect(frames.length).toBe(payloads.length);
      const wrong = frames.flatMap((f, k) => (toHex(f) === toHex(payloads[k]!) ? [] : [`${toHex(payloads[k]!)} → ${toHex(f)}`]));
      expect(wrong.slice(0, 5)).toEqual([]);
    }
  };

  it('one escape at every place, payloads of 1 to 66 bytes', () => {
    check(cases(range(1, 66), 1));
  });
  it('two escapes at every pair of places, payloads of 2 to 66 bytes', () => {
    check(cases(range(2, 66), 2));
  });
  it('three escapes: every triple up to 16 bytes, near the ends and the middle up to 66', () => {
    check(cases(range(3, 16), 3));
    const near = (at: number, length: number): boolean => at < 3 || at >= length - 3 || Math.abs(at - (length >> 1)) < 2;
    check(cases(range(17, 66), 3, near));
  });

  it('a bad second or third escape is a recoverable ERR_MALFORMED_FRAME; the next frame comes out', () => {
    for (const bad of ['61 db dc 62 db 63', '61 db dd db', 'db dc 62 db dd 63 db 00 64']) {
      const r = decodeEverySplit(slip(), hex(`c0 ${bad} c0 65 db dc c0`));
      expect(r.recovered.map((e) => e.code), bad).toEqual(['ERR_MALFORMED_FRAME']);
      expect(r.frames.map(toHex), bad).toEqual(['65 c0']);
    }
  });
});

describe('slip: bad input', () => {
  it('ESC followed by anything but dc or dd is a recoverable ERR_MALFORMED_FRAME; the next frame comes out', () => {
    const r = decodeEverySplit(slip(), hex('c0 61 c0 62 db 61 63 c0 64 c0'));
    expect(r.frames.map(toHex)).toEqual(['61', '64']);
    expect(r.recovered).toHaveLength(1);
    expect(r.recovered[0]).toBeInstanceOf(MalformedFrameError);
    expect(r.recovered[0]!.recoverable).toBe(true);
    expect(r.recovered[0]!.message).toMatch(/invalid SLIP escape db 61 at offset 1/);
    expect(r.recoveredAt).toEqual([1]);
  });

  it('ESC right before END is a recoverable ERR_MALFORMED_FRAME', () => {
    const r = decodeEverySplit(slip(), hex('61 db c0 62 c0'));
    expect(r.frames.map(toHex)).toEqual(['62']);
    expect(r.recovered.map((e) => e.code)).toEqual(['ERR_MALFORMED_FRAME']);
    expect(r.recovered[0]!.message).toMatch(/ends with ESC \(db\) at offset 1/);
  });

  it('a frame with escapes that spans chunks (unescaped in the copy that gathers it) is checked as one in a single chunk', () => {
    // 100 × 61, an escaped END, 100 × 62, then the bad part; the next frame is 63.
    const body = concat(fill(100, 0x61), hex('db dc'), fill(100, 0x62));
    const cases = [
      { strategy: slip(), bad: hex('db 61'), message: 'invalid SLIP escape db 61 at offset 202 (ESC must be followed by dc or dd); frame dropped' },
      { strategy: slip(), bad: hex('db'), message: 'SLIP frame ends with ESC (db) at offset 202, right before END; frame dropped' },
      // Too long and malformed: reported as too long (byte by byte the scan says so before the
      // END comes, in words of its own: not checked here).
      {
        strategy: slip({ maxFrameLength: 201, onTooLong: 'discard' }),
        bad: hex('db 61'),
        message: 'frame decodes to at least 202 bytes, over the maximum frame length of 201 bytes; dropping the frame',
        endInView: true,
      },
    ];
    for (const { strategy, bad, message, endInView } of cases) {
      const stream = concat(hex('c0'), body, bad, hex('c0 63 c0'));
      const split = [
        [stream],
        [stream.slice(0, 150), stream.slice(150)],
        [stream.subarray(0, 150), stream.subarray(150)],
        ...(endInView === true ? [] : [Array.from(stream, (b) => Uint8Array.of(b))]),
      ];
      for (const chunks of split) {
        const r = run(strategy, chunks);
        expect(r.recovered.map((e) => e.message), `${message}, ${chunks.length} chunks`).toEqual([message]);
        expect(r.frames.map(toHex)).toEqual(['63']);
        expect(r.error).toBeUndefined();
      }
    }
  });

  it('ESC ESC is malformed too', () => {
    const r = decodeEverySplit(slip(), hex('db db dd c0 62 c0'));
    expect(r.frames.map(toHex)).toEqual(['62']);
    expect(r.recovered).toHaveLength(1);
  });

  it('leftover bytes at end of stream are ERR_TRUNCATED_FRAME, after the complete frames', () => {
    const r = decodeEverySplit(slip(), hex('c0 61 c0 c0 62'));
    expect(r.frames.map(toHex)).toEqual(['61']);
    expect(r.error?.code).toBe('ERR_TRUNCATED_FRAME');
    expect(r.error?.message).toMatch(/: 1 byte without an END/);
  });

  it('an error is reported once: after an unrecoverable one, calls rethrow it without reading', () => {
    const dec = slip({ maxFrameLength: 1 }).createDecoder();
    const buffer = new CountingChunkBuffer();
    buffer.push(hex('61 62 c0'));
    let first: unknown;
    try {
      dec.decode(buffer);
    } catch (error) {
      first = error;
    }
    expect((first as Error).name).toBe('FrameTooLargeError');
    buffer.bytesInspected = 0;
    expect(() => dec.decode(buffer)).toThrow(first);
    expect(() => dec.end(buffer)).toThrow(first);
    expect(buffer.bytesInspected).toBe(0);
  });
});

describe('slip: limits (on the decoded payload)', () => {
  it('default 8 MiB; maxWireLength allows every byte escaped plus two ENDs', () => {
    expect(slip().maxFrameLength).toBe(DEFAULT_MAX_FRAME_LENGTH);
    expect(slip({ maxFrameLength: 10 }).maxWireLength).toBe(22);
  });

  it('a payload of exactly the limit passes, escaped or not; one byte more fails on both sides', () => {
    for (const max of [1, 2, 10]) {
      const s = slip({ maxFrameLength: max });
      for (const byte of [0x61, 0xc0, 0xdb]) {
        const wire = encodeAll(s, [fill(max, byte)]);
        expect(decodeEverySplit(s, wire).frames.map((f) => f.length)).toEqual([max]);
        const over = encodeAll(slip(), [fill(max + 1, byte)]);
        expect(decodeEverySplit(s, over).error?.code).toBe('ERR_FRAME_TOO_LARGE');
        expect(() => s.createEncoder().encode(fill(max + 1, byte))).toThrow(/payload of \d+ bytes exceeds the maximum frame length/);
      }
    }
  });

  it('fails as soon as the bytes seen, escapes counted, decode to more than the limit', () => {
    const s = slip({ maxFrameLength: 4 });
    // Four escaped bytes (8 wire bytes) still fit; the ninth wire byte (a fifth payload byte) does not.
    const wire = concat(hex('c0'), hex('db dc db dd db dc db dd'), text('x'), fill(20, 0x61));
    const r = run(s, Array.from(wire, (b) => Uint8Array.of(b)));
    expect(r.error?.code).toBe('ERR_FRAME_TOO_LARGE');
    expect(r.fedAtError).toBe(1 + 8 + 1);
    expect(r.maxBuffered).toBeLessThanOrEqual(s.maxWireLength);
  });

  it('counts an ESC as one byte with the byte after it, an ESC still waiting for that byte as one', () => {
    // db dc db: c0, then at least one more byte. It used to say "at least 1 bytes: over the
    // maximum frame length of 1 bytes" (the last ESC counted as nothing), with error.length 1.
    const r = decodeEverySplit(slip({ maxFrameLength: 1 }), hex('db dc db'));
    expect(r.error?.code).toBe('ERR_FRAME_TOO_LARGE');
    expect(r.error?.message).toMatch(/no END within 3 bytes, decoding to at least 2 bytes: over the maximum frame length of 1 byte$/);
    // error.length is the bytes seen (see the next test); the decoded count is in the message.
    expect((r.error as FrameTooLargeError).length).toBe(3);
    // db db …: each ESC takes the byte after it (a bad escape), as the decoder pairs them.
    const esc = decodeEverySplit(slip({ maxFrameLength: 2 }), hex('db db db db db'));
    expect(esc.error?.message).toMatch(/no END within 5 bytes, decoding to at least 3 bytes/);
  });

  it("error.length: the bytes seen while the END is still to come, as cobs reports them and FrameTooLargeError documents", () => {
    // FrameTooLargeError.length is "for a delimiter scan that is still running, the number of
    // bytes seen so far". slip used to report what those bytes decode to at least (5 here), and
    // cobs the encoded bytes: the same field meant two things.
    const s = slip({ maxFrameLength: 4 });
    const c = cobs({ maxFrameLength: 4 });
    const open = [
      { strategy: s, wire: concat(hex('c0'), hex('db dc db dd db dc db dd'), text('x'), fill(20, 0x61)), seen: 9 },
      // cobs: after a bare 00, 6 encoded bytes without a 00, the fewest that must decode to more than 4.
      { strategy: c, wire: concat(hex('00 06'), fill(30, 0x61)), seen: 6 },
    ];
    for (const { strategy, wire, seen } of open) {
      const r = run(strategy, Array.from(wire, (b) => Uint8Array.of(b)));
      const error = r.error as FrameTooLargeError;
      expect(error, strategy.name).toBeInstanceOf(FrameTooLargeError);
      expect(error.length, strategy.name).toBe(seen);
      // The leading END / bare 00 is not part of the frame.
      expect(r.fedAtError - 1, strategy.name).toBe(seen);
      expect(error.message, strategy.name).toMatch(new RegExp(`^no (END|00 terminator) within ${seen} (encoded )?bytes`));
    }
    const oneChunk = run(s, [open[0]!.wire]).error as FrameTooLargeError;
    expect(oneChunk.message).toBe('no END within 9 bytes, decoding to at least 5 bytes: over the maximum frame length of 4 bytes');
    expect(oneChunk.length).toBe(9);
    // With its end in view, both report the frame's decoded length, as the limit counts it.
    // (Within the bytes the search may go over: 2 × 4 + 1 for slip, 257 for cobs at 254.)
    const whole = [
      { strategy: s, wire: concat(text('abcde'), hex('c0')), max: 4, size: 5 },
      { strategy: cobs({ maxFrameLength: 254 }), wire: encodeAll(cobs(), [fill(255, 0)]), max: 254, size: 255 },
    ];
    for (const { strategy, wire, max, size } of whole) {
      const error = run(strategy, [wire]).error as FrameTooLargeError;
      expect(error.message, strategy.name).toBe(`frame decodes to ${size} bytes, over the maximum frame length of ${max} bytes`);
      expect(error.length, strategy.name).toBe(size);
    }
  });

  it('frames and errors are those of a plain reference decoder, at any limit (2,000 runs)', () => {
    // The reference: split at c0, ignore empty frames; a frame whose tokens (an ESC and the byte
    // after it, or one other byte) are more than the limit is too large, else a bad escape is
    // malformed; leftover bytes are too large or truncated by the same count.
    const reference = (wire: Uint8Array, max: number, discard: boolean) => {
      const out = { frames: [] as string[], recovered: [] as string[], error: undefined as string | undefined };
      for (let start = 0; ; ) {
        const q = wire.indexOf(0xc0, start);
        const seg = wire.subarray(start, q === -1 ? wire.length : q);
        start = q + 1;
        if (seg.length === 0) {
          if (q === -1) return out;
          continue;
        }
        const bytes: number[] = [];
        let tokens = 0;
        let bad = false;
        for (let i = 0; i < seg.length; tokens++, i++) {
          if (seg[i] !== 0xdb) {
            bytes.push(seg[i]!);
            continue;
          }
          const next = seg[++i];
          if (next === 0xdc || next === 0xdd) bytes.push(next === 0xdc ? 0xc0 : 0xdb);
          else bad = true;
        }
        if (tokens > max) {
          if (!discard) out.error = 'ERR_FRAME_TOO_LARGE';
          else out.recovered.push('ERR_FRAME_TOO_LARGE');
          if (!discard || q === -1) return out;
        } else if (q === -1) {
          out.error = 'ERR_TRUNCATED_FRAME';
          return out;
        } else if (bad) out.recovered.push('ERR_MALFORMED_FRAME');
        else out.frames.push(toHex(Uint8Array.from(bytes)));
      }
    };
    const byte = fc.oneof(fc.constantFrom(0xc0, 0xdb, 0xdc, 0xdd), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 60 }), fc.integer({ min: 0, max: 8 }), fc.boolean(), (bytes, max, discard) => {
        const wire = Uint8Array.from(bytes);
        const s = slip({ maxFrameLength: max, onTooLong: discard ? 'discard' : 'fail' });
        const expected = reference(wire, max, discard);
        expect(outcome(run(s, [wire]))).toEqual(expected);
        expect(outcome(run(s, Array.from(wire, (b) => Uint8Array.of(b))))).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("'discard': one recoverable error per oversized frame, then the next frames, memory bounded", () => {
    const s = slip({ maxFrameLength: 3, onTooLong: 'discard' });
    const wire = concat(encodeAll(s, [hex('01')]), encodeAll(slip(), [fill(10, 0xc0)]), encodeAll(s, [hex('02')]));
    const r = decodeEverySplit(s, wire);
    expect(r.frames.map(toHex)).toEqual(['01', '02']);
    expect(r.recovered.map((e) => e.code)).toEqual(['ERR_FRAME_TOO_LARGE']);
    const huge = concat(fill(100_000, 0x61), encodeAll(s, [hex('03')]));
    const chunked = run(s, Array.from({ length: Math.ceil(huge.length / 100) }, (_, i) => huge.subarray(100 * i, 100 * i + 100)));
    expect(chunked.frames.map(toHex)).toEqual(['03']);
    expect(chunked.recovered).toHaveLength(1);
    expect(chunked.maxBuffered).toBeLessThanOrEqual(s.maxWireLength + 100);
  });

  it('decoding work is linear: a long frame in 1-byte chunks is scanned once', () => {
    const payload = fill(65536, 0x61);
    payload.fill(0xc0, 1000, 2000);
    const wire = encodeAll(slip(), [payload]);
    const buffer = new CountingChunkBuffer();
    const r = run(slip(), Array.from(wire, (b) => Uint8Array.of(b)), buffer);
    expect(r.frames.map((f) => f.length)).toEqual([65536]);
    expect(buffer.bytesInspected).toBeLessThanOrEqual(4 * wire.length);
  });
});

describe('slip: options', () => {
  it('is named slip and validates its options', () => {
    expect(slip().name).toBe('slip');
    expect(Object.isFrozen(slip())).toBe(true);
    expect(() => slip({ leadingEnd: 'no' as unknown as boolean })).toThrow(/leadingEnd must be a boolean \(got "no"\)/);
    expect(() => slip({ onTooLong: 'drop' as 'fail' })).toThrow(/onTooLong must be 'fail' or 'discard'/);
    expect(() => slip({ maxFrameLength: -3 })).toThrow(/maxFrameLength must be a non-negative safe integer \(got -3\)/);
  });
});
