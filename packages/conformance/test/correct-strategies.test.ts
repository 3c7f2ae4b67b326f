// The kit run the way a contributor runs it, on the two correct sample strategies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkArbitraryBytes, checkRecovery, checkStrategy, testStrategy } from '../src/index.js';
import { CARRIES_CRLF, NO_NEWLINE, crlfLines, newline, u16Prefix } from './fixtures/samples.js';

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

// Netty's discarding mode: a line over the limit is a recoverable error, and is dropped.
testStrategy((options) => newline({ ...options, discard: true }), {
  payload: fc.uint8Array({ maxLength: 80 }).filter(NO_NEWLINE),
  specialBytes: [0x0a],
  binarySafe: false,
  recovers: true,
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

describe('property 7 and a two-byte delimiter with a small limit', () => {
  // Inserting a byte between the \r and the \n of frame i merges frames i and i + 1 into one
  // of both payloads plus 3 bytes (\r, the byte, \n): over the limit when the payloads were
  // sized for 2 bytes more only, an unrecoverable FrameTooLargeError the strategy rightly throws.
  it('sizes the frames so that merged ones stay within the limit', () => {
    const crlfOptions = {
      payload: fc.uint8Array({ maxLength: 12, size: 'max' }).filter(CARRIES_CRLF),
      specialBytes: [0x0d, 0x0a],
      binarySafe: false,
      recovers: true,
    };
    expect(() => {
      checkRecovery((options) => crlfLines({ maxFrameLength: 12, ...options }), crlfOptions);
    }).not.toThrow();
  });
});
