import { UnencodablePayloadError } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { concat, decodeEverySplit, encodeAll, everySplit, fill, run, str, text, toHex } from '../test/helpers.js';
import { crlf } from './crlf.js';

describe('crlf', () => {
  it('diagram: "OK" "a\\nb" "" → 4f 4b 0d 0a 61 0a 62 0d 0a 0d 0a (11 bytes)', () => {
    const payloads = [text('OK'), text('a\nb'), text('')];
    const wire = encodeAll(crlf(), payloads);
    expect(toHex(wire)).toBe('4f 4b 0d 0a 61 0a 62 0d 0a 0d 0a');
    expect(decodeEverySplit(crlf(), wire).frames.map(str)).toEqual(['OK', 'a\nb', '']);
  });

  it('a lone \\r or \\n is data; \\r\\r\\n ends a frame that ends with \\r', () => {
    expect(decodeEverySplit(crlf(), text('a\rb\nc\r\r\n\n\r\n')).frames.map(str)).toEqual(['a\rb\nc\r', '\n']);
  });

  it('refuses a payload containing \\r\\n, and accepts one ending with \\r', () => {
    const enc = crlf().createEncoder();
    expect(() => enc.encode(text('a\r\nb'))).toThrow(UnencodablePayloadError);
    expect(() => enc.encode(text('a\r\nb'))).toThrow(/delimiter 0d0a at offset 1/);
    const payloads = [text('ends with \r'), text('\n'), text('\r')];
    expect(decodeEverySplit(crlf(), encodeAll(crlf(), payloads)).frames.map(toHex)).toEqual(payloads.map(toHex));
  });

  it('a line of exactly maxFrameLength bytes passes wherever the \\r\\n is split; one more fails', () => {
    const s = crlf({ maxFrameLength: 5 });
    for (const chunks of everySplit(concat(fill(5, 0x61), text('\r\n')))) {
      expect(run(s, chunks).frames.map(str)).toEqual(['aaaaa']);
    }
    // "aaaaa\r" may still end with \r\n: the x proves it does not.
    const r = run(s, Array.from(text('aaaaa\rx'), (b) => Uint8Array.of(b)));
    expect(r.error?.code).toBe('ERR_FRAME_TOO_LARGE');
    expect(r.fedAtError).toBe(7);
    // A sixth byte that is not \r proves it at once.
    expect(run(s, Array.from(text('aaaaaa'), (b) => Uint8Array.of(b))).fedAtError).toBe(6);
  });

  it('is named crlf; an unterminated last line is ERR_TRUNCATED_FRAME unless allowed', () => {
    expect(crlf().name).toBe('crlf');
    expect(run(crlf(), [text('a\r\nb\r')]).error?.code).toBe('ERR_TRUNCATED_FRAME');
    expect(run(crlf({ allowUnterminatedLast: true }), [text('a\r\nb\r')]).frames.map(str)).toEqual(['a', 'b\r']);
  });
});
