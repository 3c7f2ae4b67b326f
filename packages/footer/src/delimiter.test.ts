import {
  ChunkBuffer,
  DEFAULT_MAX_FRAME_LENGTH,
  Deframer,
  FrameTooLargeError,
  TruncatedFrameError,
  UnencodablePayloadError,
  encodeFrame,
} from '@framewire/chunk-buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountingChunkBuffer } from '@framewire/conformance';
import {
  concat,
  decodeEverySplit,
  encodeAll,
  fill,
  hex,
  outcome,
  run,
  str,
  text,
  toHex,
} from '../test/helpers.js';
import { delimiter } from './delimiter.js';

const CRLF = hex('0d 0a');

describe('delimiter: wire format', () => {
  it('diagram: "hello" "hi" with 0d0a → 68 65 6c 6c 6f 0d 0a 68 69 0d 0a (11 bytes)', () => {
    const s = delimiter({ delimiters: CRLF });
    const wire = encodeAll(s, [text('hello'), text('hi')]);
    expect(toHex(wire)).toBe('68 65 6c 6c 6f 0d 0a 68 69 0d 0a');
    expect(decodeEverySplit(s, wire).frames.map(str)).toEqual(['hello', 'hi']);
  });

  it('returns the payload and the delimiter as parts, the payload not copied', () => {
    const payload = text('abc');
    const parts = delimiter({ delimiters: CRLF }).createEncoder().encode(payload);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toBe(payload);
    expect(toHex(parts[1]!)).toBe('0d 0a');
  });

  it('zero-length frames: a delimiter right after another is an empty frame', () => {
    const s = delimiter({ delimiters: hex('3b') });
    const wire = encodeAll(s, [text(''), text('a'), text(''), text('')]);
    expect(toHex(wire)).toBe('3b 61 3b 3b 3b');
    expect(decodeEverySplit(s, wire).frames.map(str)).toEqual(['', 'a', '', '']);
  });

  it('finds a multi-byte delimiter split across chunks at every position', () => {
    const s = delimiter({ delimiters: text('<END>') });
    const wire = text('one<END><END>two<<END><EN<END>');
    expect(decodeEverySplit(s, wire).frames.map(str)).toEqual(['one', '', 'two<', '<EN']);
  });

  it('a self-overlapping delimiter (aa) ends the frame at its first occurrence', () => {
    const s = delimiter({ delimiters: text('aa') });
    expect(decodeEverySplit(s, text('xaaaybaa')).frames.map(str)).toEqual(['x', 'ayb']);
  });

  it('stripDelimiter: false keeps the delimiter in the frame', () => {
    const s = delimiter({ delimiters: CRLF, stripDelimiter: false });
    expect(decodeEverySplit(s, text('a\r\n\r\nb\r\n')).frames.map(str)).toEqual(['a\r\n', '\r\n', 'b\r\n']);
  });

  it('returns frames as views of the received chunk when they lie in one', () => {
    const wire = text('abc;def;');
    const frames = new Deframer(delimiter({ delimiters: text(';') })).push(wire);
    expect(frames.map(str)).toEqual(['abc', 'def']);
    for (const frame of frames) expect(frame.buffer).toBe(wire.buffer);
  });
});

describe('delimiter: several delimiters', () => {
  it('ends the frame at the earliest match, whichever delimiter it is', () => {
    const s = delimiter({ delimiters: [text(';;'), hex('00')] });
    const wire = concat(text('a;;b'), hex('00'), text(';c;;'), hex('00'));
    expect(decodeEverySplit(s, wire).frames.map(str)).toEqual(['a', 'b', ';c', '']);
  });

  it('the longest delimiter wins at the same position, waiting for its last byte', () => {
    const s = delimiter({ delimiters: [hex('0d'), CRLF] });
    const r = decodeEverySplit(s, text('a\r\nb\rc\r\r\n'));
    expect(r.frames.map(str)).toEqual(['a', 'b', 'c', '']);
  });

  it('a shorter delimiter pending at end of stream ends the last frame', () => {
    const s = delimiter({ delimiters: [hex('0d'), CRLF] });
    const r = decodeEverySplit(s, text('a\r\nb\r'));
    expect(r.frames.map(str)).toEqual(['a', 'b']);
    expect(r.error).toBeUndefined();
  });

  it('waits for a delimiter that would start earlier than the one found', () => {
    // "b" is found first, but "abc" starting one byte before it may still complete.
    const s = delimiter({ delimiters: [text('abc'), text('b')] });
    expect(decodeEverySplit(s, text('xabcyb')).frames.map(str)).toEqual(['x', 'y']);
    expect(decodeEverySplit(s, text('xaby')).frames.map(str)).toEqual(['xa']);
    const atEnd = decodeEverySplit(s, text('xab'));
    expect(atEnd.frames.map(str)).toEqual(['xa']);
    expect(atEnd.error).toBeUndefined();
  });

  it('a longer delimiter ending with a one-byte one (aa0a with 0a) ends the frame where it starts', () => {
    const s = delimiter({ delimiters: [text('aa\n'), text('\n')] });
    expect(decodeEverySplit(s, text('xaa\naa\ny\nba\n')).frames.map(str)).toEqual(['x', '', 'y', 'ba']);
  });

  it('at end of stream, a delimiter past the limit ends a frame that is too long, not a truncated one', () => {
    // [a;;, ;] with a limit of 1: "xa;" waits, as "a;;" starting at offset 1 may still complete.
    // When the stream ends there, ';' ends the 2-byte frame "xa": too long. It used to be
    // reported as a truncated frame (the end-of-stream search stopped at the limit), and with
    // 'discard' the stream failed instead of going on.
    const fail = decodeEverySplit(delimiter({ delimiters: [text('a;;'), text(';')], maxFrameLength: 1 }), text('xa;'));
    expect(fail.error).toBeInstanceOf(FrameTooLargeError);
    expect(fail.error).toMatchObject({ recoverable: false, length: 2 });
    const discard = decodeEverySplit(
      delimiter({ delimiters: [text('a;;'), text(';')], maxFrameLength: 1, onTooLong: 'discard' }),
      text('k;xa;'),
    );
    expect(discard.frames.map(str)).toEqual(['k']);
    expect(discard.recovered.map((e) => e.code)).toEqual(['ERR_FRAME_TOO_LARGE']);
    expect(discard.error).toBeUndefined();
    expect(discard.leftover).toBe(0);
  });

  it('the encoder writes the first delimiter', () => {
    const s = delimiter({ delimiters: [hex('00'), CRLF] });
    expect(toHex(encodeFrame(s.createEncoder(), text('a')))).toBe('61 00');
  });

  it('duplicates are ignored', () => {
    const s = delimiter({ delimiters: [CRLF, hex('0d 0a')] });
    expect(decodeEverySplit(s, text('a\r\nb\r\n')).frames.map(str)).toEqual(['a', 'b']);
  });

  it('is not changed by later changes to the caller\'s delimiter array', () => {
    const d = hex('3b');
    const s = delimiter({ delimiters: d });
    d[0] = 0x2c;
    expect(run(s, [text('a;b,')]).frames.map(str)).toEqual(['a']);
    expect(s.name).toBe('delim:3b');
  });
});

describe('delimiter: the encoder refuses what the wire cannot carry', () => {
  it('a payload containing the delimiter, naming the offset', () => {
    const enc = delimiter({ delimiters: CRLF }).createEncoder();
    expect(() => enc.encode(text('ab\r\ncd'))).toThrow(UnencodablePayloadError);
    expect(() => enc.encode(text('ab\r\ncd'))).toThrow(/delimiter 0d0a at offset 2/);
    expect(() => enc.encode(text('a\rb\nc\r'))).not.toThrow();
  });

  it('a payload containing any of several delimiters', () => {
    const enc = delimiter({ delimiters: [text(';;'), hex('00')] }).createEncoder();
    expect(() => enc.encode(concat(text('a'), hex('00')))).toThrow(/delimiter 00 at offset 1/);
    expect(() => enc.encode(text('a;;'))).toThrow(/delimiter 3b3b at offset 1/);
    expect(() => enc.encode(text(';a'))).not.toThrow();
    // ";a;" + ";;" would read as ";a" then ";".
    expect(() => enc.encode(text(';a;'))).toThrow(/ends with 3b at offset 2/);
  });

  it('a payload whose end would merge with the written delimiter into an earlier match', () => {
    // "x" "a" + "aa" → "xaaa": the decoder would end the frame after "x".
    const enc = delimiter({ delimiters: text('aa') }).createEncoder();
    expect(() => enc.encode(text('xa'))).toThrow(/ends with 61 at offset 1/);
    expect(() => enc.encode(text('ax'))).not.toThrow();
  });

  it('a payload whose start would extend the previous delimiter into a longer one', () => {
    // Written: 0d. After "…" 0d, a payload starting with 0a would read as 0d 0a.
    const enc = delimiter({ delimiters: [hex('0d'), CRLF] }).createEncoder();
    expect(() => enc.encode(text('\nb'))).toThrow(/starts with 0a/);
    expect(() => enc.encode(text('b\n'))).not.toThrow();
  });

  it('an empty payload that would extend the previous delimiter: the message says why, not "starts with ,"', () => {
    // Written: 61. An empty frame is 61 alone: after the previous frame's 61 it reads as 61 61.
    const enc = delimiter({ delimiters: [text('a'), text('aa')] }).createEncoder();
    let thrown: unknown;
    try {
      enc.encode(new Uint8Array(0));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnencodablePayloadError);
    expect((thrown as Error).message).toBe(
      'an empty payload is its delimiter 61 alone, which after the delimiter 61 of the previous frame would read as the ' +
        'longer delimiter 6161; delim:61 cannot carry it',
    );
    expect(() => enc.encode(text('b'))).not.toThrow();
  });

  it('a payload over maxFrameLength, with FrameTooLargeError', () => {
    const enc = delimiter({ delimiters: CRLF, maxFrameLength: 3 }).createEncoder();
    expect(() => enc.encode(text('abc'))).not.toThrow();
    expect(() => enc.encode(text('abcd'))).toThrow(FrameTooLargeError);
    expect(() => enc.encode(text('abcd'))).toThrow(/payload of 4 bytes exceeds the maximum frame length of 3 bytes/);
    expect(() => delimiter({ delimiters: CRLF, maxFrameLength: 1 }).createEncoder().encode(text('ab'))).toThrow(
      /payload of 2 bytes exceeds the maximum frame length of 1 byte$/,
    );
  });

  it('round trip: every payload the encoder accepts comes back under random chunking', () => {
    const alphabet = [0x61, 0x62, 0x0d, 0x0a];
    const bytesOf = (max: number): fc.Arbitrary<Uint8Array> =>
      fc.array(fc.constantFrom(...alphabet), { minLength: 0, maxLength: max }).map((a) => Uint8Array.from(a));
    const sets = fc
      .array(bytesOf(3).filter((d) => d.length > 0), { minLength: 1, maxLength: 3 })
      .filter((ds) => {
        try {
          delimiter({ delimiters: ds });
          return true;
        } catch {
          return false;
        }
      });
    fc.assert(
      fc.property(sets, fc.array(bytesOf(8), { maxLength: 6 }), fc.array(fc.nat(30), { maxLength: 6 }), (ds, payloads, cuts) => {
        const s = delimiter({ delimiters: ds });
        const enc = s.createEncoder();
        const accepted: Uint8Array[] = [];
        for (const p of payloads) {
          try {
            enc.encode(p);
            accepted.push(p);
          } catch (error) {
            expect(error).toBeInstanceOf(UnencodablePayloadError);
          }
        }
        const wire = encodeAll(s, accepted);
        const chunks: Uint8Array[] = [];
        let at = 0;
        for (const cut of cuts) {
          const next = Math.min(wire.length, at + cut);
          chunks.push(wire.subarray(at, next));
          at = next;
        }
        chunks.push(wire.subarray(at));
        const r = run(s, chunks);
        expect(r.error).toBeUndefined();
        expect(r.frames.map(toHex)).toEqual(accepted.map(toHex));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('delimiter: limits', () => {
  const semi = (options: { maxFrameLength: number; onTooLong?: 'fail' | 'discard' }) =>
    delimiter({ delimiters: text(';'), ...options });

  it('the default limit is 8 MiB, and maxWireLength adds the longest delimiter', () => {
    const s = delimiter({ delimiters: [hex('00'), CRLF] });
    expect(s.maxFrameLength).toBe(DEFAULT_MAX_FRAME_LENGTH);
    expect(s.maxWireLength).toBe(DEFAULT_MAX_FRAME_LENGTH + 2);
  });

  it('a frame of exactly maxFrameLength passes; one byte more fails', () => {
    const s = semi({ maxFrameLength: 5 });
    expect(decodeEverySplit(s, text('abcde;')).frames.map(str)).toEqual(['abcde']);
    const r = decodeEverySplit(s, text('abcdef;'));
    expect(r.frames).toEqual([]);
    expect(r.error).toBeInstanceOf(FrameTooLargeError);
    expect(r.error?.recoverable).toBe(false);
  });

  it('fails as soon as the scanned bytes pass the limit without a delimiter', () => {
    const s = semi({ maxFrameLength: 5 });
    const r = run(s, Array.from(text('abcdefghij'), (b) => Uint8Array.of(b)));
    expect(r.error).toBeInstanceOf(FrameTooLargeError);
    expect(r.fedAtError).toBe(6);
    expect(r.error?.message).toMatch(/no delimiter within the first 6 bytes: the frame exceeds the maximum frame length of 5 bytes/);
  });

  it('a multi-byte delimiter: waits while its first bytes could still start within the limit', () => {
    const s = delimiter({ delimiters: text('<END>'), maxFrameLength: 3 });
    // "abc<EN" could still be "abc" + "<END>": no error yet.
    const waiting = run(s, Array.from(text('abc<EN'), (b) => Uint8Array.of(b)));
    expect(waiting.error?.code).toBe('ERR_TRUNCATED_FRAME');
    // "abc<EX": it cannot, and the error comes at the X.
    const r = run(s, Array.from(text('abc<EXtra'), (b) => Uint8Array.of(b)));
    expect(r.error?.code).toBe('ERR_FRAME_TOO_LARGE');
    expect(r.fedAtError).toBe(6);
    expect(decodeEverySplit(s, text('abc<END>')).frames.map(str)).toEqual(['abc']);
  });

  it('never buffers more than the limit plus the delimiter, plus one chunk', () => {
    const s = delimiter({ delimiters: CRLF, maxFrameLength: 100 });
    const chunks = Array.from({ length: 50 }, () => fill(7, 0x61));
    const r = run(s, chunks);
    expect(r.error?.code).toBe('ERR_FRAME_TOO_LARGE');
    expect(r.maxBuffered).toBeLessThanOrEqual(100 + 2 + 7);
  });

  it("'fail': the error is unrecoverable and reported once; later calls rethrow it without reading", () => {
    const dec = semi({ maxFrameLength: 2 }).createDecoder();
    const buffer = new CountingChunkBuffer();
    buffer.push(text('abcd;e;'));
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

  it("'discard': one recoverable error per oversized frame, then the frames after it", () => {
    const s = semi({ maxFrameLength: 3, onTooLong: 'discard' });
    const r = decodeEverySplit(s, text('ab;toolong;x;waytoolongagain;;y;'));
    expect(r.frames.map(str)).toEqual(['ab', 'x', '', 'y']);
    expect(r.recovered.map((e) => e.code)).toEqual(['ERR_FRAME_TOO_LARGE', 'ERR_FRAME_TOO_LARGE']);
    expect(r.recovered.every((e) => e.recoverable)).toBe(true);
    expect(r.error).toBeUndefined();
  });

  it("'discard': the error comes as soon as the limit is crossed, and memory stays bounded", () => {
    const s = delimiter({ delimiters: CRLF, maxFrameLength: 10, onTooLong: 'discard' });
    const chunks = [...Array.from({ length: 1000 }, () => fill(100, 0x61)), text('\r\nok\r\n')];
    const r = run(s, chunks);
    expect(r.recovered).toHaveLength(1);
    expect(r.recoveredAt).toEqual([0]);
    expect(r.frames.map(str)).toEqual(['ok']);
    expect(r.maxBuffered).toBeLessThanOrEqual(10 + 2 + 100);
  });

  it("'discard' with several delimiters drops up to the earliest one", () => {
    const s = delimiter({ delimiters: [hex('0d'), CRLF, text('|')], maxFrameLength: 2, onTooLong: 'discard' });
    const r = decodeEverySplit(s, text('abcdef\r\nok|toolong|x\r'));
    expect(r.frames.map(str)).toEqual(['ok', 'x']);
    expect(r.recovered).toHaveLength(2);
  });

  it("'discard' while a longer delimiter could still start: memory stays bounded, and the Deframer goes on", () => {
    // [abc, b]: the dropped frame's 'b' is found, but it may yet be part of an 'abc' that
    // starts at its 'a'. Only those bytes wait; the 100,000 before them are dropped.
    const s = delimiter({ delimiters: [text('abc'), text('b')], maxFrameLength: 3, onTooLong: 'discard' });
    const r = run(s, [fill(10, 0x78), fill(100_000, 0x78), text('ab'), text('c'), text('ok'), text('b')]);
    expect(r.recovered).toHaveLength(1);
    expect(r.frames.map(str)).toEqual(['ok']);
    expect(r.maxBuffered).toBeLessThanOrEqual(100_000);
    const buffer = new ChunkBuffer();
    const decoder = s.createDecoder();
    buffer.push(fill(10, 0x78));
    expect(() => decoder.decode(buffer)).toThrow(FrameTooLargeError);
    buffer.push(concat(fill(100_000, 0x78), text('ab')));
    expect(decoder.decode(buffer)).toBeUndefined();
    expect(buffer.length).toBeLessThanOrEqual(3);
    // Through the Deframer, whose cap (maxWireLength, 6 bytes) it used to cross.
    const errors: unknown[] = [];
    const deframer = new Deframer(s, { onRecoverableError: (error) => errors.push(error) });
    const frames = [fill(10, 0x78), concat(fill(100_000, 0x78), text('ab')), text('cok'), text('b')].flatMap((c) => deframer.push(c));
    expect(frames.map(str)).toEqual(['ok']);
    expect(errors).toHaveLength(1);
  });

  it("'discard': every oversized frame's error consumes bytes, even with fewer buffered than the delimiter", () => {
    // The third line, "d", is one byte: shorter than \r\n, and all of it might have been the
    // start of one. Its error used to drop nothing, right after the second error had dropped its
    // line, and the Deframer took the decoder for stuck: it ended the stream with a plain Error.
    for (const s of [
      delimiter({ delimiters: CRLF, maxFrameLength: 0, onTooLong: 'discard' }),
      delimiter({ delimiters: [CRLF, text('|')], maxFrameLength: 0, onTooLong: 'discard' }),
    ]) {
      const errors: unknown[] = [];
      const deframer = new Deframer(s, { onRecoverableError: (error) => errors.push(error) });
      expect(deframer.push(text('a\r\nbc\r\nd'))).toEqual([]);
      expect(errors).toHaveLength(3);
      expect(errors.every((e) => e instanceof FrameTooLargeError && e.recoverable)).toBe(true);
      expect(deframer.push(text('\r\n\r\n')).map(str)).toEqual(['']);
      expect(deframer.end()).toEqual([]);
      const r = decodeEverySplit(s, text('a\r\nbc\r\nd\r\n\r\n'));
      expect(r.frames.map(str)).toEqual(['']);
      expect(r.recovered).toHaveLength(3);
    }
  });

  it("'discard': a frame is not too long while a delimiter that started within the limit may still end it", () => {
    // [|, a;;, ;]: dropping "xx" ends at '|', and the search that found it also found the ';'
    // after it. That ';' is past the limit (0), but "a;;", starting within it, may still
    // complete: when it does, the frame is empty. It used to be reported too long at once,
    // when the stream arrived as "xx" "|a;" ";" (one chunk: one error, then an empty frame).
    const s = delimiter({ delimiters: [text('|'), text('a;;'), text(';')], maxFrameLength: 0, onTooLong: 'discard' });
    const r = decodeEverySplit(s, text('xx|a;;'));
    expect(r.frames.map(str)).toEqual(['']);
    expect(r.recovered).toHaveLength(1);
    expect(r.error).toBeUndefined();
    const split = run(s, [text('xx'), text('|a;'), text(';')]);
    expect(outcome(split)).toEqual(outcome(r));
  });

  it('a too-long error counts the bytes searched, not a delimiter past them', () => {
    // One chunk: the first \n at offset 8, more lines after it. The search stops at the limit
    // plus the longest delimiter.
    const chunk = concat(fill(8, 0x61), text('\nok\nok\n'));
    const single = run(delimiter({ delimiters: text('\n'), maxFrameLength: 5 }), [chunk]);
    expect(single.error).toMatchObject({ length: 6, message: expect.stringMatching(/^no delimiter within the first 6 bytes:/) as unknown });
    const multi = run(delimiter({ delimiters: [hex('01 02'), text('\n')], maxFrameLength: 5 }), [chunk]);
    expect(multi.error).toMatchObject({ length: 6, message: expect.stringMatching(/^no delimiter within the first 6 bytes:/) as unknown });
  });

  it("'discard': a stream that ends inside the oversized frame ends quietly (the frame was reported)", () => {
    const s = semi({ maxFrameLength: 2, onTooLong: 'discard' });
    const r = run(s, [text('a;toolong')]);
    expect(r.frames.map(str)).toEqual(['a']);
    expect(r.recovered).toHaveLength(1);
    expect(r.error).toBeUndefined();
    expect(r.leftover).toBe(0);
  });

  it('maxFrameLength 0 allows only empty frames', () => {
    const s = semi({ maxFrameLength: 0 });
    expect(decodeEverySplit(s, text(';;')).frames.map(str)).toEqual(['', '']);
    expect(decodeEverySplit(s, text(';a;')).error?.code).toBe('ERR_FRAME_TOO_LARGE');
  });
});

describe('delimiter: end of stream', () => {
  it('leftover bytes are a TruncatedFrameError by default, after every complete frame', () => {
    const r = decodeEverySplit(delimiter({ delimiters: CRLF }), text('a\r\nb\r\npartial\r'));
    expect(r.frames.map(str)).toEqual(['a', 'b']);
    expect(r.error).toBeInstanceOf(TruncatedFrameError);
    expect((r.error as TruncatedFrameError).bufferedBytes).toBe(8);
    expect(r.error?.message).toMatch(/8 bytes after the last delimiter/);
    expect(decodeEverySplit(delimiter({ delimiters: CRLF }), text('a\r\nb')).error?.message).toMatch(/: 1 byte after the last delimiter/);
  });

  it('allowUnterminatedLast: the leftover bytes are the last frame, as they are', () => {
    const s = delimiter({ delimiters: CRLF, allowUnterminatedLast: true });
    expect(decodeEverySplit(s, text('a\r\nlast\r')).frames.map(str)).toEqual(['a', 'last\r']);
    expect(decodeEverySplit(s, text('a\r\n')).frames.map(str)).toEqual(['a']);
  });

  it('allowUnterminatedLast still applies the limit', () => {
    const s = delimiter({ delimiters: text('<END>'), maxFrameLength: 3, allowUnterminatedLast: true });
    const r = run(s, [text('abc<E')]);
    expect(r.error?.code).toBe('ERR_FRAME_TOO_LARGE');
    expect(run(s, [text('abc')]).frames.map(str)).toEqual(['abc']);
  });

  it("allowUnterminatedLast with 'discard': an oversized last frame is dropped recoverably, however it ends", () => {
    // abcde is over the limit as soon as it arrives; abcd\r only at the end (\r could have begun
    // \r\n). Both used to differ: the second was an unrecoverable error from end().
    for (const delimiters of [CRLF, [hex('0a'), CRLF], [CRLF, text(';;')]]) {
      const s = delimiter({ delimiters, maxFrameLength: 4, onTooLong: 'discard', allowUnterminatedLast: true });
      for (const last of ['abcde', 'abcd\r']) {
        const r = decodeEverySplit(s, text(`ok\r\n${last}`));
        expect(r.frames.map(str)).toEqual(['ok']);
        expect(r.recovered.map((e) => e.code)).toEqual(['ERR_FRAME_TOO_LARGE']);
        expect(r.error).toBeUndefined();
        expect(r.leftover).toBe(0);
      }
      const deframer = new Deframer(s, { onRecoverableError: () => undefined });
      expect(deframer.push(text('ok\r\nabcd\r')).map(str)).toEqual(['ok']);
      expect(deframer.end()).toEqual([]);
    }
  });

  it('an empty stream, or one that ends after a delimiter, ends cleanly', () => {
    const s = delimiter({ delimiters: CRLF });
    expect(run(s, []).error).toBeUndefined();
    expect(run(s, [text('a\r\n')]).error).toBeUndefined();
  });
});

describe('delimiter: work', () => {
  it('a 1 MiB frame in 1 KiB chunks is scanned once, not once per chunk', () => {
    for (const delimiters of [hex('0a'), CRLF, [hex('0a'), CRLF], [text(';;'), hex('00')]]) {
      const s = delimiter({ delimiters });
      const dec = s.createDecoder();
      const buffer = new CountingChunkBuffer();
      const size = 1 << 20;
      const wire = concat(fill(size, 0x61), Array.isArray(delimiters) ? delimiters[0]! : delimiters);
      const frames: Uint8Array[] = [];
      for (let at = 0; at < wire.length; at += 1024) {
        buffer.push(wire.subarray(at, at + 1024));
        for (let f = dec.decode(buffer); f !== undefined; f = dec.decode(buffer)) frames.push(f);
      }
      expect(frames.map((f) => f.length)).toEqual([size]);
      // One search pass per delimiter plus the take.
      expect(buffer.bytesInspected).toBeLessThanOrEqual(4 * wire.length);
    }
  });

  it('many small frames in big chunks: work stays linear', () => {
    const s = delimiter({ delimiters: [text(';;'), hex('00')] });
    const wire = encodeAll(s, Array.from({ length: 5000 }, (_, i) => text(`frame ${i}`)));
    const buffer = new CountingChunkBuffer();
    const r = run(s, [wire.subarray(0, 30000), wire.subarray(30000)], buffer);
    expect(r.frames).toHaveLength(5000);
    expect(buffer.bytesInspected).toBeLessThanOrEqual(4 * wire.length);
  });
});

describe('delimiter: options', () => {
  it('is named delim: and the first delimiter in lowercase hex, unless named', () => {
    expect(delimiter({ delimiters: hex('0D 0A') }).name).toBe('delim:0d0a');
    expect(delimiter({ delimiters: [hex('ff'), hex('00')] }).name).toBe('delim:ff');
    expect(delimiter({ delimiters: hex('00'), name: 'mine' }).name).toBe('mine');
  });

  it('the strategy is frozen', () => {
    expect(Object.isFrozen(delimiter({ delimiters: CRLF }))).toBe(true);
  });

  it('misuse throws TypeError or RangeError naming the option, the value and what was expected', () => {
    const bad = (options: unknown) => () => delimiter(options as Parameters<typeof delimiter>[0]);
    expect(bad(undefined)).toThrow(TypeError);
    expect(bad({})).toThrow(/delimiters must be a Uint8Array or an array of Uint8Array \(got undefined\)/);
    expect(bad({ delimiters: '\n' })).toThrow(/delimiters must be a Uint8Array or an array of Uint8Array \(got "\\n"\)/);
    expect(bad({ delimiters: [] })).toThrow(RangeError);
    expect(bad({ delimiters: [] })).toThrow(/delimiters must hold at least one delimiter/);
    expect(bad({ delimiters: [CRLF, 'x'] })).toThrow(/delimiters\[1\] must be a Uint8Array \(got "x"\)/);
    expect(bad({ delimiters: new Uint8Array(0) })).toThrow(/delimiters\[0\] must not be empty/);
    expect(bad({ delimiters: [text('b'), text('abcd')] })).toThrow(RangeError);
    expect(bad({ delimiters: [text('b'), text('abcd')] })).toThrow(/61626364 contains 62 ending 2 bytes before its end/);
    expect(bad({ delimiters: CRLF, stripDelimiter: 'yes' })).toThrow(/stripDelimiter must be a boolean \(got "yes"\)/);
    expect(bad({ delimiters: CRLF, allowUnterminatedLast: 1 })).toThrow(/allowUnterminatedLast must be a boolean \(got 1\)/);
    expect(bad({ delimiters: CRLF, onTooLong: 'drop' })).toThrow(/onTooLong must be 'fail' or 'discard' \(got "drop"\)/);
    expect(bad({ delimiters: CRLF, maxFrameLength: -1 })).toThrow(/maxFrameLength must be a non-negative safe integer \(got -1\)/);
    expect(bad({ delimiters: CRLF, name: '' })).toThrow(/name must be a non-empty string/);
  });

  it('decoders are independent per stream', () => {
    const s = delimiter({ delimiters: text(';') });
    const a = s.createDecoder();
    const b = s.createDecoder();
    const ba = new ChunkBuffer();
    const bb = new ChunkBuffer();
    ba.push(text('one'));
    bb.push(text('two;'));
    expect(a.decode(ba)).toBeUndefined();
    expect(str(b.decode(bb)!)).toBe('two');
    ba.push(text(';'));
    expect(str(a.decode(ba)!)).toBe('one');
  });
});
