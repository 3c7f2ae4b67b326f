// The kit run the way a contributor runs it, on the two correct sample strategies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkArbitraryBytes, checkStrategy, testStrategy } from '../src/index.js';
import { NO_NEWLINE, newline, u16Prefix } from './fixtures/samples.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

testStrategy(u16Prefix, {
  vectors: [
    { name: 'empty', payload: new Uint8Array(0), wire: Uint8Array.of(0, 0) },
    { name: 'hello', payload: text('hello'), wire: Uint8Array.of(0, 5, ...text('hello')) },
    { name: '300 bytes', payload: new Uint8Array(300).fill(7), wire: Uint8Array.of(1, 44, ...new Array<number>(300).fill(7)) },
  ],
});

testStrategy(newline, {
  payload: fc.uint8Array({ maxLength: 80 }).filter(NO_NEWLINE),
  specialBytes: [0x0a],
  binarySafe: false,
  recovers: true,
  vectors: [
    { name: 'empty', payload: new Uint8Array(0), wire: Uint8Array.of(0x0a) },
    { name: 'hi', payload: text('hi'), wire: text('hi\n') },
  ],
});

// A plain strategy rather than a factory: property 3 then checks its own limit once.
testStrategy(u16Prefix({ maxFrameLength: 1000 }));

describe('a strategy whose limit is 0', () => {
  it('passes every property: it is asked to carry empty payloads only', () => {
    expect(() => {
      checkStrategy(u16Prefix({ maxFrameLength: 0 }), { numRuns: 100 });
    }).not.toThrow();
  });
});

describe('property 5 and a strategy without empty payloads', () => {
  it('never asks its factory for a limit of 0, which such a strategy may refuse', () => {
    const asked = new Set<number | undefined>();
    const refusesZero = (options: { maxFrameLength?: number } = {}) => {
      asked.add(options.maxFrameLength);
      if (options.maxFrameLength === 0) throw new RangeError('maxFrameLength must be at least 1 (got 0)');
      return u16Prefix(options);
    };
    expect(() => {
      checkArbitraryBytes(refusesZero, { allowsEmpty: false });
    }).not.toThrow();
    expect(asked.has(0)).toBe(false);
    expect(asked.has(1)).toBe(true);
  });
});
