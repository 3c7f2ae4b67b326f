import { DEFAULT_MAX_FRAME_LENGTH, FrameTooLargeError, UnencodablePayloadError, encodeFrame } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { concat, decodeEverySplit, encodeAll, everySplit, fill, hex, run, str, text, toHex } from '../test/helpers.js';
import { line } from './line.js';

describe('line', () => {
  it('diagram: 68 69 0a 79 6f 0d 0a 0a 21 0d 0d 0a → "hi" "yo" "" "!\\r"', () => {
    const r = decodeEverySplit(line(), hex('68 69 0a 79 6f 0d 0a 0a 21 0d 0d 0a'));
    expect(r.frames.map(str)).toEqual(['hi', 'yo', '', '!\r']);
    expect(r.error).toBeUndefined();
  });

  it('the encoder writes \\n after the payload, which it does not copy', () => {
    const payload = text('hello');
    const parts = line().createEncoder().encode(payload);
    expect(parts[0]).toBe(payload);
    expect(toHex(encodeFrame(line().createEncoder(), payload))).toBe('68 65 6c 6c 6f 0a');
  });

  it('a lone \\r inside a line is data, and \\r\\n strips both bytes', () => {
    const r = decodeEverySplit(line(), text('a\rb\r\nc\r\r\n\r\r\n'));
    expect(r.frames.map(str)).toEqual(['a\rb', 'c\r', '\r']);
  });

  it('stripDelimiter: false keeps \\n or \\r\\n as received', () => {
    expect(decodeEverySplit(line({ stripDelimiter: false }), text('a\nb\r\n')).frames.map(str)).toEqual(['a\n', 'b\r\n']);
  });

  it('refuses a payload containing \\n, or ending with \\r (the decoder would strip it)', () => {
    const enc = line().createEncoder();
    expect(() => enc.encode(text('a\nb'))).toThrow(UnencodablePayloadError);
    expect(() => enc.encode(text('a\nb'))).toThrow(/delimiter 0a at offset 1/);
    expect(() => enc.encode(text('ab\r'))).toThrow(/ends with 0d at offset 2/);
    expect(() => enc.encode(text('a\rb'))).not.toThrow();
    expect(() => enc.encode(text(''))).not.toThrow();
  });

  it('round-trips text lines, empty ones included', () => {
    const payloads = ['', 'hello', '', 'a\rb', 'ünïcødé'].map(text);
    expect(decodeEverySplit(line(), encodeAll(line(), payloads)).frames.map(toHex)).toEqual(payloads.map(toHex));
  });

  it('is named line, with the default 8 MiB limit; maxWireLength adds \\r\\n', () => {
    const s = line();
    expect(s.name).toBe('line');
    expect(s.maxFrameLength).toBe(DEFAULT_MAX_FRAME_LENGTH);
    expect(s.maxWireLength).toBe(DEFAULT_MAX_FRAME_LENGTH + 2);
    expect(line({ name: 'lines' }).name).toBe('lines');
  });
});

describe('line: the limit counts the line without its ending (Twisted #6556)', () => {
  const max = 8;
  const s = line({ maxFrameLength: max });
  const exact = fill(max, 0x61);

  it('a line of exactly maxFrameLength bytes + \\r\\n passes, wherever the chunks split', () => {
    const wire = concat(exact, text('\r\n'), exact, text('\n'));
    for (const chunks of everySplit(wire)) {
      const r = run(s, chunks);
      expect(r.error).toBeUndefined();
      expect(r.frames.map(str)).toEqual([str(exact), str(exact)]);
    }
  });

  it('a line of exactly maxFrameLength bytes + \\r\\n passes when the \\r ends one chunk and \\n starts the next', () => {
    const r = run(s, [concat(exact, text('\r')), text('\n')]);
    expect(r.frames.map(str)).toEqual([str(exact)]);
  });

  it('one byte more fails, as soon as the byte that proves it arrives', () => {
    for (const tail of ['a\n', 'a\r\n', '\rx']) {
      const wire = concat(exact, text(tail));
      const r = run(s, Array.from(wire, (b) => Uint8Array.of(b)));
      expect(r.error).toBeInstanceOf(FrameTooLargeError);
      expect(r.fedAtError).toBe(max + (tail === '\rx' ? 2 : 1));
    }
  });

  it("'discard': the oversized line is dropped up to its \\n and the next one comes out", () => {
    const r = decodeEverySplit(line({ maxFrameLength: 3, onTooLong: 'discard' }), text('abc\r\nabcd\r\nxyz\n'));
    expect(r.frames.map(str)).toEqual(['abc', 'xyz']);
    expect(r.recovered.map((e) => e.code)).toEqual(['ERR_FRAME_TOO_LARGE']);
  });
});

describe('line: end of stream', () => {
  it('an unterminated last line is ERR_TRUNCATED_FRAME by default', () => {
    const r = decodeEverySplit(line(), text('one\ntwo'));
    expect(r.frames.map(str)).toEqual(['one']);
    expect(r.error?.code).toBe('ERR_TRUNCATED_FRAME');
  });

  it('allowUnterminatedLast delivers it as it is', () => {
    expect(decodeEverySplit(line({ allowUnterminatedLast: true }), text('one\ntwo\r')).frames.map(str)).toEqual(['one', 'two\r']);
  });
});
