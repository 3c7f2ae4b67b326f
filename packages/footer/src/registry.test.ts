import { Deframer } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { decodeEverySplit, encodeAll, hex, str, text, toHex } from '../test/helpers.js';
import { FOOTER_STRATEGY_NAMES, footerStrategy } from './registry.js';

describe('footerStrategy', () => {
  it('resolves every listed name (delim:HEX as an example) to a strategy of that name', () => {
    expect([...FOOTER_STRATEGY_NAMES]).toEqual(['line', 'crlf', 'nul', 'delim:HEX', 'cobs', 'slip']);
    expect(Object.isFrozen(FOOTER_STRATEGY_NAMES)).toBe(true);
    for (const name of FOOTER_STRATEGY_NAMES.map((n) => n.replace('HEX', '0d0a'))) {
      const s = footerStrategy(name);
      expect(s?.name).toBe(name);
      const wire = encodeAll(s!, [text('hi'), text('there')]);
      expect(decodeEverySplit(s!, wire).frames.map(str)).toEqual(['hi', 'there']);
    }
  });

  it('gives strategies the decode loop takes even at a limit of Number.MAX_SAFE_INTEGER', () => {
    // Their maxWireLength passes 2^53 (the Deframer caps it); cobs once looped for ever here.
    for (const name of FOOTER_STRATEGY_NAMES.map((n) => n.replace('HEX', '0d0a'))) {
      const strategy = footerStrategy(name, { maxFrameLength: Number.MAX_SAFE_INTEGER })!;
      expect(strategy.maxFrameLength, name).toBe(Number.MAX_SAFE_INTEGER);
      const deframer = new Deframer(strategy);
      expect(deframer.push(encodeAll(strategy, [text('hi')])), name).toEqual([text('hi')]);
    }
  });

  it('throws a TypeError, as the factories do, when the options are not an object', () => {
    // line, crlf, nul and delim:HEX once took null (and read no option from it) where cobs threw.
    for (const name of FOOTER_STRATEGY_NAMES.map((n) => n.replace('HEX', '0d0a'))) {
      for (const options of [null, 5, 'x']) {
        expect(() => footerStrategy(name, options as unknown as undefined), `${name} ${String(options)}`).toThrow(
          TypeError,
        );
      }
    }
    expect(() => footerStrategy('line', null as unknown as undefined)).toThrow(
      new TypeError('line options must be an object (got null)'),
    );
    expect(() => footerStrategy('delim:0d0a', null as unknown as undefined)).toThrow(
      new TypeError('delim:0d0a options must be an object (got null)'),
    );
  });

  it('passes the options on', () => {
    expect(footerStrategy('line', { maxFrameLength: 10 })?.maxFrameLength).toBe(10);
    expect(footerStrategy('cobs', { maxFrameLength: 10 })?.maxFrameLength).toBe(10);
    expect(footerStrategy('delim:00', { maxFrameLength: 10 })?.maxFrameLength).toBe(10);
  });

  it('delim:HEX takes any bytes, in either case, and names the strategy in lowercase', () => {
    const s = footerStrategy('delim:0D0a');
    expect(s?.name).toBe('delim:0d0a');
    expect(toHex(encodeAll(s!, [text('a')]))).toBe('61 0d 0a');
    const ff = footerStrategy('delim:fffe')!;
    expect(decodeEverySplit(ff, hex('61 ff fe 62 ff fe')).frames.map(toHex)).toEqual(['61', '62']);
  });

  it('returns undefined for names it does not know', () => {
    for (const name of ['u32be', 'LINE', '', 'delim', 'hasOwnProperty', 'toString', 'delimiter:0a', ' line']) {
      expect(footerStrategy(name)).toBeUndefined();
    }
  });

  it('delim: with bad hex throws a RangeError naming the problem', () => {
    expect(() => footerStrategy('delim:')).toThrow(RangeError);
    expect(() => footerStrategy('delim:')).toThrow(/delim:: the delimiter needs at least one byte of hex/);
    expect(() => footerStrategy('delim:0')).toThrow(/delim:0: the delimiter needs an even number of hex digits, two per byte \(got 1\)/);
    expect(() => footerStrategy('delim:0g')).toThrow(/delim:0g: "g" at position 1 is not a hex digit/);
    expect(() => footerStrategy('delim:0a 0d')).toThrow(/" " at position 2 is not a hex digit/);
  });
});
