import { Deframer } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { bytes, decodeChunks, encodeAll } from '../test/helpers.js';
import { HEADER_STRATEGY_NAMES, headerStrategy } from './registry.js';

describe('headerStrategy', () => {
  it('resolves every listed name to a strategy of that name', () => {
    expect(HEADER_STRATEGY_NAMES).toEqual([
      'u8',
      'u16be',
      'u16le',
      'u24be',
      'u32be',
      'u32le',
      'u64be',
      'u64le',
      'varint',
      'ascii:W',
      'netstring',
    ]);
    for (const listed of HEADER_STRATEGY_NAMES) {
      const name = listed === 'ascii:W' ? 'ascii:7' : listed;
      const strategy = headerStrategy(name);
      expect(strategy?.name).toBe(name);
      // Each resolves to a working strategy.
      const frames = [bytes('hello'), new Uint8Array(0)];
      expect(decodeChunks(strategy!, [encodeAll(strategy!, frames)]).frames).toEqual(frames);
    }
  });

  it('reads plain "ascii" as ascii:10', () => {
    expect(headerStrategy('ascii')?.name).toBe('ascii:10');
  });

  it('passes maxFrameLength on', () => {
    for (const name of ['u16le', 'u64be', 'varint', 'ascii', 'ascii:3', 'netstring']) {
      expect(headerStrategy(name, { maxFrameLength: 77 })?.maxFrameLength, name).toBe(77);
    }
  });

  it('gives strategies the decode loop takes even at a limit of Number.MAX_SAFE_INTEGER', () => {
    // Their maxWireLength (limit + header) passes 2^53; the Deframer caps it instead of refusing.
    let checked = 0;
    for (const listed of HEADER_STRATEGY_NAMES) {
      const name = listed === 'ascii:W' ? 'ascii:20' : listed;
      const strategy = headerStrategy(name, { maxFrameLength: Number.MAX_SAFE_INTEGER })!;
      if (strategy.maxFrameLength !== Number.MAX_SAFE_INTEGER) continue; // a narrow field caps the limit
      const deframer = new Deframer(strategy);
      expect(deframer.push(encodeAll(strategy, [bytes('hi')])), name).toEqual([bytes('hi')]);
      checked++;
    }
    expect(checked).toBe(5); // u64be, u64le, varint, ascii:20, netstring
  });

  it('returns undefined for names that are not header strategies', () => {
    for (const name of ['line', 'cobs', 'raw', 'U32BE', 'u32', 'u24le', '', 'asciix', 'netstring:2']) {
      expect(headerStrategy(name), name).toBeUndefined();
    }
  });

  it('throws a RangeError for an ascii width that is not an integer from 1 to 64', () => {
    // ascii:65 … ascii:1000000000 used to be taken: a decoder waiting for up to a gigabyte of header.
    for (const name of [
      'ascii:0',
      'ascii:',
      'ascii:x',
      'ascii:-1',
      'ascii:1.5',
      'ascii:010',
      'ascii:W',
      'ascii:65',
      'ascii:1000000000',
      'ascii:99999999999999999',
    ]) {
      expect(() => headerStrategy(name), name).toThrow(
        new RangeError(`ascii:W needs a width W from 1 to 64, like ascii:10 (got "${name}")`),
      );
    }
    expect(headerStrategy('ascii:64')?.name).toBe('ascii:64');
    expect(headerStrategy('ascii:1')?.name).toBe('ascii:1');
  });

  it('throws a TypeError, as the factories do, when the options are not an object', () => {
    // ascii and ascii:W once took null (and read no option from it) where u8 threw.
    for (const listed of HEADER_STRATEGY_NAMES) {
      for (const name of listed === 'ascii:W' ? ['ascii', 'ascii:7'] : [listed]) {
        for (const options of [null, 5, 'x', [1]]) {
          expect(() => headerStrategy(name, options as unknown as undefined), `${name} ${String(options)}`).toThrow(
            /options must be an object/,
          );
        }
      }
    }
    expect(() => headerStrategy('ascii:7', null as unknown as undefined)).toThrow(
      new TypeError('ascii() options must be an object (got null)'),
    );
  });

  it('is frozen', () => {
    expect(Object.isFrozen(HEADER_STRATEGY_NAMES)).toBe(true);
  });
});
