import { UnencodablePayloadError } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { decodeEverySplit, encodeAll, hex, run, str, text, toHex } from '../test/helpers.js';
import { nul } from './nul.js';

describe('nul', () => {
  it('diagram: "ab" "" "c" → 61 62 00 00 63 00 (6 bytes)', () => {
    const wire = encodeAll(nul(), [text('ab'), text(''), text('c')]);
    expect(toHex(wire)).toBe('61 62 00 00 63 00');
    expect(decodeEverySplit(nul(), wire).frames.map(str)).toEqual(['ab', '', 'c']);
  });

  it('refuses a payload containing 00, naming the offset', () => {
    const enc = nul().createEncoder();
    expect(() => enc.encode(hex('61 00 62'))).toThrow(UnencodablePayloadError);
    expect(() => enc.encode(hex('61 00 62'))).toThrow(/delimiter 00 at offset 1/);
  });

  it('limits, discarding and end of stream as delimiter() does', () => {
    expect(nul().name).toBe('nul');
    expect(decodeEverySplit(nul({ maxFrameLength: 2 }), hex('61 62 63 00')).error?.code).toBe('ERR_FRAME_TOO_LARGE');
    const r = decodeEverySplit(nul({ maxFrameLength: 2, onTooLong: 'discard' }), hex('61 62 63 00 64 00'));
    expect(r.frames.map(str)).toEqual(['d']);
    expect(r.recovered).toHaveLength(1);
    expect(run(nul(), [hex('61 00 62')]).error?.code).toBe('ERR_TRUNCATED_FRAME');
  });
});
