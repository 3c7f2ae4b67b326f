import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRoundTrip, testStrategy } from '../src/index.js';
import type { ConformanceOptions } from '../src/index.js';
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { newline, u16Prefix } from './fixtures/samples.js';

const OPTIONS =
  'numRuns, seed, payload, specialBytes, binarySafe, allowsEmpty, recovers, neutralPrefix, vectors, fillByte, maxLimit, workFactor, callAllowance, longFrameLength, timeout';

describe('option validation', () => {
  it('names the option, the value and what was expected', () => {
    expect(() => {
      checkRoundTrip(u16Prefix, { numRuns: 0 });
    }).toThrow(new RangeError('numRuns must be a positive integer (got 0)'));
    expect(() => {
      checkRoundTrip(u16Prefix, { specialBytes: [10, 256] });
    }).toThrow(new RangeError('specialBytes must hold bytes from 0 to 255 (got 256)'));
    expect(() => {
      checkRoundTrip(newline, { binarySafe: false });
    }).toThrow(new TypeError('specialBytes must list the bytes the encoder may refuse when binarySafe is false (got [])'));
    expect(() => {
      checkRoundTrip(u16Prefix, { workFactor: -1 });
    }).toThrow(new RangeError('workFactor must be a positive number (got -1)'));
    expect(() => {
      checkRoundTrip(u16Prefix, { neutralPrefix: -1 });
    }).toThrow(new RangeError('neutralPrefix must be a non-negative integer (got -1)'));
    expect(() => {
      checkRoundTrip(u16Prefix, { callAllowance: 1.5 });
    }).toThrow(new RangeError('callAllowance must be a non-negative integer (got 1.5)'));
    expect(() => {
      testStrategy(u16Prefix, { timeout: 0 });
    }).toThrow(new RangeError('timeout must be a positive integer (got 0)'));
    expect(() => {
      checkRoundTrip(u16Prefix, { vectors: [{ payload: Uint8Array.of(1), wire: Uint8Array.of(0, 1, 1), direction: 'sideways' as 'both' }] });
    }).toThrow(new TypeError("vectors[0].direction must be 'both', 'decode' or 'encode' (got sideways)"));
  });

  it('refuses a seed over 32 bits, which fast-check would fold into another seed', () => {
    const range = 'seed must be a 32-bit integer, from -2147483648 to 4294967295';
    // fast-check keeps seed | 0 and folds the bits above into it: 2 ** 32 + 5 would run as seed 5.
    for (const seed of [2 ** 32, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, -(2 ** 31) - 1, 1.5]) {
      expect(() => {
        checkRoundTrip(u16Prefix, { numRuns: 1, seed });
      }).toThrow(new RangeError(`${range} (got ${seed})`));
    }
    // Both ends of the range, signed (as fast-check prints seeds) and unsigned, are accepted.
    for (const seed of [-(2 ** 31), -1, 0, 2 ** 31 - 1, 2 ** 32 - 1]) {
      expect(() => {
        checkRoundTrip(u16Prefix, { numRuns: 1, seed });
      }).not.toThrow();
    }
  });

  it('rejects a misspelt option instead of running without it', () => {
    // `recover` for `recovers` would leave property 7 out, silently.
    expect(() => {
      checkRoundTrip(newline, { recover: true } as ConformanceOptions);
    }).toThrow(new TypeError(`unknown option recover (the options are ${OPTIONS})`));
    expect(() => {
      testStrategy(u16Prefix, { numRun: 10 } as ConformanceOptions);
    }).toThrow(new TypeError(`unknown option numRun (the options are ${OPTIONS})`));
    // testStrategy's timeout may come along in an options object shared with the check functions.
    expect(() => {
      checkRoundTrip(u16Prefix, { numRuns: 1, timeout: 1000 } as ConformanceOptions);
    }).not.toThrow();
  });

  it('says which option has the wrong type, instead of failing inside the kit', () => {
    const bad = (options: unknown): (() => void) => () => {
      checkRoundTrip(u16Prefix, options as ConformanceOptions);
    };
    expect(bad(null)).toThrow(new TypeError('options must be an object (got null)'));
    expect(() => {
      testStrategy(u16Prefix, null as unknown as ConformanceOptions);
    }).toThrow(new TypeError('options must be an object (got null)'));
    expect(bad({ payload: 5 })).toThrow(new TypeError('payload must be a fast-check Arbitrary<Uint8Array>, such as fc.uint8Array() (got 5)'));
    expect(bad({ payload: [Uint8Array.of(1)] })).toThrow(new TypeError('payload must be a fast-check Arbitrary<Uint8Array>, such as fc.uint8Array() (got an array)'));
    expect(bad({ specialBytes: 10 })).toThrow(new TypeError('specialBytes must be an array (got 10)'));
    expect(bad({ vectors: { payload: Uint8Array.of(1), wire: Uint8Array.of(0, 1, 1) } })).toThrow(new TypeError('vectors must be an array (got [object Object])'));
    expect(bad({ vectors: [null] })).toThrow(new TypeError('vectors[0] must be an object { name?, payload, wire, direction? } (got null)'));
    // A string that looks like a number is named as a string.
    expect(bad({ numRuns: '100' })).toThrow(new TypeError('numRuns must be a positive integer (got "100")'));
    expect(bad({ seed: '42' })).toThrow(new TypeError('seed must be a 32-bit integer, from -2147483648 to 4294967295 (got "42")'));
    expect(bad({ specialBytes: ['a'] })).toThrow(new TypeError('specialBytes must hold bytes from 0 to 255 (got "a")'));
    // So is a string that looks like a boolean: (got false) would read as the boolean.
    expect(bad({ binarySafe: 'false' })).toThrow(new TypeError('binarySafe must be a boolean (got "false")'));
    expect(bad({ recovers: 1 })).toThrow(new TypeError('recovers must be a boolean (got 1)'));
    // null is no byte: it is refused like any other wrong type, not taken for the default.
    expect(bad({ fillByte: null })).toThrow(new TypeError('fillByte must hold bytes from 0 to 255 (got null)'));
  });

  it('rejects a strategy that does not have the FramingStrategy shape', () => {
    const noWire = { ...u16Prefix(), maxWireLength: 10 } as FramingStrategy;
    expect(() => {
      checkRoundTrip(noWire);
    }).toThrow(new RangeError('strategy.maxWireLength must be a safe integer of at least maxFrameLength = 65535 (got 10)'));
    expect(() => {
      checkRoundTrip({ ...u16Prefix(), name: '' });
    }).toThrow(new TypeError('strategy.name must be a non-empty string'));
  });

  it('filters generated payloads against the limit and allowsEmpty', () => {
    let smallest = Infinity;
    let largest = 0;
    const seen = (options: { maxFrameLength?: number }): FramingStrategy => {
      const strategy = u16Prefix({ maxFrameLength: options.maxFrameLength ?? 40 });
      return {
        ...strategy,
        createEncoder: () => ({
          encode: (payload) => {
            smallest = Math.min(smallest, payload.length);
            largest = Math.max(largest, payload.length);
            return strategy.createEncoder().encode(payload);
          },
        }),
      };
    };
    checkRoundTrip(seen, { allowsEmpty: false, payload: fc.uint8Array({ maxLength: 100, size: 'max' }) });
    expect(smallest).toBe(1);
    expect(largest).toBe(40);
  });
});
