import { Deframer, FrameTooLargeError, encodeFrame } from '@framewire/chunk-buffer';
import { FOOTER_STRATEGY_NAMES } from '@framewire/footer';
import { HEADER_STRATEGY_NAMES } from '@framewire/header';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { FRAMING_NAMES, resolveFraming } from '../src/framing.js';
import { raw } from '../src/raw.js';

const te = new TextEncoder();

describe('resolveFraming', () => {
  it('knows every header and footer strategy name, and raw', () => {
    expect(FRAMING_NAMES).toEqual([...HEADER_STRATEGY_NAMES, ...FOOTER_STRATEGY_NAMES, 'raw']);
  });

  it.each(FRAMING_NAMES.map((name) => name.replace('ascii:W', 'ascii:10').replace('delim:HEX', 'delim:0d0a')))(
    '%s resolves to a strategy of that name that round-trips a payload',
    (name) => {
      const strategy = resolveFraming(name);
      expect(strategy.name).toBe(name);
      const payload = te.encode('hello');
      const frames = new Deframer(strategy).push(encodeFrame(strategy.createEncoder(), payload));
      expect(frames).toEqual([payload]);
    },
  );

  it('applies maxFrameLength', () => {
    expect(resolveFraming('u32be', { maxFrameLength: 100 }).maxFrameLength).toBe(100);
    expect(resolveFraming('line').maxFrameLength).toBe(8 * 1024 * 1024);
  });

  it('an unknown name is a usage error listing every valid name', () => {
    expect(() => resolveFraming('u33be')).toThrow(UsageError);
    expect(() => resolveFraming('u33be')).toThrow(`unknown framing 'u33be'; valid framings: ${FRAMING_NAMES.join(', ')}`);
  });

  it('a bad parameter is a usage error naming the problem', () => {
    expect(() => resolveFraming('ascii:0')).toThrow(/^invalid framing 'ascii:0': /);
    expect(() => resolveFraming('delim:0')).toThrow(/^invalid framing 'delim:0': .*even number of hex digits/);
    expect(() => resolveFraming('ascii:0')).toThrow(UsageError);
  });
});

describe('raw', () => {
  it('yields every chunk as it arrived, and nothing for nothing', () => {
    const deframer = new Deframer(raw());
    expect(deframer.push(te.encode('Hey ther'))).toEqual([te.encode('Hey ther')]);
    expect(deframer.push(new Uint8Array(0))).toEqual([]);
    expect(deframer.push(te.encode('e!!!'))).toEqual([te.encode('e!!!')]);
    expect(deframer.end()).toEqual([]);
  });

  it('writes payloads as they are, up to maxFrameLength', () => {
    const encoder = raw({ maxFrameLength: 4 }).createEncoder();
    expect(encoder.encode(te.encode('abcd'))).toEqual([te.encode('abcd')]);
    expect(() => encoder.encode(te.encode('abcde'))).toThrow(FrameTooLargeError);
  });
});
